#include "services/alternatives_operation.h"

#include <memory>

#include "fhir/bundle_writer.h"
#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/access_control.h"
#include "services/directory_search.h"
#include "services/stored_resource.h"
#include "workflow/references.h"
#include "workflow/referral.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

constexpr std::size_t kDefaultCount = 10;

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

rest::InteractionResult AlternativesOperation::run(const rest::ApiContext& ctx,
                                                   store::StoreTransaction& tx,
                                                   const rest::Route& route,
                                                   const rest::InteractionInput& in) const {
  std::string referralId, serviceId, patientId;
  std::vector<std::string> cohorts;
  std::size_t count = kDefaultCount;
  for (const auto& [name, value] : in.query) {
    if (name == "servicerequest") {
      referralId =
          workflow::parseReference(value).empty() ? value : workflow::parseReference(value).id;
    } else if (name == "service") {
      serviceId =
          workflow::parseReference(value).empty() ? value : workflow::parseReference(value).id;
    } else if (name == "patient") {
      patientId =
          workflow::parseReference(value).empty() ? value : workflow::parseReference(value).id;
    } else if (name == "cohort") {
      for (const auto& code : splitCommas(value)) cohorts.push_back(code);
    } else if (name == "_count") {
      if (value.empty() || value.size() > 6 ||
          value.find_first_not_of("0123456789") != std::string::npos) {
        throw FhirError(ErrorKind::kInvalid, "value", "_count must be a non-negative integer");
      }
      count = std::min<std::size_t>(std::stoul(value),
                                    static_cast<std::size_t>(ctx.limits.maxPageSize));
    } else if (name != "_format" && name != "_pretty") {
      throw FhirError(ErrorKind::kInvalid, "not-supported",
                      "$alternatives takes servicerequest, or service with patient and cohort, "
                      "and _count; not '" +
                          name + "'");
    }
  }
  // The referral and the person are records: the caller must be one that may read them.
  const auto mayRead = [&](const std::string& type, const std::string& id) {
    rest::InteractionInput asReader = in;
    rest::authoriseInteraction(ctx, tx, rest::Route{rest::Interaction::kRead, type, id, ""},
                               asReader);
  };
  std::unique_ptr<ParsedResource> referral;
  if (!referralId.empty()) {
    mayRead("ServiceRequest", referralId);
    referral = loadResource(tx, "ServiceRequest", referralId);
    if (!referral) {
      throw FhirError(ErrorKind::kNotFound, "not-found",
                      "ServiceRequest/" + referralId + " not found");
    }
    if (serviceId.empty()) {
      const auto performer = workflow::localReference(workflow::firstPerformer(referral->doc));
      if (performer.type == "HealthcareService") serviceId = performer.id;
    }
    if (patientId.empty()) {
      const auto subject = workflow::localReference(fhir::findMember(referral->doc, "subject"));
      if (subject.type == "Patient") patientId = subject.id;
    }
  }
  if (serviceId.empty()) {
    throw FhirError(ErrorKind::kInvalid, "required",
                    "$alternatives needs service=<HealthcareService id>, or a servicerequest "
                    "whose performer is a HealthcareService");
  }
  auto service = loadResource(tx, "HealthcareService", serviceId);
  if (!service) {
    throw FhirError(ErrorKind::kNotFound, "not-found",
                    "HealthcareService/" + serviceId + " not found");
  }
  if (!patientId.empty()) mayRead("Patient", patientId);
  workflow::PersonNeeds person = personNeeds(tx, referral ? &referral->doc : nullptr, patientId);
  for (const auto& code : cohorts) person.cohorts.insert(code);
  if (!ctx.indexer) {
    throw FhirError(ErrorKind::kNotImplemented, "not-supported",
                    "$alternatives needs search, which is off");
  }
  const auto alternatives = findAlternatives(ctx, tx, serviceId, service->doc, person, count);

  std::vector<fhir::BundleEntry> entries;
  for (const auto& alternative : alternatives) {
    auto v = tx.current("HealthcareService", alternative.id, false);
    if (!v || v->deleted) continue;
    fhir::BundleEntry entry;
    entry.fullUrl = in.baseUrl + "/HealthcareService/" + alternative.id;
    entry.resourceJson = v->body;
    entry.searchMode = "match";
    entries.push_back(std::move(entry));
  }
  std::string self = in.baseUrl + "/" + route.type + "/$alternatives?service=" + serviceId;
  if (!patientId.empty()) self += "&patient=" + patientId;
  for (const auto& code : person.cohorts) self += "&cohort=" + code;
  rest::InteractionResult result;
  result.status = 200;
  result.bundleBody =
      fhir::writeBundle("searchset", ctx.ids.newId(), fhir::formatInstant(ctx.clock.now()),
                        static_cast<long long>(entries.size()), {{"self", self}}, entries);
  return result;
}

}  // namespace sp::services
