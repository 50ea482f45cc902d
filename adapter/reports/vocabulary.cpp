#include "reports/vocabulary.h"

namespace sp::reports {
namespace {

std::string labelIn(const std::vector<Term>& terms, const std::string& code) {
  if (code.empty() || code == "none") return "Not recorded";
  for (const Term& t : terms) {
    if (t.code == code) return t.label;
  }
  return code;
}

}  // namespace

const std::vector<Term>& referralRoutes() {
  static const std::vector<Term> kTerms = {
      {"gp", "GP"},
      {"other-clinician", "Other clinician"},
      {"single-point-of-referral", "Single point of referral"},
      {"vcse-organisation", "VCSE organisation"},
      {"self-referral-phone", "Self-referral by phone"},
      {"self-referral-web", "Self-referral online"},
      {"self-referral-face-to-face", "Self-referral face to face"},
      {"re-access", "Re-access after discharge"},
  };
  return kTerms;
}

const std::vector<Term>& priorityCohorts() {
  static const std::vector<Term> kTerms = {
      {"mental-health-wellbeing", "Mental health and wellbeing"},
      {"social-isolation-loneliness", "Social isolation and loneliness"},
      {"carers", "Carers"},
      {"long-term-conditions", "Long-term conditions"},
  };
  return kTerms;
}

const std::vector<Term>& rejectionReasons() {
  static const std::vector<Term> kTerms = {
      {"no-capacity", "No capacity"},
      {"not-eligible", "Not eligible"},
      {"declined-by-person", "Declined by the person"},
      {"other", "Other reason"},
  };
  return kTerms;
}

std::string routeLabel(const std::string& code) { return labelIn(referralRoutes(), code); }
std::string cohortLabel(const std::string& code) { return labelIn(priorityCohorts(), code); }
std::string reasonLabel(const std::string& code) { return labelIn(rejectionReasons(), code); }

const std::vector<Instrument>& instruments() {
  static const std::vector<Instrument> kInstruments = {
      {"wemwbs", "WEMWBS wellbeing (14 to 70)", kSnomedSystem, "718426000", true},
      {"ons4-life-satisfaction", "ONS4 life satisfaction (0 to 10)", kOutcomeMeasureSystem,
       "ons4-life-satisfaction", true},
      {"ons4-worthwhile", "ONS4 worthwhile (0 to 10)", kOutcomeMeasureSystem, "ons4-worthwhile",
       true},
      {"ons4-happiness", "ONS4 happiness (0 to 10)", kOutcomeMeasureSystem, "ons4-happiness", true},
      {"ons4-anxiety", "ONS4 anxiety (0 to 10, lower is better)", kOutcomeMeasureSystem,
       "ons4-anxiety", false},
  };
  return kInstruments;
}

}  // namespace sp::reports
