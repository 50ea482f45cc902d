// The impact report as operations of the FHIR API (entries(), registered at system level):
//
//   GET /$impact-report  a FHIR Parameters resource (FHIR JSON, negotiated like every answer)
//   GET /reports         an HTML page with inline SVG charts and a period and locality picker
//   GET /reports.csv     the same figures as CSV, as a download
//
// Query parameters: period=YYYY-MM-DD/YYYY-MM-DD (or from= and to=, as the page's form sends
// them; default: the twelve months up to today), and optionally locality, area (rural, urban,
// unknown), route, cohort (codes, or none) and service (a HealthcareService id, or none). Only
// organisations whose role (reports::ReportAccess) is commissioner or directory-administrator
// may see reports; others get 403 with an OperationOutcome. Each is audited by the API under
// its name.
//
// A problem in the query is answered on the page itself (the page names it and keeps the
// picker); others throw FhirError, which the API answers with an OperationOutcome. Thread-safe.
#pragma once

#include <vector>

#include "fhir/ids.h"
#include "reports/localities.h"
#include "reports/report_access.h"
#include "rest/operations.h"
#include "rest/rest_types.h"
#include "security/organisation_registry.h"
#include "store/report_store.h"

namespace sp::services {

// Who may see reports: the registry's organisations and their roles.
reports::ReportAccess reportAccessOf(const security::OrganisationRegistry& registry);

class ReportOperations {
 public:
  ReportOperations(store::ReportStore& store, const fhir::Clock& clock,
                   reports::LocalityTable places, reports::ReportAccess access);
  ReportOperations(const ReportOperations&) = delete;
  ReportOperations& operator=(const ReportOperations&) = delete;

  // $impact-report, reports and reports.csv: GET at system level.
  std::vector<rest::OperationEntry> entries() const;

 private:
  enum class Format { kParameters, kHtml, kCsv };
  class Report : public rest::RequestOperation {
   public:
    Report(const ReportOperations& owner, Format format) : owner_(owner), format_(format) {}
    rest::RestResponse handle(const rest::RestRequest& request,
                              const security::Caller& caller) const override;

   private:
    const ReportOperations& owner_;
    Format format_;
  };
  rest::RestResponse handle(const rest::RestRequest& request, const security::Caller& caller,
                            Format format) const;
  rest::RestResponse answer(const rest::RestRequest& request, Format format) const;

  store::ReportStore& store_;
  const fhir::Clock& clock_;
  const reports::LocalityTable places_;
  const reports::ReportAccess access_;
  const Report parameters_{*this, Format::kParameters};
  const Report page_{*this, Format::kHtml};
  const Report csv_{*this, Format::kCsv};
};

}  // namespace sp::services
