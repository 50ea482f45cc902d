// The impact report written out three ways: a FHIR Parameters resource (GET /$impact-report),
// CSV (GET /reports.csv) and an HTML page with inline SVG charts (GET /reports). Pure;
// thread-safe.
#pragma once

#include <string>

#include "reports/impact.h"
#include "reports/localities.h"

namespace sp::reports {

// Parameters JSON; the parameter names are listed in docs/reports.md.
std::string impactParametersJson(const ImpactReport& report);

// CSV with a header row section,group,label,measure,value and one row per figure.
std::string impactCsv(const ImpactReport& report);
// "impact-report-2026-01-01-to-2026-03-31.csv"
std::string impactCsvFileName(const ImpactReport& report);

// The query string that asks for this report's period and filters again
// ("period=...&locality=...").
std::string reportQueryString(const ImpactReport& report);

struct PageOptions {
  const LocalityTable* places = nullptr;  // for the locality picker
  std::string basePath = "/reports";      // where the form submits
  std::string error;                      // shown instead of figures when not empty
};
// A whole HTML document: no scripts, no external resources, styles inline, charts as SVG.
// Elements carrying figures have ids (fig-<measure>, and data-value attributes) so that tests
// and scripts can read them back from the DOM.
std::string impactHtml(const ImpactReport& report, const PageOptions& options);

// Text escaped for HTML element content and attribute values.
std::string htmlEscape(const std::string& text);

}  // namespace sp::reports
