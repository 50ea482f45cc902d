#include "reports/impact.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "reports/stats.h"
#include "util/string_index.h"

namespace sp::reports {
namespace {

using util::StringIndex;

constexpr double kDayMillis = 86400000.0;
constexpr std::int64_t kDayMillisInt = 86400000;

// The position in rejectionReasons() of the reason a referral's Tasks give for a rejection
// (see rejectionReasonOf), or -1 when none of them is rejected.
int rejectionReasonIndex(const std::vector<store::TaskFact>& tasks) {
  const auto& reasons = rejectionReasons();
  int found = -1;
  for (const auto& t : tasks) {
    if (t.status != "rejected") continue;
    const std::string_view reason =
        t.rejectionReason.empty() ? std::string_view("other") : std::string_view(t.rejectionReason);
    int r = static_cast<int>(reasons.size()) - 1;  // "other" for anything unknown
    for (std::size_t i = 0; i < reasons.size(); ++i) {
      if (reasons[i].code == reason) r = static_cast<int>(i);
    }
    if (found < 0 || r < found) found = r;
  }
  return found;
}

// One referral with what the report derives from it.
struct Derived {
  const store::ReferralFact* fact = nullptr;
  int person = -1;  // interned person, -1 when unknown
  bool onward = false;
  bool reAccess = false;  // route re-access
  Outcome outcome = Outcome::kNoTask;
  int reason = -1;  // index into rejectionReasons() when rejected
  bool refused = false;
  bool reReferral = false;
  int place = -1;  // index into the locality table, -1 when unknown
  std::optional<double> acceptDays;
  std::optional<double> contactDays;
};

constexpr std::size_t kOutcomes = 7;
constexpr std::size_t kReasons = 4;

class Accumulator {
 public:
  void add(const Derived& d) {
    ++referrals_;
    if (d.person >= 0) {
      // A bit per interned person: counting distinct people needs no sort.
      const auto word = static_cast<std::size_t>(d.person) / 64;
      if (word >= seen_.size()) seen_.resize(word + 1, 0);
      const std::uint64_t bit = std::uint64_t{1} << (d.person % 64);
      if (!(seen_[word] & bit)) {
        seen_[word] |= bit;
        ++people_;
      }
    }
    if (d.onward) ++onward_;
    if (d.reReferral) ++reReferrals_;
    if (d.reAccess) ++reAccess_;
    if (d.acceptDays) accept_.push_back(*d.acceptDays);
    if (d.contactDays) contact_.push_back(*d.contactDays);
    if (d.refused) ++refused_;
    ++outcomes_[static_cast<std::size_t>(d.outcome)];
    if (d.outcome == Outcome::kRejected && d.reason >= 0) ++reasons_[d.reason];
  }

  Figures finish() {
    Figures f;
    f.referrals = referrals_;
    f.people = people_;
    f.onward = onward_;
    f.reReferrals = reReferrals_;
    f.reAccess = reAccess_;
    f.accepted = static_cast<std::int64_t>(accept_.size());
    f.refusedNoCapacity = refused_;
    for (Outcome o : allOutcomes()) f.outcomes[o] = outcomes_[static_cast<std::size_t>(o)];
    const auto& reasons = rejectionReasons();
    for (std::size_t i = 0; i < reasons.size() && i < kReasons; ++i) {
      f.rejectedBy[reasons[i].code] = reasons_[i];
    }
    f.toAcceptance = durations(accept_);
    f.toFirstContact = durations(contact_);
    return f;
  }

 private:
  static Durations durations(std::vector<double>& days) {
    Durations d;
    d.count = static_cast<std::int64_t>(days.size());
    d.medianDays = percentileInPlace(days, 0.5);
    d.p90Days = percentileInPlace(days, 0.9);
    return d;
  }

