// What the impact report reads from the stored resources, and the interface that reads it.
//
// The figures are never kept anywhere: every report reads the current resources (through the
// search index rows written with them), the Task version history and the refusals for want of
// a place (whose refused writes are not stored), in one consistent snapshot, and reports/ turns
// these facts into figures. Data only, apart from ReportStore.
//
// ReportStore::read may throw fhir::FhirError: kUnavailable when the database cannot be
// reached or the report runs past its time limit, kInternal for a database error (the detail is
// logged, never returned).
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/resource_store.h"

namespace sp::store {

// An outcome measure instrument: Observations whose code has this system and code.
struct ScoreCode {
  std::string system;
  std::string code;
};

struct ReportQuery {
  // Referrals (ServiceRequests with a referral route) authored in [fromMillis, toMillis).
  std::int64_t fromMillis = 0;
  std::int64_t toMillis = 0;
  // Scores of these instruments for the people referred, effective at or after scoresFromMillis.
  std::vector<ScoreCode> instruments;
  std::int64_t scoresFromMillis = 0;
  // The codes the facts are reported in: priority cohorts (at most 62; others in reasonCode
  // are not reported), Task statuses (at most 20), and rejection reasons (at most 10;
  // statusReason or businessStatus codes in task-business-status; a rejection with none of
  // them is "other").
  std::vector<std::string> cohorts;
  std::vector<std::string> taskStatuses;
  std::vector<std::string> rejectionReasons;
};

// A state one or more of a referral's Tasks (those whose focus it is) are in.
struct TaskFact {
  std::string status;           // Task.status
  bool handedOver = false;      // completed with businessStatus handed-over (a warm handover)
  std::string rejectionReason;  // for a rejected Task: a ReportQuery::rejectionReasons code
                                // (statusReason first, then businessStatus; with several, the
                                // first in that list) or "other"
};

// One referral authored in the period.
struct ReferralFact {
  std::string id;  // ServiceRequest id
  std::int64_t authoredMillis = 0;
  std::string person;  // "Patient/<id>", or "<system>|<value>" for a logical reference
  std::string route;   // referral-route code
  std::vector<std::string> cohorts;  // priority-cohort codes in reasonCode, sorted
  bool basedOnReferral = false;      // basedOn another ServiceRequest (onward, or re-access)
  std::string service;               // id of the performing HealthcareService, or ""
  std::string postcode;         // of the person's (a local Patient's) address, as written, or ""
                                // (with several addresses, the first in sort order)
  bool referredBefore = false;  // the person has a referral authored before the period
  std::vector<TaskFact> tasks;  // each distinct state once, in no particular order
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
  // The governance tier's code; absent when the entry has no tier (not yet assured), "" when
  // its tier has no code.
  std::optional<std::string> governanceTier;
};

struct ReportData {
  std::vector<ReferralFact> referrals;  // in no particular order
  std::vector<ScoreFact> scores;
  std::vector<ServiceFact> services;  // ordered by id
  // Refusals made in the period, and those about the period's referrals whenever they were
  // made; in no particular order.
  std::vector<CapacityRefusal> refusals;
};

class ReportStore {
 public:
  virtual ~ReportStore() = default;
  // Reads everything in one read-only snapshot.
  virtual ReportData read(const ReportQuery& query) = 0;
};

}  // namespace sp::store
