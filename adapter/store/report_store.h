// What the impact report reads from the stored resources, and the interface that reads it.
//
// The figures are never kept anywhere: every report reads the current resources (through the
// search index rows written with them) and the Task version history, in one consistent
// snapshot, and reports/ turns these facts into figures. Data only, apart from ReportStore.
//
// ReportStore::read may throw fhir::FhirError: kUnavailable when the database cannot be
// reached, kInternal for a database error (the detail is logged, never returned).
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sp::store {

// A postcode sector ("NE99 4") or district ("NE98") and the place it stands for.
struct PostcodePlace {
  std::string prefix;  // upper case, one space between outward code and sector digit
};

// An outcome measure instrument: Observations whose code has this system and code.
struct ScoreCode {
  std::string system;
  std::string code;
};

struct ReportQuery {
  // Referrals (ServiceRequests with a referral route) authored in [fromMillis, toMillis).
  std::int64_t fromMillis = 0;
  std::int64_t toMillis = 0;
  // A referral's place is the first of these that its person's postcode falls in (sector
  // before district); ReferralFact::place is its index.
  std::vector<PostcodePlace> places;
  // Scores of these instruments for the people referred, effective at or after scoresFromMillis.
  std::vector<ScoreCode> instruments;
  std::int64_t scoresFromMillis = 0;
};

// One Task that acts on a referral (its focus).
struct TaskFact {
  std::string status;           // Task.status
  bool handover = false;        // Task.code is warm-handover
  bool handedOver = false;      // businessStatus handed-over
  std::string rejectionReason;  // for a rejected Task: no-capacity, not-eligible,
                                // declined-by-person (statusReason first, then businessStatus)
                                // or "other"; empty otherwise
};

// One referral authored in the period.
struct ReferralFact {
  std::string id;                // ServiceRequest id
  std::int64_t authoredMillis = 0;
  std::string person;            // "Patient/<id>", or "<system>|<value>" for a logical reference
  std::string route;             // referral-route code
  std::vector<std::string> cohorts;  // priority-cohort codes in reasonCode, sorted
  bool basedOnReferral = false;  // basedOn another ServiceRequest (onward, or re-access)
  std::string service;           // id of the performing HealthcareService, or ""
  int place = -1;                // index into ReportQuery::places, -1 when unknown
  bool referredBefore = false;   // the person has a referral authored before the period
  std::vector<TaskFact> tasks;
  // Milliseconds from authoredOn to the first version of a fulfilling Task (not a warm
  // handover) in accepted, in-progress, on-hold, completed or failed; and to the first version
  // of any of its Tasks with businessStatus first-contact-made, plan-agreed, attending or
  // discharged. Absent when that never happened.
  std::optional<std::int64_t> toAcceptanceMillis;
  std::optional<std::int64_t> toFirstContactMillis;
};

// One outcome measure score of a person referred in the period.
struct ScoreFact {
  std::string person;  // as ReferralFact::person
  int instrument = 0;  // index into ReportQuery::instruments
  std::int64_t effectiveMillis = 0;
  double value = 0;
};

// One HealthcareService of the directory, as it is now.
struct ServiceFact {
  std::string id;
  std::string name;
  bool active = true;
  std::optional<std::int64_t> total;  // capacity extension: places in total
  std::optional<std::int64_t> free;   // places free now
  std::string capacityStatus;         // capacity-status code, or ""
  std::string lastReviewed;           // last-reviewed date as written (YYYY[-MM[-DD]]), or ""
};

struct ReportData {
  std::vector<ReferralFact> referrals;  // ordered by authoredMillis, then id
  std::vector<ScoreFact> scores;
  std::vector<ServiceFact> services;  // ordered by id
};

class ReportStore {
 public:
  virtual ~ReportStore() = default;
  // Reads everything in one read-only snapshot.
  virtual ReportData read(const ReportQuery& query) = 0;
};

}  // namespace sp::store