  std::int64_t referrals_ = 0, onward_ = 0, reReferrals_ = 0, reAccess_ = 0, refused_ = 0;
  std::array<std::int64_t, kOutcomes> outcomes_{};
  std::array<std::int64_t, kReasons> reasons_{};
  std::int64_t people_ = 0;
  std::vector<std::uint64_t> seen_;  // bit set of the interned people counted
  std::vector<double> accept_;
  std::vector<double> contact_;
};

// Accumulators by key, remembering the order keys were declared in.
class Grouped {
 public:
  void declare(const std::string& key, const std::string& label) {
    if (index_.count(key)) return;
    index_[key] = groups_.size();
    groups_.push_back({key, label, {}});
  }
  // The position of a key's group, declared when first seen (`label` is asked for then only).
  template <typename Label>
  std::size_t slot(const std::string& key, Label label) {
    auto it = index_.find(key);
    if (it == index_.end()) {
      declare(key, label());
      it = index_.find(key);
    }
    return it->second;
  }
  template <typename Label>
  void add(const std::string& key, const Derived& d, Label label) {
    add(slot(key, label), d);
  }
  void add(std::size_t slot, const Derived& d) { groups_[slot].acc.add(d); }
  Breakdown finish(const std::string& name, const std::string& title, bool dropEmpty) {
    Breakdown b{name, title, {}};
    for (auto& g : groups_) {
      Figures f = g.acc.finish();
      if (dropEmpty && f.referrals == 0) continue;
      b.groups.push_back({g.key, g.label, std::move(f)});
    }
    return b;
  }

 private:
  struct Entry {
    std::string key;
    std::string label;
    Accumulator acc;
  };
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<Entry> groups_;
};

std::optional<double> days(const std::optional<std::int64_t>& millis) {
  if (!millis) return std::nullopt;
  return std::max<std::int64_t>(0, *millis) / kDayMillis;
}

const std::string& placeName(int place, const LocalityTable& places, bool area) {
  static const std::string kUnknown = kUnknownPlace;
  if (place < 0 || static_cast<std::size_t>(place) >= places.entries().size()) return kUnknown;
  const auto& e = places.entries()[place];
  return area ? e.area : e.locality;
}

bool matches(const Derived& d, const ImpactFilter& f, const LocalityTable& places) {
  const store::ReferralFact& r = *d.fact;
  if (!f.locality.empty() && placeName(d.place, places, false) != f.locality) return false;
  if (!f.area.empty() && placeName(d.place, places, true) != f.area) return false;
  if (!f.route.empty() && (r.route.empty() ? "none" : r.route) != f.route) return false;
  if (!f.service.empty() && (r.service.empty() ? "none" : r.service) != f.service) return false;
  if (!f.cohort.empty()) {
    if (f.cohort == "none") return r.cohorts.empty();
    if (std::find(r.cohorts.begin(), r.cohorts.end(), f.cohort) == r.cohorts.end()) return false;
  }
  return true;
}

// A date as written in FHIR (YYYY, YYYY-MM or YYYY-MM-DD), read as the last day it may mean.
std::string latestDay(const std::string& written) {
  if (written.size() == 4) return written + "-12-31";
  if (written.size() == 7) return written + "-31";
  return written.substr(0, 10);
}

// `personIndex`: the interned people of the period's referrals (Derived::person).
std::vector<MeasureChange> measureChanges(const store::ReportData& data,
                                          const std::vector<const Derived*>& counted,
                                          const StringIndex& personIndex) {
  // Each person's first referral counted.
  constexpr std::int64_t kNotCounted = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> since(personIndex.size(), kNotCounted);
  for (const Derived* d : counted) {
    if (d->person >= 0) since[d->person] = std::min(since[d->person], d->fact->authoredMillis);
  }
  struct Score {
    std::int64_t at;
    double value;
  };
  struct Series {
    int instrument;
    std::vector<Score> scores;  // in the order read, until sorted
  };
  const auto& all = instruments();
  const std::size_t count = all.size();
  std::vector<int> seriesOf(personIndex.size() * count, -1);  // person * count + instrument
  std::vector<Series> series;
  for (const auto& s : data.scores) {
    if (s.instrument < 0 || static_cast<std::size_t>(s.instrument) >= count) continue;
    const int person = personIndex.find(s.person);
    if (person < 0) continue;
    const std::int64_t first = since[person];
    if (first == kNotCounted) continue;
    if (s.effectiveMillis < first - kBaselineWindowDays * kDayMillisInt) continue;
    int& slot = seriesOf[person * count + s.instrument];
    if (slot < 0) {
      slot = static_cast<int>(series.size());
      series.push_back({s.instrument, {}});
    }
    series[slot].scores.push_back({s.effectiveMillis, s.value});
  }
  std::vector<MeasureChange> out;
  for (std::size_t i = 0; i < count; ++i) {
    MeasureChange m;
    m.instrument = all[i];
    double before = 0, after = 0;
    for (auto& [instrument, scores] : series) {
      if (instrument != static_cast<int>(i)) continue;
      std::stable_sort(scores.begin(), scores.end(),
                       [](const Score& a, const Score& b) { return a.at < b.at; });
      if (scores.size() < 2 || scores.back().at == scores.front().at) continue;
      const double first = scores.front().value;
      const double last = scores.back().value;
      ++m.people;
      before += first;
      after += last;
      const double change = last - first;
      if (change == 0) {
        ++m.unchanged;
      } else if ((change > 0) == m.instrument.higherIsBetter) {
        ++m.improved;
      } else {
        ++m.worse;
      }
    }
    if (m.people > 0) {
      const double n = static_cast<double>(m.people);
      m.meanBefore = before / n;
      m.meanAfter = after / n;
      m.meanChange = (after - before) / n;
    }
    out.push_back(std::move(m));
  }
  return out;
}

// Refusals for want of a place made in the period, by service. Under a filter on the referrals
// (not only on the service), only those about a referral counted.
std::map<std::string, std::int64_t> refusalsInPeriod(const std::vector<store::CapacityRefusal>& all,
                                                     const ReportPeriod& period,
                                                     const ImpactFilter& filter,
                                                     const std::vector<const Derived*>& counted) {
  const bool onReferrals = !filter.locality.empty() || !filter.area.empty() ||
                           !filter.route.empty() || !filter.cohort.empty();
  std::unordered_set<std::string> countedIds;
  if (onReferrals) {
    for (const Derived* d : counted) countedIds.insert(d->fact->id);
  }
  std::map<std::string, std::int64_t> byService;
  for (const auto& f : all) {
    if (f.atMillis < period.fromMillis || f.atMillis >= period.toMillis) continue;
    if (onReferrals && !countedIds.count(f.referralId)) continue;
    ++byService[f.serviceId];
  }
  return byService;
}

}  // namespace

const char* outcomeCode(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCompleted:
      return "completed";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kInProgress:
      return "in-progress";
    case Outcome::kWaiting:
      return "waiting";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kCancelled:
      return "cancelled";
    case Outcome::kNoTask:
      return "no-task";
  }
  return "no-task";
}

