// The codes the impact report counts by, with the labels a commissioner reads. They come from
// the project's CodeSystems in fhir-profiles/sp/ (referral-route, priority-cohort,
// task-business-status, outcome-measure) and SNOMED CT; see docs/reports.md. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "fhir/project_urls.h"

namespace sp::reports {

using fhir::kBusinessStatusSystem;
using fhir::kOutcomeMeasureSystem;
using fhir::kPriorityCohortSystem;
using fhir::kReferralRouteSystem;
inline constexpr const char* kSnomedSystem = "http://snomed.info/sct";

// A code and its label, in the order the report shows them.
struct Term {
  std::string code;
  std::string label;
};

const std::vector<Term>& referralRoutes();
const std::vector<Term>& priorityCohorts();
// Why a referral was rejected: no-capacity, not-eligible, declined-by-person, other.
const std::vector<Term>& rejectionReasons();

// The label of a code in one of the lists above; the code itself when unknown, and "Not
// recorded" for "" or "none".
std::string routeLabel(const std::string& code);
std::string cohortLabel(const std::string& code);
std::string reasonLabel(const std::string& code);

// An outcome measure: Observations with valueInteger and this code.
struct Instrument {
  std::string key;  // "wemwbs", "ons4-life-satisfaction", ...
  std::string label;
  std::string system;
  std::string code;
  bool higherIsBetter = true;
};
// WEMWBS (SNOMED CT 718426000) and the four ONS4 questions (outcome-measure CodeSystem).
const std::vector<Instrument>& instruments();

}  // namespace sp::reports
