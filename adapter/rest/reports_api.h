// The impact report over HTTP, beside the FHIR API:
//
//   GET /$impact-report  a FHIR Parameters resource (FHIR JSON, negotiated like every answer)
//   GET /reports         an HTML page with inline SVG charts and a period and locality picker
//   GET /reports.csv     the same figures as CSV, as a download
//
// Query parameters: period=YYYY-MM-DD/YYYY-MM-DD (or from= and to=, as the page's form sends
// them; default: the twelve months up to today), and optionally locality, area (rural, urban,
// unknown), route, cohort (codes, or none) and service (a HealthcareService id, or none). Only
// organisations whose role (reports::ReportAccess) is commissioner or directory-administrator
// may see reports; others get 403 with an OperationOutcome.
//
// handle() answers every problem itself (OperationOutcome, or for the page a page naming the
// problem); anything but a FhirError propagates to the edge, as with FhirApi. Thread-safe.
#pragma once

#include <optional>

#include "fhir/ids.h"
#include "reports/localities.h"
#include "reports/report_access.h"
#include "rest/rest_types.h"
#include "store/report_store.h"

namespace sp::rest {

class ReportsApi {
 public:
  ReportsApi(store::ReportStore& store, const fhir::Clock& clock, reports::LocalityTable places,
             reports::ReportAccess access);

  // The answer for a report path; nullopt for any other path (the FHIR API answers those).
  std::optional<RestResponse> handle(const RestRequest& request) const;

  // True for /$impact-report, /reports and /reports.csv.
  static bool isReportPath(const std::string& path);

 private:
  enum class Format { kParameters, kHtml, kCsv };
  RestResponse answer(const RestRequest& request, Format format) const;

  store::ReportStore& store_;
  const fhir::Clock& clock_;
  const reports::LocalityTable places_;
  const reports::ReportAccess access_;
};

}  // namespace sp::rest
