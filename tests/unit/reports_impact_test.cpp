// The impact report's figures from facts made by hand, whose answers are known by construction;
// and the three renderings of a report.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fhir/json.h"
#include "reports/csv.h"
#include "reports/impact.h"
#include "reports/render.h"

namespace sp::reports {
namespace {

constexpr std::int64_t kDay = 86400000;
const std::int64_t kStart = ukMidnightMillis(Date{2026, 1, 1});

store::TaskFact task(const std::string& status, const std::string& reason = "",
                     bool handedOver = false) {
  return store::TaskFact{status, handedOver, status == "rejected" ? reason : ""};
}

struct Facts {
  std::string id;
  int day = 0;  // days after 1 January 2026
  std::string person;
  std::string route = "gp";
  std::vector<std::string> cohorts = {"carers"};
  std::string service;
  int place = -1;  // 0: Alderton (rural), 1: Town Centre (urban), -1: no postcode
  std::vector<store::TaskFact> tasks;
  std::optional<double> acceptDays;
  std::optional<double> contactDays;
  bool onward = false;
  bool referredBefore = false;
};

store::ReferralFact make(const Facts& f) {
  store::ReferralFact r;
  r.id = f.id;
  r.authoredMillis = kStart + f.day * kDay;
  r.person = f.person;
  r.route = f.route;
  r.cohorts = f.cohorts;
  r.service = f.service;
  r.postcode = f.place == 0 ? "NE99 4QA" : f.place == 1 ? "ne991ab" : "";
  r.tasks = f.tasks;
  if (f.acceptDays) r.toAcceptanceMillis = static_cast<std::int64_t>(*f.acceptDays * kDay);
  if (f.contactDays) r.toFirstContactMillis = static_cast<std::int64_t>(*f.contactDays * kDay);
  r.basedOnReferral = f.onward;
  r.referredBefore = f.referredBefore;
  return r;
}

const LocalityTable& places() {
  static const LocalityTable table = LocalityTable::parse(
      "postcode,locality,area\nNE99 4,Alderton,rural\nNE99 1,Town Centre,urban\n");
  return table;
}

fhir::TimePoint at(const Date& d) {
  return fhir::TimePoint(std::chrono::milliseconds(ukMidnightMillis(d) + 12 * 3600000));
}

const ReportPeriod kQ1 = periodOf(Date{2026, 1, 1}, Date{2026, 3, 31});

ImpactReport build(const store::ReportData& data, const ImpactFilter& filter = {}) {
  return buildImpactReport(data, kQ1, filter, places(), at(Date{2026, 11, 25}));
}

const Group& group(const ImpactReport& r, const std::string& breakdown, const std::string& key) {
  const Breakdown* b = r.breakdown(breakdown);
  EXPECT_NE(b, nullptr) << breakdown;
  for (const auto& g : b->groups) {
    if (g.key == key) return g;
  }
  ADD_FAILURE() << breakdown << " has no group " << key;
  static const Group none;
  return none;
}

TEST(ReportsOutcomeTest, PrecedenceOverTheReferralsTasks) {
  using T = std::vector<store::TaskFact>;
  EXPECT_EQ(outcomeOf(T{}), Outcome::kNoTask);
  EXPECT_EQ(outcomeOf(T{task("requested")}), Outcome::kWaiting);
  EXPECT_EQ(outcomeOf(T{task("received")}), Outcome::kWaiting);
  EXPECT_EQ(outcomeOf(T{task("accepted")}), Outcome::kInProgress);
  EXPECT_EQ(outcomeOf(T{task("on-hold")}), Outcome::kInProgress);
  EXPECT_EQ(outcomeOf(T{task("completed")}), Outcome::kCompleted);
  // Completed by handing the person over: the work goes on with the handover Task.
  EXPECT_EQ(outcomeOf(T{task("completed", "", true), task("in-progress")}), Outcome::kInProgress);
  EXPECT_EQ(outcomeOf(T{task("completed", "", true), task("completed")}), Outcome::kCompleted);
  // A rejected warm handover leaves the first Task in progress.
  EXPECT_EQ(outcomeOf(T{task("in-progress"), task("rejected", "no-capacity")}),
            Outcome::kInProgress);
  // Rejected, then asked again: waiting for the new answer.
  EXPECT_EQ(outcomeOf(T{task("rejected", "no-capacity"), task("requested")}), Outcome::kWaiting);
  EXPECT_EQ(outcomeOf(T{task("failed"), task("in-progress")}), Outcome::kFailed);
  EXPECT_EQ(outcomeOf(T{task("rejected"), task("cancelled")}), Outcome::kRejected);
  EXPECT_EQ(outcomeOf(T{task("cancelled")}), Outcome::kCancelled);
  EXPECT_EQ(outcomeOf(T{task("entered-in-error")}), Outcome::kNoTask);
  EXPECT_EQ(outcomeOf(T{task("completed"), task("entered-in-error")}), Outcome::kCompleted);
}

TEST(ReportsOutcomeTest, RejectionReasons) {
  using T = std::vector<store::TaskFact>;
  EXPECT_EQ(rejectionReasonOf(T{task("completed")}), "");
  EXPECT_EQ(rejectionReasonOf(T{task("rejected", "not-eligible")}), "not-eligible");
  EXPECT_EQ(rejectionReasonOf(T{task("rejected", "")}), "other");
  EXPECT_EQ(rejectionReasonOf(T{task("rejected", "something")}), "other");
  EXPECT_EQ(
      rejectionReasonOf(T{task("rejected", "declined-by-person"), task("rejected", "no-capacity")}),
      "no-capacity");
  EXPECT_TRUE(refusedForNoCapacity(T{task("rejected", "no-capacity"), task("accepted")}));
  EXPECT_FALSE(refusedForNoCapacity(T{task("rejected", "not-eligible")}));
}

// Ten referrals accepted after 1 to 10 days, first contact a day later, five people.
store::ReportData tenReferrals() {
  store::ReportData data;
  for (int i = 1; i <= 10; ++i) {
    Facts f;
    f.id = "sr-" + std::to_string(i);
    f.day = i;
    f.person = "Patient/p" + std::to_string((i + 1) / 2);  // p1 p1 p2 p2 ... p5 p5
    f.tasks = {task(i <= 6 ? "completed" : "in-progress")};
    f.acceptDays = i;
    f.contactDays = i + 1;
    f.place = i % 2 == 0 ? 0 : 1;  // even: Alderton (rural), odd: Town Centre (urban)
    f.service = i <= 4 ? "hs-walk" : "";
    data.referrals.push_back(make(f));
  }
  return data;
}

TEST(ReportsImpactTest, SummaryOfTenReferrals) {
  const ImpactReport r = build(tenReferrals());
  const Figures& f = r.summary;
  EXPECT_EQ(f.referrals, 10);
  EXPECT_EQ(f.people, 5);
  EXPECT_EQ(f.reReferrals, 5);  // each person's second referral
  EXPECT_EQ(f.accepted, 10);
  EXPECT_EQ(f.outcome(Outcome::kCompleted), 6);
  EXPECT_EQ(f.outcome(Outcome::kInProgress), 4);
  EXPECT_EQ(f.rejected(), 0);
  EXPECT_DOUBLE_EQ(*f.toAcceptance.medianDays, 5.5);
  EXPECT_DOUBLE_EQ(*f.toAcceptance.p90Days, 9.1);
  EXPECT_DOUBLE_EQ(*f.toFirstContact.medianDays, 6.5);
  EXPECT_DOUBLE_EQ(*f.toFirstContact.p90Days, 10.1);
  EXPECT_DOUBLE_EQ(*f.acceptanceRate(), 100.0);
  EXPECT_DOUBLE_EQ(*f.completionRate(), 100.0);
  // Distribution: 1 day -> [1,2), 2 -> [2,3), 3 and 4 -> [3,5), 5 and 6 -> [5,7), 7 to 10 ->
  // [7,14).
  EXPECT_EQ(r.acceptanceDays, (std::vector<std::int64_t>{0, 1, 1, 2, 2, 4, 0, 0}));
}

TEST(ReportsImpactTest, EquityByAreaAndLocality) {
  const ImpactReport r = build(tenReferrals());
  const Group& rural = group(r, "area", "rural");  // referrals 2, 4, 6, 8, 10
  EXPECT_EQ(rural.figures.referrals, 5);
  EXPECT_DOUBLE_EQ(*rural.figures.toAcceptance.medianDays, 6);
  const Group& urban = group(r, "area", "urban");  // 1, 3, 5, 7, 9
  EXPECT_DOUBLE_EQ(*urban.figures.toAcceptance.medianDays, 5);
  EXPECT_DOUBLE_EQ(*urban.figures.toAcceptance.p90Days, 8.2);
  EXPECT_EQ(group(r, "locality", "Alderton").figures.referrals, 5);
  EXPECT_EQ(group(r, "locality", "Town Centre").label, "Town Centre");
  // Every route and cohort is listed, with zeros where nobody came that way.
  EXPECT_EQ(r.breakdown("route")->groups.size(), referralRoutes().size());
  EXPECT_EQ(group(r, "route", "gp").figures.referrals, 10);
  EXPECT_EQ(group(r, "route", "self-referral-web").figures.referrals, 0);
  EXPECT_EQ(group(r, "service", "hs-walk").figures.referrals, 4);
  EXPECT_EQ(group(r, "service", "none").label, "No directory service");
}

TEST(ReportsImpactTest, FiltersCountOnlyMatchingReferrals) {
  ImpactFilter rural;
  rural.area = "rural";
  const ImpactReport r = build(tenReferrals(), rural);
  EXPECT_EQ(r.summary.referrals, 5);
  EXPECT_EQ(r.summary.people, 5);
  // A person's first referral in the period is found among all referrals, filtered or not:
  // the even (rural) referral of each person is their second.
  EXPECT_EQ(r.summary.reReferrals, 5);
  ImpactFilter locality;
  locality.locality = "Town Centre";
  EXPECT_EQ(build(tenReferrals(), locality).summary.referrals, 5);
  ImpactFilter service;
  service.service = "hs-walk";
  EXPECT_EQ(build(tenReferrals(), service).summary.referrals, 4);
  service.service = "none";
  EXPECT_EQ(build(tenReferrals(), service).summary.referrals, 6);
  ImpactFilter unknown;
  unknown.locality = kUnknownPlace;
  EXPECT_EQ(build(tenReferrals(), unknown).summary.referrals, 0);
}

TEST(ReportsImpactTest, RoutesCohortsRejectionsAndReReferrals) {
  store::ReportData data;
  const auto add = [&](const std::string& id, const std::string& person, const std::string& route,
                       std::vector<std::string> cohorts, std::vector<store::TaskFact> tasks) {
    Facts f;
    f.id = id;
    f.day = static_cast<int>(data.referrals.size()) + 1;
    f.person = person;
    f.route = route;
    f.cohorts = std::move(cohorts);
    f.tasks = std::move(tasks);
    data.referrals.push_back(make(f));
  };
  add("a", "Patient/x", "gp", {"carers", "long-term-conditions"},
      {task("rejected", "no-capacity")});
  add("b", "Patient/x", "re-access", {}, {task("rejected", "not-eligible")});
  data.referrals.back().basedOnReferral = true;  // re-access points at the earlier referral
  add("c", "Patient/y", "self-referral-web", {"carers"}, {task("rejected", "declined-by-person")});
  add("d", "Patient/y", "single-point-of-referral", {"carers"},
      {task("rejected", "no-capacity"), task("accepted")});
  data.referrals.back().basedOnReferral = true;
  data.referrals.back().toAcceptanceMillis = kDay;
  add("e", "Patient/z", "gp", {}, {task("cancelled")});
  data.referrals.back().referredBefore = true;
  add("f", "", "", {}, {});
  const ImpactReport r = build(data);
  const Figures& f = r.summary;
  EXPECT_EQ(f.referrals, 6);
  EXPECT_EQ(f.people, 3);
  EXPECT_EQ(f.onward, 1);
  EXPECT_EQ(f.reAccess, 1);
  EXPECT_EQ(f.reReferrals, 1);  // e: z was referred before the period; b is re-access, d onward
  EXPECT_EQ(f.rejected(), 3);
  EXPECT_EQ(f.rejectedBy.at("no-capacity"), 1);
  EXPECT_EQ(f.rejectedBy.at("not-eligible"), 1);
  EXPECT_EQ(f.rejectedBy.at("declined-by-person"), 1);
  EXPECT_EQ(f.rejectedBy.at("other"), 0);
  EXPECT_EQ(f.refusedNoCapacity, 2);  // a, and d before it was accepted elsewhere
  EXPECT_EQ(f.outcome(Outcome::kInProgress), 1);
  EXPECT_EQ(f.outcome(Outcome::kCancelled), 1);
  EXPECT_EQ(f.outcome(Outcome::kNoTask), 1);
  EXPECT_DOUBLE_EQ(*f.acceptanceRate(), 25.0);  // 1 accepted, 3 rejected
  EXPECT_FALSE(f.completionRate());
  EXPECT_EQ(group(r, "cohort", "carers").figures.referrals, 3);
  EXPECT_EQ(group(r, "cohort", "long-term-conditions").figures.referrals, 1);
  EXPECT_EQ(group(r, "cohort", "none").figures.referrals, 3);
  EXPECT_EQ(group(r, "route", "none").label, "Not recorded");
  EXPECT_EQ(group(r, "locality", kUnknownPlace).figures.referrals, 6);
  ImpactFilter carers;
  carers.cohort = "carers";
  EXPECT_EQ(build(data, carers).summary.referrals, 3);
}

TEST(ReportsImpactTest, WellbeingBeforeAndAfter) {
  store::ReportData data;
  for (const char* who : {"a", "b", "c"}) {
    Facts f;
    f.id = who;
    f.day = 10;
    f.person = std::string("Patient/") + who;
    data.referrals.push_back(make(f));
  }
  const std::int64_t referred = kStart + 10 * kDay;
  const auto score = [&](const char* person, int instrument, int day, double value) {
    data.scores.push_back({person, instrument, referred + day * kDay, value});
  };
  // WEMWBS (instrument 0): a from 40 to 50, b from 45 to 43; c has one score only.
  score("Patient/a", 0, -5, 40);
  score("Patient/a", 0, 30, 47);
  score("Patient/a", 0, 60, 50);
  score("Patient/b", 0, 0, 45);
  score("Patient/b", 0, 40, 43);
  score("Patient/c", 0, 1, 30);
  // A score long before the referral does not count as "before".
  score("Patient/c", 0, -200, 20);
  // ONS4 anxiety (instrument 4): lower is better; a from 8 to 5.
  score("Patient/a", 4, 0, 8);
  score("Patient/a", 4, 50, 5);
  // Someone not referred in the period is not counted.
  score("Patient/other", 0, 0, 10);
  score("Patient/other", 0, 10, 60);
  const ImpactReport r = build(data);
  ASSERT_EQ(r.outcomeMeasures.size(), instruments().size());
  const MeasureChange& wemwbs = r.outcomeMeasures[0];
  EXPECT_EQ(wemwbs.instrument.key, "wemwbs");
  EXPECT_EQ(wemwbs.people, 2);
  EXPECT_DOUBLE_EQ(*wemwbs.meanBefore, 42.5);
  EXPECT_DOUBLE_EQ(*wemwbs.meanAfter, 46.5);
  EXPECT_DOUBLE_EQ(*wemwbs.meanChange, 4);
  EXPECT_EQ(wemwbs.improved, 1);
  EXPECT_EQ(wemwbs.worse, 1);
  const MeasureChange& anxiety = r.outcomeMeasures[4];
  EXPECT_EQ(anxiety.instrument.key, "ons4-anxiety");
  EXPECT_EQ(anxiety.people, 1);
  EXPECT_DOUBLE_EQ(*anxiety.meanChange, -3);
  EXPECT_EQ(anxiety.improved, 1);
  EXPECT_EQ(r.outcomeMeasures[1].people, 0);
  EXPECT_FALSE(r.outcomeMeasures[1].meanChange);
}

TEST(ReportsImpactTest, CapacityAndDirectoryFreshness) {
  store::ReportData data;
  data.services.push_back({"hs-a", "Walks", true, 15, 3, "capacity", "2026-10-14", "tier-1"});
  data.services.push_back({"hs-b", "Cafe", true, 10, 0, "no-capacity", "2026-05-24", "tier-1"});
  data.services.push_back(
      {"hs-c", "Art", true, std::nullopt, std::nullopt, "", "2026-05", "tier-1"});
  data.services.push_back({"hs-d", "Old", false, 5, 5, "capacity", "2020-01-01", "tier-1"});
  data.services.push_back({"hs-e", "Garden", true, 8, 8, "", "", "tier-1"});
  Facts referral;
  referral.id = "r1";
  referral.person = "Patient/a";
  referral.service = "hs-b";
  data.referrals.push_back(make(referral));
  const ImpactReport r = build(data);  // as at 25 November 2026: stale before 25 May 2026
  EXPECT_EQ(r.staleBefore, (Date{2026, 5, 25}));
  ASSERT_EQ(r.capacity.size(), 5u);
  EXPECT_EQ(r.capacity[0].name, "Art");  // ordered by name
  const auto service = [&](const std::string& id) {
    for (const auto& c : r.capacity) {
      if (c.id == id) return c;
    }
    return ServiceCapacity{};
  };
  EXPECT_EQ(*service("hs-a").inUse, 12);
  EXPECT_FALSE(service("hs-a").stale);
  EXPECT_TRUE(service("hs-b").stale);   // a day before the limit
  EXPECT_FALSE(service("hs-c").stale);  // "2026-05" may mean 31 May: given the benefit of the doubt
  EXPECT_TRUE(service("hs-e").stale);   // never reviewed
  EXPECT_EQ(service("hs-b").referrals, 1);
  EXPECT_EQ(r.activeServices, 4);
  EXPECT_EQ(r.placesTotal, 15 + 10 + 8);
  EXPECT_EQ(r.placesFree, 3 + 0 + 8);
}

TEST(ReportsImpactTest, RefusalsForWantOfAPlace) {
  store::ReportData data;
  data.services.push_back({"hs-a", "Walks", true, 15, 0, "no-capacity", "2026-10-14", "tier-1"});
  data.services.push_back({"hs-b", "Cafe", true, 10, 0, "no-capacity", "2026-10-14", "tier-1"});
  Facts stored;
  stored.id = "r1";
  stored.service = "hs-a";
  stored.route = "gp";
  stored.tasks = {task("requested")};
  data.referrals.push_back(make(stored));
  Facts other = stored;
  other.id = "r2";
  other.route = "self-referral-web";
  data.referrals.push_back(make(other));
  const std::int64_t inQ1 = kQ1.fromMillis + kDay;
  data.refusals = {
      {inQ1, "hs-a", "r1", "task"},                 // r1's Task could not be accepted
      {inQ1 + 1, "hs-a", "gone", "referral"},       // a referral refused, not stored
      {inQ1 + 2, "hs-b", "", "task"},               // about no referral
      {kQ1.toMillis + kDay, "hs-b", "r2", "task"},  // after the period, about r2
  };
  const ImpactReport r = build(data);
  // Per referral: r1 and r2 were refused (r2 after the period, but it is a Q1 referral).
  EXPECT_EQ(r.summary.refusedNoCapacity, 2);
  EXPECT_EQ(group(r, "route", "gp").figures.refusedNoCapacity, 1);
  // Per service, the refusals made in the period.
  EXPECT_EQ(r.refusals, 3);
  ASSERT_EQ(r.capacity.size(), 2u);
  EXPECT_EQ(r.capacity[0].id, "hs-b");  // Cafe before Walks
  EXPECT_EQ(r.capacity[0].refusals, 1);
  EXPECT_EQ(r.capacity[1].refusals, 2);
  // A filter on the service keeps its refusals; one on the referrals keeps those about them.
  EXPECT_EQ(build(data, ImpactFilter{"", "", "", "", "hs-b"}).refusals, 1);
  EXPECT_EQ(build(data, ImpactFilter{"", "", "gp", "", ""}).refusals, 1);
  EXPECT_EQ(build(data, ImpactFilter{"", "", "self-referral-web", "", ""}).refusals, 0);
}

TEST(ReportsImpactTest, QueryForAPeriod) {
  const store::ReportQuery q = reportQuery(kQ1);
  EXPECT_EQ(q.fromMillis, kQ1.fromMillis);
  EXPECT_EQ(q.toMillis, kQ1.toMillis);
  EXPECT_EQ(q.instruments.size(), instruments().size());
  EXPECT_EQ(q.instruments[0].code, "718426000");
  EXPECT_EQ(q.scoresFromMillis, kQ1.fromMillis - kBaselineWindowDays * kDay);
  EXPECT_EQ(q.cohorts.size(), 4u);
  EXPECT_EQ(q.taskStatuses.size(), 12u);
  EXPECT_EQ(q.rejectionReasons,
            (std::vector<std::string>{"no-capacity", "not-eligible", "declined-by-person"}));
}

// --- Renderings -----------------------------------------------------------------------------

store::ReportData renderData() {
  store::ReportData data = tenReferrals();
  data.services.push_back({"hs-walk", "Walks <script>alert(1)</script> & \"tea\"", true, 15, 3,
                           "capacity", "2026-10-14", "tier-1"});
  data.services.push_back({"hs-sum", "=SUM(A1)", true, 5, 5, "", "", "tier-1"});
  return data;
}

const rapidjson::Value* part(const rapidjson::Value& list, const std::string& name) {
  for (const auto& p : list.GetArray()) {
    if (p["name"].GetString() == name) return &p;
  }
  return nullptr;
}

TEST(ReportsRenderTest, ParametersCarryTheFigures) {
  const ImpactReport r = build(renderData());
  rapidjson::Document doc;
  fhir::parseJson(impactParametersJson(r), doc);
  EXPECT_STREQ(doc["resourceType"].GetString(), "Parameters");
  const auto& params = doc["parameter"];
  EXPECT_STREQ((*part(params, "period"))["valuePeriod"]["start"].GetString(), "2026-01-01");
  const auto& summary = (*part(params, "summary"))["part"];
  EXPECT_EQ((*part(summary, "referrals"))["valueInteger"].GetInt(), 10);
  EXPECT_EQ((*part(summary, "people"))["valueInteger"].GetInt(), 5);
  const auto& median = (*part(summary, "time-to-acceptance-median"))["valueQuantity"];
  EXPECT_EQ(fhir::numberText(median["value"]), "5.5");
  EXPECT_STREQ(median["code"].GetString(), "d");
  EXPECT_EQ(fhir::numberText((*part(summary, "time-to-acceptance-p90"))["valueQuantity"]["value"]),
            "9.1");
  const auto& routes = (*part(params, "by-route"))["part"];
  const auto& gp = routes.GetArray()[0]["part"];
  EXPECT_STREQ((*part(gp, "code"))["valueCoding"]["code"].GetString(), "gp");
  EXPECT_STREQ((*part(gp, "code"))["valueCoding"]["system"].GetString(), kReferralRouteSystem);
  EXPECT_EQ((*part(gp, "referrals"))["valueInteger"].GetInt(), 10);
  EXPECT_NE(part(params, "by-area"), nullptr);
  EXPECT_NE(part(params, "time-to-acceptance-distribution"), nullptr);
  EXPECT_NE(part(params, "outcome-measure"), nullptr);
  const auto& directory = (*part(params, "directory"))["part"];
  EXPECT_EQ((*part(directory, "places-total"))["valueInteger"].GetInt(), 20);
}

// Found by Medplum's validator: an empty by-service was `"part": []`, which R4 allows neither as
// JSON (no empty arrays) nor by Parameters inv-1 (a value, a resource or parts).
TEST(ReportsRenderTest, ABreakdownWithNoGroupIsLeftOut) {
  ImpactReport r = build(renderData());
  for (Breakdown& b : r.breakdowns) {
    if (b.name == "service") b.groups.clear();
  }
  rapidjson::Document doc;
  fhir::parseJson(impactParametersJson(r), doc);
  EXPECT_EQ(part(doc["parameter"], "by-service"), nullptr);
  EXPECT_NE(part(doc["parameter"], "by-route"), nullptr);
  for (const auto& p : doc["parameter"].GetArray()) {
    if (p.HasMember("part")) {
      EXPECT_FALSE(p["part"].Empty()) << p["name"].GetString();
    }
  }
}

TEST(ReportsRenderTest, CsvOneFigurePerRow) {
  const ImpactReport r = build(renderData());
  const std::string csv = impactCsv(r);
  const auto rows = parseCsv(csv);
  ASSERT_GT(rows.size(), 50u);
  EXPECT_EQ(rows[0].fields,
            (std::vector<std::string>{"section", "group", "label", "measure", "value"}));
  const auto find = [&](const std::string& section, const std::string& group,
                        const std::string& measure) -> std::string {
    for (const auto& row : rows) {
      if (row.fields.size() == 5 && row.fields[0] == section && row.fields[1] == group &&
          row.fields[3] == measure) {
        return row.fields[4];
      }
    }
    return "(missing)";
  };
  EXPECT_EQ(find("summary", "", "referrals"), "10");
  EXPECT_EQ(find("summary", "", "time-to-acceptance-median"), "5.5");
  EXPECT_EQ(find("area", "rural", "referrals"), "5");
  EXPECT_EQ(find("capacity", "hs-walk", "places-free"), "3");
  EXPECT_NE(csv.find("'=SUM(A1)"), std::string::npos);  // a name never becomes a formula
  EXPECT_EQ(impactCsvFileName(r), "impact-report-2026-01-01-to-2026-03-31.csv");
}

TEST(ReportsRenderTest, PageHasNoScriptsAndEscapesNames) {
  ImpactFilter filter;
  filter.locality = "Alderton";
  const ImpactReport r = build(renderData(), filter);
  PageOptions options;
  options.places = &places();
  const std::string html = impactHtml(r, options);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("Walks &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;tea&quot;"),
            std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("<svg id=\"chart-route\""), std::string::npos);
  EXPECT_NE(html.find("<svg id=\"chart-acceptance\""), std::string::npos);
  EXPECT_NE(html.find("<svg id=\"chart-capacity\""), std::string::npos);
  EXPECT_NE(html.find("id=\"fig-referrals\" data-measure=\"referrals\" data-value=\"5\""),
            std::string::npos);
  EXPECT_NE(html.find("<option value=\"Alderton\" selected>"), std::string::npos);
  EXPECT_NE(html.find("href=\"/reports.csv?period=2026-01-01%2F2026-03-31&amp;locality=Alderton\""),
            std::string::npos);
  EXPECT_EQ(reportQueryString(r), "period=2026-01-01%2F2026-03-31&locality=Alderton");
  PageOptions failed = options;
  failed.error = "period ends <before> it starts";
  const std::string errorPage = impactHtml(r, failed);
  EXPECT_NE(errorPage.find("period ends &lt;before&gt; it starts"), std::string::npos);
  EXPECT_EQ(errorPage.find("id=\"summary\""), std::string::npos);
}

// The header names the service the report is filtered to by its name, not its id (issue 19).
TEST(ReportsRenderTest, HeaderNamesTheServiceFilteredTo) {
  ImpactFilter filter;
  filter.service = "hs-sum";
  const ImpactReport r = build(renderData(), filter);
  PageOptions options;
  options.places = &places();
  const std::string html = impactHtml(r, options);
  const std::string header = html.substr(0, html.find("</header>"));
  EXPECT_NE(header.find("service: =SUM(A1)"), std::string::npos) << header;
  EXPECT_EQ(header.find("hs-sum"), std::string::npos) << header;
}

// Entries held without the hub's details (issue 17): capacity unknown, not yet assured (no
// tier), never reviewed, each counted over the active services, and in all three renderings.
TEST(ReportsImpactTest, DirectoryQuality) {
  store::ReportData data;
  data.services.push_back({"hs-a", "Walks", true, 15, 3, "capacity", "2026-10-14", "tier-1"});
  data.services.push_back({"hs-b", "Family Counseling Services", true, std::nullopt, std::nullopt,
                           "", "", std::nullopt});
  data.services.push_back({"hs-c", "Knit", true, 6, 2, "capacity", "", "tier-2"});
  data.services.push_back({"hs-d", "Choir", true, std::nullopt, std::nullopt, "", "2026-10-01",
                           std::string()});  // a tier without a code still counts as assured
  data.services.push_back({"hs-e", "Gone", false, std::nullopt, std::nullopt, "", "", {}});
  const ImpactReport r = build(data);
  EXPECT_EQ(r.activeServices, 4);
  EXPECT_EQ(r.capacityUnknown, 2);  // hs-b, hs-d (hs-e is inactive)
  EXPECT_EQ(r.notYetAssured, 1);    // hs-b
  EXPECT_EQ(r.neverReviewed, 2);    // hs-b, hs-c
  EXPECT_EQ(r.incompleteServices, 3);
  EXPECT_EQ(r.staleServices, 2);     // never reviewed is not reviewed for six months either
  EXPECT_EQ(r.placesTotal, 15 + 6);  // unknown capacity adds no place
  const auto service = [&](const std::string& id) {
    for (const auto& c : r.capacity) {
      if (c.id == id) return c;
    }
    return ServiceCapacity{};
  };
  EXPECT_TRUE(service("hs-b").capacityUnknown);
  EXPECT_TRUE(service("hs-b").notYetAssured);
  EXPECT_TRUE(service("hs-b").neverReviewed);
  EXPECT_FALSE(service("hs-a").capacityUnknown || service("hs-a").notYetAssured ||
               service("hs-a").neverReviewed);
  EXPECT_EQ(service("hs-a").tier, std::optional<std::string>("tier-1"));

  rapidjson::Document doc;
  fhir::parseJson(impactParametersJson(r), doc);
  const auto& directory = (*part(doc["parameter"], "directory"))["part"];
  EXPECT_EQ((*part(directory, "capacity-unknown"))["valueInteger"].GetInt(), 2);
  EXPECT_EQ((*part(directory, "not-yet-assured"))["valueInteger"].GetInt(), 1);
  EXPECT_EQ((*part(directory, "never-reviewed"))["valueInteger"].GetInt(), 2);
  EXPECT_EQ((*part(directory, "incomplete-entries"))["valueInteger"].GetInt(), 3);

  const auto rows = parseCsv(impactCsv(r));
  const auto csvHas = [&](const std::string& group, const std::string& measure,
                          const std::string& value) {
    for (const auto& row : rows) {
      if (row.fields.size() == 5 && row.fields[1] == group && row.fields[3] == measure) {
        return row.fields[4] == value;
      }
    }
    return false;
  };
  EXPECT_TRUE(csvHas("", "capacity-unknown", "2"));
  EXPECT_TRUE(csvHas("", "not-yet-assured", "1"));
  EXPECT_TRUE(csvHas("", "never-reviewed", "2"));
  EXPECT_TRUE(csvHas("", "incomplete-entries", "3"));
  EXPECT_TRUE(csvHas("hs-b", "not-yet-assured", "true"));
  EXPECT_TRUE(csvHas("hs-a", "governance-tier", "tier-1"));

  PageOptions options;
  options.places = &places();
  const std::string html = impactHtml(r, options);
  EXPECT_NE(html.find("id=\"fig-capacity-unknown\" data-value=\"2\""), std::string::npos);
  EXPECT_NE(html.find("id=\"fig-not-yet-assured\" data-value=\"1\""), std::string::npos);
  EXPECT_NE(html.find("id=\"fig-never-reviewed\" data-value=\"2\""), std::string::npos);
  EXPECT_NE(html.find("id=\"fig-incomplete-entries\" data-value=\"3\""), std::string::npos);
  EXPECT_NE(html.find(">not yet assured</td>"), std::string::npos);
}

}  // namespace
}  // namespace sp::reports
