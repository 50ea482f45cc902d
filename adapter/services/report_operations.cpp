#include "services/report_operations.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <set>

#include "fhir/errors.h"
#include "fhir/project_urls.h"
#include "reports/impact.h"
#include "reports/render.h"
#include "reports/vocabulary.h"
#include "rest/fhir_api.h"
#include "rest/negotiation.h"
#include "rest/status_map.h"

namespace sp::services {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

// No scripts, no external resources; the page's own styles only; forms post back here.
constexpr const char* kPagePolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

[[noreturn]] void invalid(const std::string& diagnostics, const std::string& parameter) {
  throw FhirError(ErrorKind::kInvalid, "invalid", diagnostics, parameter);
}

bool isCode(const std::vector<reports::Term>& terms, const std::string& code) {
  return code == "none" || std::any_of(terms.begin(), terms.end(),
                                       [&](const reports::Term& t) { return t.code == code; });
}

std::string codes(const std::vector<reports::Term>& terms) {
  std::string out;
  for (const auto& t : terms) out += (out.empty() ? "" : ", ") + t.code;
  return out + ", none";
}

struct Asked {
  reports::ReportPeriod period;
  reports::ImpactFilter filter;
};

// Reads the query. Empty values mean "not given" (the page's form sends every field).
Asked readQuery(const rest::RestRequest& request, const reports::LocalityTable& places,
                const reports::Date& today, bool allowFormat) {
  static const std::set<std::string> kKnown = {"period", "from",  "to",     "locality",
                                               "area",   "route", "cohort", "service"};
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : request.query) {
    if (name == "_format" && allowFormat) continue;
    if (!kKnown.count(name)) {
      invalid("Unknown parameter '" + name +
                  "'; a report takes period (or from and to), locality, area, route, cohort "
                  "and service",
              name);
    }
    if (!values.emplace(name, value).second) invalid("Parameter '" + name + "' is repeated", name);
  }
  const auto get = [&](const char* name) {
    const auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  };
  Asked asked;
  const std::string period = get("period"), from = get("from"), to = get("to");
  if (!period.empty() && (!from.empty() || !to.empty())) {
    invalid("Give either period or from and to, not both", "period");
  }
  if (!period.empty()) {
    asked.period = reports::parsePeriod(period);
  } else if (!from.empty() || !to.empty()) {
    if (from.empty() || to.empty()) invalid("from and to go together: give both dates", "from");
    asked.period = reports::parsePeriod(from + "/" + to);
  } else {
    asked.period = reports::defaultPeriod(today);
  }
  auto& f = asked.filter;
  f.locality = get("locality");
  f.area = get("area");
  f.route = get("route");
  f.cohort = get("cohort");
  f.service = get("service");
  if (!f.locality.empty() && f.locality != reports::kUnknownPlace &&
      !places.hasLocality(f.locality)) {
    std::string known;
    for (const auto& l : places.localities()) known += (known.empty() ? "" : ", ") + l;
    invalid("Unknown locality '" + f.locality + "'; known: " + known + ", unknown", "locality");
  }
  if (!f.area.empty() && f.area != "rural" && f.area != "urban" &&
      f.area != reports::kUnknownPlace) {
    invalid("area is rural, urban or unknown", "area");
  }
  if (!f.route.empty() && !isCode(reports::referralRoutes(), f.route)) {
    invalid("Unknown route '" + f.route + "'; routes: " + codes(reports::referralRoutes()),
            "route");
  }
  if (!f.cohort.empty() && !isCode(reports::priorityCohorts(), f.cohort)) {
    invalid("Unknown cohort '" + f.cohort + "'; cohorts: " + codes(reports::priorityCohorts()),
            "cohort");
  }
  if (!f.service.empty() && f.service != "none" && !fhir::isValidId(f.service)) {
    invalid("service is the id of a HealthcareService (or none)", "service");
  }
  return asked;
}