const char* outcomeLabel(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCompleted:
      return "Completed";
    case Outcome::kFailed:
      return "Failed";
    case Outcome::kInProgress:
      return "In progress";
    case Outcome::kWaiting:
      return "Waiting for an answer";
    case Outcome::kRejected:
      return "Rejected";
    case Outcome::kCancelled:
      return "Cancelled";
    case Outcome::kNoTask:
      return "No Task";
  }
  return "No Task";
}

const std::vector<Outcome>& allOutcomes() {
  static const std::vector<Outcome> kAll = {
      Outcome::kCompleted, Outcome::kFailed,    Outcome::kInProgress, Outcome::kWaiting,
      Outcome::kRejected,  Outcome::kCancelled, Outcome::kNoTask};
  return kAll;
}

Outcome outcomeOf(const std::vector<store::TaskFact>& tasks) {
  // Which outcomes any Task points to; entered in error (and unknown statuses) to none.
  bool completed = false, failed = false, inProgress = false, waiting = false, rejected = false,
       cancelled = false;
  for (const auto& t : tasks) {
    const std::string& s = t.status;
    if (s == "completed") {
      (t.handedOver ? inProgress : completed) = true;
    } else if (s == "failed") {
      failed = true;
    } else if (s == "accepted" || s == "in-progress" || s == "on-hold") {
      inProgress = true;
    } else if (s == "draft" || s == "requested" || s == "received" || s == "ready") {
      waiting = true;
    } else if (s == "rejected") {
      rejected = true;
    } else if (s == "cancelled") {
      cancelled = true;
    }
  }
  if (completed) return Outcome::kCompleted;
  if (failed) return Outcome::kFailed;
  if (inProgress) return Outcome::kInProgress;
  if (waiting) return Outcome::kWaiting;
  if (rejected) return Outcome::kRejected;
  if (cancelled) return Outcome::kCancelled;
  return Outcome::kNoTask;
}

std::string rejectionReasonOf(const std::vector<store::TaskFact>& tasks) {
  const int r = rejectionReasonIndex(tasks);
  return r < 0 ? std::string() : rejectionReasons()[r].code;
}

