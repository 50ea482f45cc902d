// The impact report: what each figure means, computed from the facts the store reads
// (store/report_store.h). The definitions are written out in docs/reports.md; in short:
//
// - A referral is a ServiceRequest with a referral route whose authoredOn falls in the period
//   (UK days). Its person is its subject; its place is the person's postcode locality.
// - Its outcome comes from the Tasks that act on it (focus), the first that applies of:
//   completed (a Task completed, other than by handing the person over), failed, in progress
//   (accepted, in-progress, on-hold, or completed by a warm handover), waiting (draft,
//   requested, received, ready), rejected, cancelled, no Task. Tasks entered in error are left
//   out.
// - Accepted: a fulfilling Task was ever accepted. Time to acceptance and to first contact run
//   from authoredOn; their median and 90th percentile use stats.h's percentile().
// - Refused for no capacity: a Task of the referral was rejected for no capacity, whatever
//   happened next.
// - A re-referral is a referral (not onward, not re-access) of a person referred before.
//
// Pure: no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fhir/ids.h"
#include "reports/localities.h"
#include "reports/period.h"
#include "reports/vocabulary.h"
#include "store/report_store.h"

namespace sp::reports {

// Which referrals the figures count; empty fields do not filter.
struct ImpactFilter {
  std::string locality;  // a locality name, or "unknown"
  std::string area;      // rural, urban or unknown
  std::string route;     // referral-route code, or "none"
  std::string cohort;    // priority-cohort code, or "none"
  std::string service;   // HealthcareService id, or "none"
  bool any() const {
    return !locality.empty() || !area.empty() || !route.empty() || !cohort.empty() ||
           !service.empty();
  }
};

enum class Outcome { kCompleted, kFailed, kInProgress, kWaiting, kRejected, kCancelled, kNoTask };
const char* outcomeCode(Outcome outcome);   // completed, failed, in-progress, waiting, ...
const char* outcomeLabel(Outcome outcome);  // Completed, Failed, In progress, ...
const std::vector<Outcome>& allOutcomes();

Outcome outcomeOf(const std::vector<store::TaskFact>& tasks);
// The reason a rejected referral gives (the first, in rejectionReasons() order, of its rejected
// Tasks), or "" when none of its Tasks is rejected.
std::string rejectionReasonOf(const std::vector<store::TaskFact>& tasks);
bool refusedForNoCapacity(const std::vector<store::TaskFact>& tasks);

struct Durations {
  std::int64_t count = 0;  // referrals with a time
  std::optional<double> medianDays;
  std::optional<double> p90Days;
};

struct Figures {
  std::int64_t referrals = 0;
  std::int64_t people = 0;  // distinct persons
  std::int64_t onward = 0;  // basedOn an earlier referral, not re-access
  std::int64_t reReferrals = 0;
  std::int64_t reAccess = 0;  // route re-access
  std::int64_t accepted = 0;  // ever accepted
  std::int64_t refusedNoCapacity = 0;
  std::map<Outcome, std::int64_t> outcomes;        // every Outcome, zeros included
  std::map<std::string, std::int64_t> rejectedBy;  // every rejection reason, zeros included
  Durations toAcceptance;
  Durations toFirstContact;
  std::int64_t outcome(Outcome o) const;
  std::int64_t rejected() const { return outcome(Outcome::kRejected); }
  // accepted / (accepted + rejected); completed / (completed + failed).
  std::optional<double> acceptanceRate() const;
  std::optional<double> completionRate() const;
};

struct Group {
  std::string key;    // code, locality name, area or service id ("none"/"unknown" when missing)
  std::string label;  // for people
  Figures figures;
};

struct Breakdown {
  std::string name;   // route, cohort, locality, area, service
  std::string title;  // "By route"
  std::vector<Group> groups;
};

struct MeasureChange {
  Instrument instrument;
  std::int64_t people = 0;  // with a score before and a later one after
  std::optional<double> meanBefore;
  std::optional<double> meanAfter;
  std::optional<double> meanChange;  // after - before
  std::int64_t improved = 0;         // moved in the better direction
  std::int64_t unchanged = 0;
  std::int64_t worse = 0;
};

struct ServiceCapacity {
  std::string id;
  std::string name;
  bool active = true;
  std::optional<std::int64_t> total;
  std::optional<std::int64_t> free;
  std::optional<std::int64_t> inUse;  // total - free
  std::string status;                 // capacity-status code
  std::string lastReviewed;           // as written, "" when never
  bool stale = false;                 // not reviewed since staleBefore
  std::optional<std::string> tier;    // governance-tier code; absent: not yet assured
  // What the entry lacks of the hub's details (docs/reports.md): no capacity (or one without
  // total or free places), no governance tier, no review date.
  bool capacityUnknown = false;
  bool notYetAssured = false;
  bool neverReviewed = false;
  std::int64_t referrals = 0;  // referrals to it counted in this report
  std::int64_t refusals = 0;   // requests refused for want of a place in the period
};

struct ImpactReport {
  ReportPeriod period;
  ImpactFilter filter;
  std::string generatedAt;  // FHIR instant
  Date asAt;                // today (UK), for capacity and freshness
  Date staleBefore;         // six months before asAt
  Figures summary;
  std::vector<Breakdown> breakdowns;         // route, cohort, locality, area, service
  std::vector<std::int64_t> acceptanceDays;  // counts per dayBuckets()
  std::vector<std::int64_t> firstContactDays;
  std::vector<MeasureChange> outcomeMeasures;  // every instrument, in instruments() order
  std::vector<ServiceCapacity> capacity;       // ordered by name
  std::int64_t activeServices = 0;
  std::int64_t staleServices = 0;  // active and not reviewed since staleBefore
  // Active entries held without the hub's details: capacity unknown, not yet assured (no
  // governance tier), never reviewed (counted in staleServices too), and those lacking any of
  // the three (the entries tagged directory-unassured).
  std::int64_t capacityUnknown = 0;
  std::int64_t notYetAssured = 0;
  std::int64_t neverReviewed = 0;
  std::int64_t incompleteServices = 0;
  std::int64_t placesTotal = 0;  // over active services with a capacity
  std::int64_t placesFree = 0;
  // Requests refused at once for want of a place, made in the period (a referral to a full
  // service, or a Task accepted or made for one): at the services shown in `capacity`, and
  // under a filter on the referrals, only those about a referral counted.
  std::int64_t refusals = 0;
  const Breakdown* breakdown(const std::string& name) const;
};

// The figures of a Figures as a flat list, in the order every rendering shows them, named as
// in the Parameters and CSV answers (referrals, people, ..., time-to-acceptance-median).
enum class MeasureKind { kCount, kPercent, kDays };
struct Measure {
  std::string name;
  std::string label;
  std::optional<double> value;  // absent when it cannot be computed (no referrals, no times)
  MeasureKind kind = MeasureKind::kCount;
};
std::vector<Measure> measuresOf(const Figures& figures);

// How many days before a person's first referral in the period a score still counts as
// "before".
inline constexpr int kBaselineWindowDays = 90;
// Months after which a directory entry counts as not reviewed.
inline constexpr int kStaleAfterMonths = 6;

// What to ask the store for a period.
store::ReportQuery reportQuery(const ReportPeriod& period);

ImpactReport buildImpactReport(const store::ReportData& data, const ReportPeriod& period,
                               const ImpactFilter& filter, const LocalityTable& places,
                               fhir::TimePoint now);

// The place of a referral as the report names it: the locality and area its person's postcode
// falls in (LocalityTable::indexOf), or "unknown".
std::string localityOf(const store::ReferralFact& referral, const LocalityTable& places);
std::string areaOf(const store::ReferralFact& referral, const LocalityTable& places);

}  // namespace sp::reports