rest::RestResponse withBody(int status, std::string body, const std::string& contentType) {
  rest::RestResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", contentType);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

rest::RestResponse page(int status, std::string html) {
  rest::RestResponse r = withBody(status, std::move(html), "text/html; charset=utf-8");
  r.headers.emplace_back("Content-Security-Policy", kPagePolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

}  // namespace

reports::ReportAccess reportAccessOf(const security::OrganisationRegistry& registry) {
  std::map<std::string, std::string> roles;
  for (const auto& [ods, organisation] : registry.organisations()) {
    roles[ods] = std::string(security::roleCode(organisation.role));
  }
  return reports::ReportAccess::withRoles(std::move(roles));
}

ReportOperations::ReportOperations(store::ReportStore& store, const fhir::Clock& clock,
                                   reports::LocalityTable places, reports::ReportAccess access)
    : store_(store), clock_(clock), places_(std::move(places)), access_(std::move(access)) {}

std::vector<rest::OperationEntry> ReportOperations::entries() const {
  rest::OperationEntry impact;
  impact.name = "$impact-report";
  impact.definition = std::string(fhir::kOperationBase) + "impact-report";
  impact.requestOperation = &parameters_;
  rest::OperationEntry page;
  page.name = "reports";
  page.answersFhirJson = false;  // an HTML page
  page.requestOperation = &page_;
  rest::OperationEntry csv;
  csv.name = "reports.csv";
  csv.answersFhirJson = false;  // a CSV download
  csv.requestOperation = &csv_;
  return {impact, page, csv};
}

rest::RestResponse ReportOperations::Report::handle(const rest::RestRequest& request,
                                                    const security::Caller& caller) const {
  return owner_.handle(request, caller, format_);
}

rest::RestResponse ReportOperations::handle(const rest::RestRequest& request,
                                            const security::Caller& caller, Format format) const {
  try {
    if (!access_.mayView(caller.odsCode)) {
      throw FhirError(ErrorKind::kForbidden, "forbidden", access_.refusal(caller.odsCode));
    }
    return answer(request, format);
  } catch (const FhirError& e) {
    if (format == Format::kHtml && e.kind() == ErrorKind::kInvalid) {
      // The page names the problem and keeps the picker, so the person can put it right.
      reports::ImpactReport empty;
      empty.period = reports::defaultPeriod(reports::ukDateAt(clock_.now()));
      empty.generatedAt = fhir::formatInstant(clock_.now());
      reports::PageOptions options;
      options.places = &places_;
      options.error = e.issues().empty() ? e.what() : e.issues().front().diagnostics;
      return page(rest::statusFor(e.kind()), reports::impactHtml(empty, options));
    }
    rest::RestResponse r = rest::errorResponse(e);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
}

rest::RestResponse ReportOperations::answer(const rest::RestRequest& request, Format format) const {
  // Negotiate first, so a client that cannot read FHIR JSON learns it before the work is done.
  const std::string fhirType =
      format == Format::kParameters ? rest::negotiateResponseType(request) : std::string();
  const auto now = clock_.now();
  const Asked asked =
      readQuery(request, places_, reports::ukDateAt(now), format == Format::kParameters);
  const auto started = std::chrono::steady_clock::now();
  const store::ReportData data = store_.read(reports::reportQuery(asked.period));
  const auto read = std::chrono::steady_clock::now();
  const reports::ImpactReport report =
      reports::buildImpactReport(data, asked.period, asked.filter, places_, now);
  const auto built = std::chrono::steady_clock::now();
  rest::RestResponse r;
  switch (format) {
    case Format::kParameters:
      r = withBody(200, reports::impactParametersJson(report), fhirType);
      break;
    case Format::kCsv:
      r = withBody(200, reports::impactCsv(report), "text/csv; charset=utf-8");
      r.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"" + reports::impactCsvFileName(report) + "\"");
      break;
    case Format::kHtml: {
      reports::PageOptions options;
      options.places = &places_;
      r = page(200, reports::impactHtml(report, options));
      break;
    }
  }
  // Where the time goes, without patient data: for capacity planning and the benchmark.
  const auto ms = [](auto from, auto to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
  };
  std::cerr << "impact report " << asked.period.text() << ": " << data.referrals.size()
            << " referrals, " << data.scores.size() << " scores, " << data.services.size()
            << " services; read " << ms(started, read) << " ms, figures " << ms(read, built)
            << " ms, written " << ms(built, std::chrono::steady_clock::now()) << " ms\n";
  return r;
}

}  // namespace sp::services