bool refusedForNoCapacity(const std::vector<store::TaskFact>& tasks) {
  return std::any_of(tasks.begin(), tasks.end(), [](const store::TaskFact& t) {
    return t.status == "rejected" && t.rejectionReason == "no-capacity";
  });
}

std::int64_t Figures::outcome(Outcome o) const {
  const auto it = outcomes.find(o);
  return it == outcomes.end() ? 0 : it->second;
}

std::optional<double> Figures::acceptanceRate() const {
  return percentage(accepted, accepted + rejected());
}

std::optional<double> Figures::completionRate() const {
  const std::int64_t done = outcome(Outcome::kCompleted);
  return percentage(done, done + outcome(Outcome::kFailed));
}

std::vector<Measure> measuresOf(const Figures& f) {
  const auto count = [](std::int64_t n) { return std::optional<double>(static_cast<double>(n)); };
  std::vector<Measure> m = {
      {"referrals", "Referrals", count(f.referrals)},
      {"people", "People referred", count(f.people)},
      {"onward-referrals", "Onward referrals", count(f.onward)},
      {"re-referrals", "Re-referrals", count(f.reReferrals)},
      {"re-access", "Re-access after discharge", count(f.reAccess)},
      {"accepted", "Accepted", count(f.accepted)},
      {"rejected", "Rejected", count(f.rejected())},
  };
  for (const Term& t : rejectionReasons()) {
    const auto it = f.rejectedBy.find(t.code);
    m.push_back({"rejected-" + t.code, "Rejected: " + t.label,
                 count(it == f.rejectedBy.end() ? 0 : it->second)});
  }
  m.push_back({"refused-no-capacity", "Refused for lack of capacity", count(f.refusedNoCapacity)});
  for (Outcome o : allOutcomes()) {
    if (o == Outcome::kRejected) continue;
    m.push_back({std::string("outcome-") + outcomeCode(o), outcomeLabel(o), count(f.outcome(o))});
  }
  m.push_back({"acceptance-rate", "Acceptance rate", f.acceptanceRate(), MeasureKind::kPercent});
  m.push_back({"completion-rate", "Completion rate", f.completionRate(), MeasureKind::kPercent});
  m.push_back({"time-to-acceptance-median", "Days to acceptance, median", f.toAcceptance.medianDays,
               MeasureKind::kDays});
  m.push_back({"time-to-acceptance-p90", "Days to acceptance, 90th percentile",
               f.toAcceptance.p90Days, MeasureKind::kDays});
  m.push_back({"time-to-first-contact-median", "Days to first contact, median",
               f.toFirstContact.medianDays, MeasureKind::kDays});
  m.push_back({"time-to-first-contact-p90", "Days to first contact, 90th percentile",
               f.toFirstContact.p90Days, MeasureKind::kDays});
  m.push_back({"first-contacts", "With a first contact", count(f.toFirstContact.count)});
  return m;
}

const Breakdown* ImpactReport::breakdown(const std::string& name) const {
  for (const auto& b : breakdowns) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::string localityOf(const store::ReferralFact& r, const LocalityTable& places) {
  const int i = places.indexOf(r.postcode);
  return i < 0 ? kUnknownPlace : places.entries()[i].locality;
}

std::string areaOf(const store::ReferralFact& r, const LocalityTable& places) {
  const int i = places.indexOf(r.postcode);
  return i < 0 ? kUnknownPlace : places.entries()[i].area;
}

store::ReportQuery reportQuery(const ReportPeriod& period) {
  store::ReportQuery q;
  q.fromMillis = period.fromMillis;
  q.toMillis = period.toMillis;
  for (const auto& i : instruments()) q.instruments.push_back({i.system, i.code});
  q.scoresFromMillis = period.fromMillis - kBaselineWindowDays * kDayMillisInt;
  for (const Term& t : priorityCohorts()) q.cohorts.push_back(t.code);
  q.taskStatuses = {"draft",    "requested", "received",  "accepted",
                    "rejected", "ready",     "cancelled", "in-progress",
                    "on-hold",  "failed",    "completed", "entered-in-error"};
  for (const Term& t : rejectionReasons()) {
    if (t.code != "other") q.rejectionReasons.push_back(t.code);
  }
  return q;
}

ImpactReport buildImpactReport(const store::ReportData& data, const ReportPeriod& period,
                               const ImpactFilter& filter, const LocalityTable& places,
                               fhir::TimePoint now) {
  ImpactReport report;
  report.period = period;
  report.filter = filter;
  report.generatedAt = fhir::formatInstant(now);
  report.asAt = ukDateAt(now);
  report.staleBefore = addMonths(report.asAt, -kStaleAfterMonths);

  // Every referral of the period, filtered or not, tells whether a person was referred before.
  StringIndex personIndex(data.referrals.size());
  StringIndex postcodes(data.referrals.size());
  std::vector<int> placeOf;  // by postcode number: index into the locality table, or -1
  std::vector<std::pair<std::int64_t, const std::string*>> firstOf;  // per person
  std::vector<Derived> all;
  all.reserve(data.referrals.size());
  // A referral refused at the door (its Task could not be accepted for want of a place) counts
  // as refused for lack of capacity like one whose Task was rejected for it.
  std::unordered_set<std::string> refusedReferrals;
  for (const auto& f : data.refusals) {
    if (!f.referralId.empty()) refusedReferrals.insert(f.referralId);
  }
  for (const auto& r : data.referrals) {
    Derived d;
    d.fact = &r;
    if (!r.person.empty()) {
      const auto [person, added] = personIndex.add(r.person);
      if (added) firstOf.push_back({r.authoredMillis, &r.id});
      d.person = person;
      auto& first = firstOf[d.person];
      if (r.authoredMillis < first.first ||
          (r.authoredMillis == first.first && r.id < *first.second)) {
        first = {r.authoredMillis, &r.id};
      }
    }
    // basedOn an earlier referral: onward, unless it is the person coming back (re-access).
    d.reAccess = r.route == "re-access";
    d.onward = r.basedOnReferral && !d.reAccess;
    d.outcome = outcomeOf(r.tasks);
    d.reason = rejectionReasonIndex(r.tasks);
    d.refused = refusedForNoCapacity(r.tasks) ||
                (!refusedReferrals.empty() && refusedReferrals.count(r.id) > 0);
    const auto [postcode, added] = postcodes.add(r.postcode);
    if (added) placeOf.push_back(places.indexOf(r.postcode));
    d.place = placeOf[postcode];
    d.acceptDays = days(r.toAcceptanceMillis);
    d.contactDays = days(r.toFirstContactMillis);
    all.push_back(d);
  }
  for (Derived& d : all) {
    const auto& r = *d.fact;
    if (d.onward || d.reAccess || d.person < 0) continue;
    d.reReferral = r.referredBefore || firstOf[d.person].second != &r.id;
  }

  std::vector<const Derived*> counted;
  for (const Derived& d : all) {
    if (matches(d, filter, places)) counted.push_back(&d);
  }

  std::map<std::string, std::string> serviceNames;
  for (const auto& s : data.services) serviceNames[s.id] = s.name.empty() ? s.id : s.name;

  Accumulator summary;
  Grouped byRoute, byCohort, byLocality, byArea, byService;
  for (const Term& t : referralRoutes()) byRoute.declare(t.code, t.label);
  for (const Term& t : priorityCohorts()) byCohort.declare(t.code, t.label);
  for (const auto& l : places.localities()) byLocality.declare(l, l);
  byArea.declare("rural", "Rural");
  byArea.declare("urban", "Urban");
  report.acceptanceDays.assign(dayBuckets().size(), 0);
  report.firstContactDays.assign(dayBuckets().size(), 0);
  static const std::string kNone = "none";
  // The groups of each place (index in the locality table, the last for unknown), found once.
  const std::size_t unknownPlace = places.entries().size();
  constexpr std::size_t kNoSlot = static_cast<std::size_t>(-1);
  std::vector<std::size_t> localitySlot(unknownPlace + 1, kNoSlot);
  std::vector<std::size_t> areaSlot(unknownPlace + 1, kNoSlot);
  for (const Derived* dp : counted) {
    const Derived& d = *dp;
    const auto& r = *d.fact;
    summary.add(d);
    const std::string& route = r.route.empty() ? kNone : r.route;
    byRoute.add(route, d, [&] { return routeLabel(route); });
    if (r.cohorts.empty()) byCohort.add(kNone, d, [] { return cohortLabel("none"); });
    for (const auto& c : r.cohorts) byCohort.add(c, d, [&] { return cohortLabel(c); });
    const std::size_t place = d.place < 0 ? unknownPlace : static_cast<std::size_t>(d.place);
    if (localitySlot[place] == kNoSlot) {
      const std::string& locality = placeName(d.place, places, false);
      localitySlot[place] = byLocality.slot(locality, [&] {
        return locality == kUnknownPlace ? std::string("Not known") : locality;
      });
      const std::string& area = placeName(d.place, places, true);
      areaSlot[place] = byArea.slot(area, [&] {
        return area == kUnknownPlace ? std::string("Not known")
               : area == "rural"     ? "Rural"
                                     : "Urban";
      });
    }
    byLocality.add(localitySlot[place], d);
    byArea.add(areaSlot[place], d);
    const std::string& service = r.service.empty() ? kNone : r.service;
    byService.add(service, d, [&] {
      if (service == kNone) return std::string("No directory service");
      const auto name = serviceNames.find(service);
      return name != serviceNames.end() ? name->second : service;
    });
    if (d.acceptDays) ++report.acceptanceDays[dayBucketOf(*d.acceptDays)];
    if (d.contactDays) ++report.firstContactDays[dayBucketOf(*d.contactDays)];
  }
  report.summary = summary.finish();
  report.breakdowns.push_back(byRoute.finish("route", "By route", false));
  report.breakdowns.push_back(byCohort.finish("cohort", "By priority cohort", false));
  report.breakdowns.push_back(byLocality.finish("locality", "By locality", false));
  report.breakdowns.push_back(byArea.finish("area", "Rural and urban", false));
  Breakdown services = byService.finish("service", "By service", true);
  std::map<std::string, std::int64_t> referralsByService;
  for (const Group& g : services.groups) referralsByService[g.key] = g.figures.referrals;
  std::stable_sort(services.groups.begin(), services.groups.end(),
                   [](const Group& a, const Group& b) {
                     return a.figures.referrals != b.figures.referrals
                                ? a.figures.referrals > b.figures.referrals
                                : a.label < b.label;
                   });
  report.breakdowns.push_back(std::move(services));

  report.outcomeMeasures = measureChanges(data, counted, personIndex);

  const std::map<std::string, std::int64_t> refusalsByService =
      refusalsInPeriod(data.refusals, period, filter, counted);

  const std::string staleBefore = formatDate(report.staleBefore);
  for (const auto& s : data.services) {
    if (!filter.service.empty() && s.id != filter.service) continue;
    ServiceCapacity c;
    c.id = s.id;
    c.name = s.name.empty() ? s.id : s.name;
    c.active = s.active;
    c.total = s.total;
    c.free = s.free;
    if (s.total && s.free) c.inUse = std::max<std::int64_t>(0, *s.total - *s.free);
    c.status = s.capacityStatus;
    c.lastReviewed = s.lastReviewed;
    c.stale = s.lastReviewed.empty() || latestDay(s.lastReviewed) < staleBefore;
    c.tier = s.governanceTier;
    c.capacityUnknown = !s.total || !s.free;
    c.notYetAssured = !s.governanceTier;
    c.neverReviewed = s.lastReviewed.empty();
    const auto n = referralsByService.find(s.id);
    c.referrals = n == referralsByService.end() ? 0 : n->second;
    const auto refused = refusalsByService.find(s.id);
    c.refusals = refused == refusalsByService.end() ? 0 : refused->second;
    report.refusals += c.refusals;
    if (c.active) {
      ++report.activeServices;
      if (c.stale) ++report.staleServices;
      if (c.capacityUnknown) ++report.capacityUnknown;
      if (c.notYetAssured) ++report.notYetAssured;
      if (c.neverReviewed) ++report.neverReviewed;
      if (c.capacityUnknown || c.notYetAssured || c.neverReviewed) ++report.incompleteServices;
      if (c.total && c.free) {
        report.placesTotal += *c.total;
        report.placesFree += std::min(*c.free, *c.total);
      }
    }
    report.capacity.push_back(std::move(c));
  }
  std::stable_sort(report.capacity.begin(), report.capacity.end(),
                   [](const ServiceCapacity& a, const ServiceCapacity& b) {
                     return a.name != b.name ? a.name < b.name : a.id < b.id;
                   });
  return report;
}

}  // namespace sp::reports
