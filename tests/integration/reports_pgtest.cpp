// The impact report over real PostgreSQL and the real server: figures checked against a small
// data set made through the API whose answers are known by construction (the table below),
// the CSV download, the HTML page read by headless Chromium (a screenshot is saved under the
// build's Testing folder), and who may see reports (mutual TLS with the generated certificates).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "start_gate.h"

namespace sp::testing {
namespace {

using Clock = std::chrono::system_clock;
constexpr double kTolerance = 0.01;  // days (864 s): the requests of the test take seconds

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

rapidjson::Document corpus(const std::string& name) {
  return parse(readFile(sourceDir() + "/tests/data/validation/valid/" + name));
}

void set(rapidjson::Document& doc, const char* pointer, const std::string& json) {
  rapidjson::Document value(&doc.GetAllocator());
  value.Parse(json.c_str());
  ASSERT_FALSE(value.HasParseError()) << json;
  rapidjson::Pointer(pointer).Set(doc, value);
}

void remove(rapidjson::Document& doc, const char* pointer) {
  rapidjson::Pointer(pointer).Erase(doc);
}

// Instants and dates, UTC.
std::string instant(Clock::time_point t) {
  const std::time_t secs = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string date(Clock::time_point t) { return instant(t).substr(0, 10); }

Clock::time_point daysAgo(double days) {
  return Clock::now() - std::chrono::milliseconds(static_cast<long long>(days * 86400000));
}

// --- The data set -----------------------------------------------------------------------------
//
// Six people (postcode -> locality, area):
//   p1 NE99 4QA Alderton and Villages, rural   p2 NE99 1AB Northvale Town Centre, urban
//   p3 NE98 7LN Brackenfield, rural            p4 NE97 3PQ Eastport, urban
//   p5 ZZ9 9ZZ  (not listed) unknown           p6 (no address) unknown
// Referrals, authored `ago` days before the test runs; the Tasks move during the test, so each
// time to acceptance or first contact is `ago` days (plus the seconds the test takes):
struct Referral {
  const char* id;
  double ago;
  const char* person;
  const char* route;
  std::vector<const char*> cohorts;
  const char* service;  // "" : no performer, so no Task
  const char* fate;     // completed, failed, active, contact, cancelled, rejected-*, waiting, none
  const char* basedOn = "";
};

const std::vector<Referral>& referrals() {
  static const std::vector<Referral> kAll = {
      // Before the period: makes p1's first referral in the period a re-referral.
      {"r0", 60, "p1", "gp", {"mental-health-wellbeing"}, "", "none"},
      {"r1", 16, "p1", "gp", {"mental-health-wellbeing"}, "hs-walk", "completed"},
      {"r2",
       14,
       "p2",
       "gp",
       {"social-isolation-loneliness", "mental-health-wellbeing"},
       "hs-walk",
       "completed"},
      {"r3", 12, "p1", "gp", {"carers"}, "hs-walk", "failed"},
      {"r4", 10, "p3", "self-referral-web", {"social-isolation-loneliness"}, "hs-walk", "contact"},
      {"r5", 8, "p4", "vcse-organisation", {"long-term-conditions"}, "hs-cafe", "contact"},
      {"r6", 6, "p5", "other-clinician", {"carers"}, "hs-cafe", "cancelled"},
      {"r7",
       4,
       "p2",
       "single-point-of-referral",
       {"social-isolation-loneliness"},
       "hs-walk",
       "active",
       "r2"},
      {"r8", 2, "p1", "re-access", {"mental-health-wellbeing"}, "hs-walk", "active", "r1"},
      {"r9", 3, "p6", "gp", {"carers"}, "hs-cafe", "rejected-no-capacity"},
      {"r10", 5, "p3", "gp", {"long-term-conditions"}, "hs-walk", "rejected-not-eligible"},
      {"r11",
       7,
       "p4",
       "self-referral-phone",
       {"mental-health-wellbeing"},
       "hs-walk",
       "rejected-declined"},
      {"r12", 1, "p2", "gp", {}, "hs-walk", "waiting"},
      {"r13", 9, "p5", "gp", {"social-isolation-loneliness"}, "", "none"},
  };
  return kAll;
}
// So, in the period (30 days back to tomorrow), by construction:
//   13 referrals, 6 people, 1 onward (r7), 1 re-access (r8); re-referrals r1 (r0 before the
//   period), r3, r6 (r13 came first), r10, r11, r12: 6.
//   Accepted r1..r8: days {16,14,12,10,8,6,4,2}: median 9, 90th percentile 14.6.
//   First contact r1..r5: {16,14,12,10,8}: median 12, 90th percentile 15.2.
//   Completed 2, failed 1, in progress 4 (r4 r5 r7 r8), cancelled 1, rejected 3 (one for each
//   reason), waiting 1, no Task 1; refused for lack of capacity 1.
//   Rural: r1 r3 r4 r8 r10 (accepted {16,12,10,2}: median 11); urban: r2 r5 r7 r11 r12
//   (accepted {14,8,4}: median 8); unknown: r6 r9 r13.

const char* kBusiness =
    "https://fhir.social-prescribing.example.org/CodeSystem/task-business-status";

std::string coding(const char* system, const std::string& code) {
  return R"({"coding":[{"system":")" + std::string(system) + R"(","code":")" + code + R"("}]})";
}

class Reports : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = PostgresCluster::shared().freshDatabase();
    server_ = std::make_unique<ServerProcess>(
        database_, ServerOptions{false, {"--dev-open-reports", "--handover-sweep-ms", "0"}});
    client_ = std::make_unique<HttpClient>(server_->baseUrl());
    makeDataSet();
    const auto from = Clock::now() - std::chrono::hours(24 * 30);
    const auto to = Clock::now() + std::chrono::hours(24);
    period_ = date(from) + "/" + date(to);
  }
  static void TearDownTestSuite() {
    client_.reset();
    server_.reset();
  }

  static void put(const std::string& path, const rapidjson::Document& doc) {
    const HttpResponse r = client_->send("PUT", path, write(doc));
    ASSERT_TRUE(r.status == 200 || r.status == 201)
        << "PUT " << path << ": " << r.status << " " << r.error << r.body;
  }

  static void makeDataSet() {
    rapidjson::Document org = corpus("Organization-org-sp-hub.json");
    put("/Organization/org-sp-hub", org);

    const std::pair<const char*, const char*> people[] = {{"p1", "NE99 4QA"}, {"p2", "NE99 1AB"},
                                                          {"p3", "NE98 7LN"}, {"p4", "NE97 3PQ"},
                                                          {"p5", "ZZ9 9ZZ"},  {"p6", ""}};
    for (const auto& [id, postcode] : people) {
      rapidjson::Document p = corpus("Patient-pat-pryce.json");
      set(p, "/id", quoted(id));
      remove(p, "/identifier");
      remove(p, "/generalPractitioner");
      if (*postcode) {
        set(p, "/address/0/postalCode", quoted(postcode));
      } else {
        remove(p, "/address");
      }
      put(std::string("/Patient/") + id, p);
    }

    const struct {
      const char* id;
      const char* name;
      int total;
      std::string reviewed;  // the directory profile requires a review date
    } services[] = {{"hs-walk", "Walk and Talk", 20, date(daysAgo(10))},
                    {"hs-cafe", "Carers Cafe", 10, date(daysAgo(215))},
                    {"hs-art", "Art for Wellbeing", 6, date(daysAgo(400))}};
    for (const auto& s : services) {
      rapidjson::Document hs = corpus("HealthcareService-hs-walk-and-talk-alderton.json");
      set(hs, "/id", quoted(s.id));
      set(hs, "/name", quoted(s.name));
      set(hs, "/providedBy", R"({"reference":"Organization/org-sp-hub"})");
      remove(hs, "/coverageArea");
      remove(hs, "/identifier");
      auto& extensions = hs["extension"];
      for (rapidjson::SizeType i = 0; i < extensions.Size(); ++i) {
        const std::string url = extensions[i]["url"].GetString();
        if (url.find("/capacity") != std::string::npos) {
          const std::string base = "/extension/" + std::to_string(i) + "/extension/";
          set(hs, (base + "0/valueUnsignedInt").c_str(), std::to_string(s.total));
          set(hs, (base + "1/valueUnsignedInt").c_str(), std::to_string(s.total));
        }
        if (url.find("/last-reviewed") != std::string::npos) {
          if (s.reviewed.empty()) {
            extensions.Erase(extensions.Begin() + i);
            --i;
          } else {
            set(hs, ("/extension/" + std::to_string(i) + "/valueDate").c_str(), quoted(s.reviewed));
          }
        }
      }
      put(std::string("/HealthcareService/") + s.id, hs);
    }

    // Referrals first (r8, re-access, once r1 is completed), then the Tasks move.
    for (const Referral& r : referrals()) {
      if (std::string(r.route) == "re-access") continue;
      createReferral(r);
    }
    for (const Referral& r : referrals()) {
      if (std::string(r.route) == "re-access") continue;
      moveTask(r);
    }
    for (const Referral& r : referrals()) {
      if (std::string(r.route) != "re-access") continue;
      createReferral(r);
      moveTask(r);
    }

    // Wellbeing scores: p1 WEMWBS 40 -> 52, p2 45 -> 44, p3 a single score; p4 ONS4 anxiety
    // 8 -> 5 (lower is better).
    const auto observation = [](const std::string& id, const char* person, const char* system,
                                const char* code, int value, double ago) {
      rapidjson::Document o = corpus("Observation-obs-pryce-wemwbs-baseline.json");
      set(o, "/id", quoted(id));
      set(o, "/subject", R"({"reference":"Patient/)" + std::string(person) + "\"}");
      set(o, "/performer/0", R"({"reference":"Patient/)" + std::string(person) + "\"}");
      set(o, "/code",
          R"({"coding":[{"system":")" + std::string(system) + R"(","code":")" + code + R"("}]})");
      set(o, "/effectiveDateTime", quoted(instant(daysAgo(ago))));
      set(o, "/valueInteger", std::to_string(value));
      put("/Observation/" + id, o);
    };
    const char* snomed = "http://snomed.info/sct";
    const char* ons = "https://fhir.social-prescribing.example.org/CodeSystem/outcome-measure";
    observation("w1a", "p1", snomed, "718426000", 40, 15);
    observation("w1b", "p1", snomed, "718426000", 52, 1);
    observation("w2a", "p2", snomed, "718426000", 45, 13);
    observation("w2b", "p2", snomed, "718426000", 44, 2);
    observation("w3a", "p3", snomed, "718426000", 30, 9);
    observation("a4a", "p4", ons, "ons4-anxiety", 8, 7);
    observation("a4b", "p4", ons, "ons4-anxiety", 5, 1);
  }

  static void createReferral(const Referral& r) {
    rapidjson::Document sr = corpus("ServiceRequest-sr-pryce-walking.json");
    set(sr, "/id", quoted(r.id));
    remove(sr, "/supportingInfo");
    remove(sr, "/basedOn");
    if (*r.basedOn) {
      set(sr, "/basedOn", R"([{"reference":"ServiceRequest/)" + std::string(r.basedOn) + "\"}]");
    }
    set(sr, "/extension/0/valueCoding",
        R"({"system":"https://fhir.social-prescribing.example.org/CodeSystem/referral-route","code":")" +
            std::string(r.route) + "\"}");
    set(sr, "/subject", R"({"reference":"Patient/)" + std::string(r.person) + "\"}");
    set(sr, "/requester", R"({"reference":"Organization/org-sp-hub"})");
    set(sr, "/authoredOn", quoted(instant(daysAgo(r.ago))));
    if (*r.service) {
      set(sr, "/performer",
          R"([{"reference":"HealthcareService/)" + std::string(r.service) + "\"}]");
    } else {
      remove(sr, "/performer");
    }
    std::string reasons = "[";
    for (const char* c : r.cohorts) {
      reasons +=
          std::string(reasons.size() > 1 ? "," : "") +
          coding("https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort", c);
    }
    set(sr, "/reasonCode", reasons + "]");
    if (r.cohorts.empty()) remove(sr, "/reasonCode");
    put(std::string("/ServiceRequest/") + r.id, sr);
  }

  // Moves the referral's Task (made by the server) through the workflow to its fate.
  static void moveTask(const Referral& r) {
    const std::string fate = r.fate;
    if (fate == "none" || fate == "waiting") return;
    const std::string path = std::string("/Task/") + r.id + "-task";
    const auto move = [&](const std::string& status, const std::string& business,
                          const std::string& reason) {
      const HttpResponse got = client_->get(path);
      ASSERT_EQ(got.status, 200) << path << got.body;
      rapidjson::Document task = parse(got.body);
      set(task, "/status", quoted(status));
      if (!business.empty()) set(task, "/businessStatus", coding(kBusiness, business));
      if (!reason.empty()) set(task, "/statusReason", reason);
      put(path, task);
    };
    const auto reasonCode = [](const char* code) { return coding(kBusiness, code); };
    if (fate == "rejected-no-capacity") return move("rejected", "", reasonCode("no-capacity"));
    if (fate == "rejected-not-eligible") return move("rejected", "", reasonCode("not-eligible"));
    if (fate == "rejected-declined") {
      return move("rejected", "declined-by-person", R"({"text":"Would rather not join a group"})");
    }
    move("accepted", "", "");
    if (fate == "active") return;
    if (fate == "cancelled") return move("cancelled", "", R"({"text":"Moved out of the county"})");
    move("in-progress", "first-contact-made", "");
    if (fate == "contact") return;
    if (fate == "failed") return move("failed", "did-not-attend", R"({"text":"Did not attend"})");
    move("completed", "discharged", "");
  }

  static rapidjson::Document report(const std::string& query) {
    const HttpResponse r = client_->get("/$impact-report?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type").rfind("application/fhir+json", 0), 0u);
    return parse(r.body);
  }

  static std::unique_ptr<ServerProcess> server_;
  static std::unique_ptr<HttpClient> client_;
  static std::string database_;
  static std::string period_;
};

std::unique_ptr<ServerProcess> Reports::server_;
std::unique_ptr<HttpClient> Reports::client_;
std::string Reports::database_;
std::string Reports::period_;

// --- Reading a Parameters answer --------------------------------------------------------------

const rapidjson::Value* named(const rapidjson::Value& list, const std::string& name) {
  if (!list.IsArray()) return nullptr;
  for (const auto& p : list.GetArray()) {
    if (p.HasMember("name") && p["name"].GetString() == name) return &p;
  }
  return nullptr;
}

// A figure of a part list: an integer, a decimal or a quantity's value; NaN when absent.
double figure(const rapidjson::Value& parts, const std::string& name) {
  const rapidjson::Value* p = named(parts, name);
  if (!p) return std::nan("");
  if (p->HasMember("valueInteger")) return (*p)["valueInteger"].GetDouble();
  if (p->HasMember("valueDecimal")) return (*p)["valueDecimal"].GetDouble();
  if (p->HasMember("valueQuantity")) return (*p)["valueQuantity"]["value"].GetDouble();
  return std::nan("");
}

const rapidjson::Value& summary(const rapidjson::Document& doc) {
  const rapidjson::Value* s = named(doc["parameter"], "summary");
  EXPECT_NE(s, nullptr);
  static const rapidjson::Value empty(rapidjson::kArrayType);
  return s ? (*s)["part"] : empty;
}

// The parts of one group of a breakdown ("by-area", key "rural").
const rapidjson::Value* group(const rapidjson::Document& doc, const std::string& breakdown,
                              const std::string& key) {
  const rapidjson::Value* b = named(doc["parameter"], breakdown);
  if (!b) return nullptr;
  for (const auto& g : (*b)["part"].GetArray()) {
    const auto& parts = g["part"];
    const rapidjson::Value* code = named(parts, "code");
    const rapidjson::Value* service = named(parts, "service");
    std::string k;
    if (code && code->HasMember("valueCoding")) k = (*code)["valueCoding"]["code"].GetString();
    if (code && code->HasMember("valueString")) k = (*code)["valueString"].GetString();
    if (service) k = (*service)["valueReference"]["reference"].GetString();
    if (k == key) return &parts;
  }
  return nullptr;
}

TEST_F(Reports, FiguresKnownByConstruction) {
  const rapidjson::Document doc = report("period=" + period_);
  const auto& s = summary(doc);
  EXPECT_EQ(figure(s, "referrals"), 13);
  EXPECT_EQ(figure(s, "people"), 6);
  EXPECT_EQ(figure(s, "onward-referrals"), 1);
  EXPECT_EQ(figure(s, "re-access"), 1);
  EXPECT_EQ(figure(s, "re-referrals"), 6);
  EXPECT_EQ(figure(s, "accepted"), 8);
  EXPECT_EQ(figure(s, "rejected"), 3);
  EXPECT_EQ(figure(s, "rejected-no-capacity"), 1);
  EXPECT_EQ(figure(s, "rejected-not-eligible"), 1);
  EXPECT_EQ(figure(s, "rejected-declined-by-person"), 1);
  EXPECT_EQ(figure(s, "rejected-other"), 0);
  EXPECT_EQ(figure(s, "refused-no-capacity"), 1);
  EXPECT_EQ(figure(s, "outcome-completed"), 2);
  EXPECT_EQ(figure(s, "outcome-failed"), 1);
  EXPECT_EQ(figure(s, "outcome-in-progress"), 4);
  EXPECT_EQ(figure(s, "outcome-cancelled"), 1);
  EXPECT_EQ(figure(s, "outcome-waiting"), 1);
  EXPECT_EQ(figure(s, "outcome-no-task"), 1);
  EXPECT_NEAR(figure(s, "acceptance-rate"), 72.7, 0.05);  // 8 of 11 answered
  EXPECT_NEAR(figure(s, "completion-rate"), 66.7, 0.05);  // 2 of 3 finished
  EXPECT_NEAR(figure(s, "time-to-acceptance-median"), 9, kTolerance);
  EXPECT_NEAR(figure(s, "time-to-acceptance-p90"), 14.6, kTolerance);
  EXPECT_NEAR(figure(s, "time-to-first-contact-median"), 12, kTolerance);
  EXPECT_NEAR(figure(s, "time-to-first-contact-p90"), 15.2, kTolerance);
  EXPECT_EQ(figure(s, "first-contacts"), 5);
}

// A report reads the referrals and the people on two connections at once (one snapshot); reports
// asked together share the store's two connections, so some read everything on one. Either way
// the figures are the same as those of a report asked alone.
TEST_F(Reports, ReportsAskedTogetherAgreeWithOneAskedAlone) {
  // The CSV without its "generated" row (the time of the report).
  const auto figures = [](const std::string& csv) {
    std::istringstream in(csv);
    std::string line, kept;
    while (std::getline(in, line)) {
      if (line.find(",generated,") == std::string::npos) kept += line + "\n";
    }
    return kept;
  };
  const HttpResponse alone = client_->get("/reports.csv?period=" + period_);
  ASSERT_EQ(alone.status, 200) << alone.body;
  ASSERT_NE(alone.body.find("referrals,13"), std::string::npos) << alone.body;
  constexpr int kTogether = 4;
  std::vector<HttpResponse> answers(kTogether);
  StartGate gate(kTogether);
  std::vector<std::thread> threads;
  for (int i = 0; i < kTogether; ++i) {
    threads.emplace_back([&, i] {
      HttpClient client(server_->baseUrl());
      gate.arriveAndWait();
      answers[i] = client.get("/reports.csv?period=" + period_);
    });
  }
  for (auto& t : threads) t.join();
  for (const HttpResponse& r : answers) {
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(figures(r.body), figures(alone.body));
  }
}

TEST_F(Reports, BreakdownsByRouteCohortPlaceAndService) {
  const rapidjson::Document doc = report("period=" + period_);
  const auto count = [&](const char* breakdown, const char* key) {
    const rapidjson::Value* g = group(doc, breakdown, key);
    EXPECT_NE(g, nullptr) << breakdown << " " << key;
    return g ? figure(*g, "referrals") : -1;
  };
  EXPECT_EQ(count("by-route", "gp"), 7);
  EXPECT_EQ(count("by-route", "self-referral-web"), 1);
  EXPECT_EQ(count("by-route", "single-point-of-referral"), 1);
  EXPECT_EQ(count("by-route", "re-access"), 1);
  EXPECT_EQ(count("by-route", "self-referral-face-to-face"), 0);
  EXPECT_EQ(count("by-cohort", "mental-health-wellbeing"), 4);
  EXPECT_EQ(count("by-cohort", "social-isolation-loneliness"), 4);
  EXPECT_EQ(count("by-cohort", "carers"), 3);
  EXPECT_EQ(count("by-cohort", "long-term-conditions"), 2);
  EXPECT_EQ(count("by-cohort", "none"), 1);
  EXPECT_EQ(count("by-area", "rural"), 5);
  EXPECT_EQ(count("by-area", "urban"), 5);
  EXPECT_EQ(count("by-area", "unknown"), 3);
  EXPECT_EQ(count("by-locality", "Alderton and Villages"), 3);
  EXPECT_EQ(count("by-locality", "Brackenfield"), 2);
  EXPECT_EQ(count("by-locality", "Northvale Town Centre"), 3);
  EXPECT_EQ(count("by-locality", "Eastport"), 2);
  EXPECT_EQ(count("by-locality", "Riverside"), 0);
  EXPECT_EQ(count("by-service", "HealthcareService/hs-walk"), 9);
  EXPECT_EQ(count("by-service", "HealthcareService/hs-cafe"), 3);
  EXPECT_EQ(count("by-service", "none"), 1);
  // Equity: the same figures for rural and urban people.
  const rapidjson::Value* rural = group(doc, "by-area", "rural");
  const rapidjson::Value* urban = group(doc, "by-area", "urban");
  ASSERT_TRUE(rural && urban);
  EXPECT_NEAR(figure(*rural, "time-to-acceptance-median"), 11, kTolerance);
  EXPECT_NEAR(figure(*urban, "time-to-acceptance-median"), 8, kTolerance);
  EXPECT_EQ(figure(*rural, "people"), 2);
  EXPECT_EQ(figure(*urban, "rejected"), 1);
}

TEST_F(Reports, FiltersNarrowTheReferralsCounted) {
  const auto referralsFor = [&](const std::string& filter) {
    return figure(summary(report("period=" + period_ + "&" + filter)), "referrals");
  };
  EXPECT_EQ(referralsFor("locality=Alderton%20and%20Villages"), 3);
  EXPECT_EQ(referralsFor("area=urban"), 5);
  EXPECT_EQ(referralsFor("area=unknown"), 3);
  EXPECT_EQ(referralsFor("route=gp"), 7);
  EXPECT_EQ(referralsFor("cohort=carers"), 3);
  EXPECT_EQ(referralsFor("service=hs-cafe"), 3);
  EXPECT_EQ(referralsFor("service=none"), 1);
  EXPECT_EQ(referralsFor("locality=Eastport&cohort=long-term-conditions"), 1);
  // A period with none of them.
  EXPECT_EQ(figure(summary(report("period=2020-01-01/2020-12-31")), "referrals"), 0);
  // The page's form sends from and to.
  const auto from = period_.substr(0, 10), to = period_.substr(11);
  EXPECT_EQ(figure(summary(report("from=" + from + "&to=" + to + "&locality=&area=")), "referrals"),
            13);
}

TEST_F(Reports, WellbeingBeforeAndAfter) {
  const rapidjson::Document doc = report("period=" + period_);
  std::map<std::string, const rapidjson::Value*> measures;
  for (const auto& p : doc["parameter"].GetArray()) {
    if (std::string(p["name"].GetString()) != "outcome-measure") continue;
    measures[(*named(p["part"], "code"))["valueCoding"]["code"].GetString()] = &p["part"];
  }
  ASSERT_TRUE(measures.count("718426000") && measures.count("ons4-anxiety"));
  const auto& wemwbs = *measures["718426000"];
  EXPECT_EQ(figure(wemwbs, "people"), 2);
  EXPECT_NEAR(figure(wemwbs, "mean-before"), 42.5, 1e-9);
  EXPECT_NEAR(figure(wemwbs, "mean-after"), 48, 1e-9);
  EXPECT_NEAR(figure(wemwbs, "mean-change"), 5.5, 1e-9);
  EXPECT_EQ(figure(wemwbs, "improved"), 1);
  EXPECT_EQ(figure(wemwbs, "worse"), 1);
  const auto& anxiety = *measures["ons4-anxiety"];
  EXPECT_EQ(figure(anxiety, "people"), 1);
  EXPECT_NEAR(figure(anxiety, "mean-change"), -3, 1e-9);
  EXPECT_EQ(figure(anxiety, "improved"), 1);
}

TEST_F(Reports, CapacityIsTheDirectoryNow) {
  const rapidjson::Document doc = report("period=" + period_);
  std::map<std::string, const rapidjson::Value*> services;
  for (const auto& p : doc["parameter"].GetArray()) {
    if (std::string(p["name"].GetString()) != "capacity") continue;
    services[(*named(p["part"], "service"))["valueReference"]["reference"].GetString()] =
        &p["part"];
  }
  ASSERT_EQ(services.size(), 3u);
  for (const char* id : {"hs-walk", "hs-cafe", "hs-art"}) {
    // The same places as the HealthcareService says, after the Tasks took and gave them back.
    const rapidjson::Document hs =
        parse(client_->get(std::string("/HealthcareService/") + id).body);
    double total = -1, free = -1;
    for (const auto& e : hs["extension"].GetArray()) {
      if (std::string(e["url"].GetString()).find("/capacity") == std::string::npos) continue;
      for (const auto& sub : e["extension"].GetArray()) {
        if (std::string(sub["url"].GetString()) == "total")
          total = sub["valueUnsignedInt"].GetDouble();
        if (std::string(sub["url"].GetString()) == "free")
          free = sub["valueUnsignedInt"].GetDouble();
      }
    }
    const auto& parts = *services[std::string("HealthcareService/") + id];
    EXPECT_EQ(figure(parts, "places-total"), total) << id;
    EXPECT_EQ(figure(parts, "places-free"), free) << id;
    EXPECT_EQ(figure(parts, "places-in-use"), total - free) << id;
  }
  // By construction: the walks hold r4 (in progress), r7 and r8 (accepted); the cafe holds r5.
  EXPECT_EQ(figure(*services["HealthcareService/hs-walk"], "places-in-use"), 3);
  EXPECT_EQ(figure(*services["HealthcareService/hs-cafe"], "places-in-use"), 1);
  EXPECT_EQ(figure(*services["HealthcareService/hs-walk"], "referrals"), 9);
  const auto stale = [&](const char* id) {
    return (*named(*services[std::string("HealthcareService/") + id],
                   "not-reviewed-six-months"))["valueBoolean"]
        .GetBool();
  };
  EXPECT_FALSE(stale("hs-walk"));
  EXPECT_TRUE(stale("hs-cafe"));  // reviewed seven months ago
  EXPECT_TRUE(stale("hs-art"));   // reviewed over a year ago
  const rapidjson::Value& directory = (*named(doc["parameter"], "directory"))["part"];
  EXPECT_EQ(figure(directory, "active-services"), 3);
  EXPECT_EQ(figure(directory, "not-reviewed-six-months"), 2);
}

TEST_F(Reports, CsvDownload) {
  const HttpResponse r = client_->get("/reports.csv?period=" + period_ + "&area=rural");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(r.header("content-disposition").find("attachment; filename=\"impact-report-"),
            std::string::npos);
  EXPECT_EQ(r.body.rfind("section,group,label,measure,value\r\n", 0), 0u);
  EXPECT_NE(r.body.find("summary,,All referrals counted,referrals,5\r\n"), std::string::npos)
      << r.body.substr(0, 2000);
  EXPECT_NE(r.body.find("report,,Filter,filter-area,rural\r\n"), std::string::npos);
  // The page and the download are asked for in their own formats (a browser, a spreadsheet
  // tool): no FHIR negotiation refuses them; the Parameters answer is negotiated as FHIR.
  EXPECT_EQ(client_->get("/reports.csv?period=" + period_, {"Accept: text/csv"}).status, 200);
  EXPECT_EQ(client_->get("/reports?period=" + period_, {"Accept: text/html"}).status, 200);
  EXPECT_EQ(client_->get("/$impact-report?period=" + period_, {"Accept: text/html"}).status, 406);
  EXPECT_NE(r.body.find("area,rural,Rural,referrals,5\r\n"), std::string::npos);
}

TEST_F(Reports, BadRequestsSayWhy) {
  HttpResponse r = client_->get("/$impact-report?period=2026-03-31/2026-01-01");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome");
  EXPECT_NE(at(r.body, "/issue/0/diagnostics").find("before it starts"), std::string::npos);
  r = client_->get("/$impact-report?locality=Atlantis");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(at(r.body, "/issue/0/expression/0"), "locality");
  r = client_->get("/$impact-report?periode=2026");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(at(r.body, "/issue/0/diagnostics").find("Unknown parameter 'periode'"),
            std::string::npos);
  r = client_->request("POST", "/$impact-report", "{}", {"Content-Type: application/fhir+json"});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET");
  // The page shows the problem, and keeps the picker.
  r = client_->get("/reports?from=2026-03-31&to=2026-01-01");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("id=\"error\""), std::string::npos);
  EXPECT_NE(r.body.find("<form"), std::string::npos);
}

TEST_F(Reports, PageIsSelfContained) {
  const HttpResponse r = client_->get("/reports?period=" + period_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(r.header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(r.header("cache-control"), "no-store");
  EXPECT_EQ(r.body.find("<script"), std::string::npos);
  EXPECT_NE(r.body.find("<svg id=\"chart-route\""), std::string::npos);
  EXPECT_NE(r.body.find("<svg id=\"chart-acceptance\""), std::string::npos);
  EXPECT_NE(r.body.find("<svg id=\"chart-capacity\""), std::string::npos);
  EXPECT_NE(r.body.find("<svg id=\"chart-area\""), std::string::npos);
}

// --- Headless Chromium ------------------------------------------------------------------------

std::string chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

// Runs a command, returns its standard output (standard error is discarded).
std::string run(const std::string& command) { return runShell(command + " 2>/dev/null").output; }

// data-value of the element with this id in a DOM dump.
std::string domValue(const std::string& dom, const std::string& id) {
  const std::regex pattern("id=\"" + id + "\"[^>]*data-value=\"([^\"]*)\"");
  std::smatch m;
  return std::regex_search(dom, m, pattern) ? m[1].str() : "(missing)";
}

TEST_F(Reports, PageInHeadlessChromium) {
  const std::string browser = chromium();
  if (browser.empty()) {
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs Debian's package)";
  }
  const std::string profile = makeTempDir("sp-chromium-");
  const std::string flags =
      " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir=" +
      profile;
  const std::string url = "'" + server_->baseUrl() + "/reports?period=" + period_ + "'";

  const std::string dom = run("timeout 120 " + browser + flags + " --dump-dom " + url);
  ASSERT_NE(dom.find("measures of impact"), std::string::npos) << dom.substr(0, 500);
  // The figures as the browser built the page.
  EXPECT_EQ(domValue(dom, "fig-referrals"), "13");
  EXPECT_EQ(domValue(dom, "fig-people"), "6");
  EXPECT_EQ(domValue(dom, "fig-refused-no-capacity"), "1");
  EXPECT_EQ(domValue(dom, "card-referrals"), "13");
  EXPECT_NEAR(std::stod(domValue(dom, "fig-time-to-acceptance-median")), 9, kTolerance);
  EXPECT_NEAR(std::stod(domValue(dom, "fig-time-to-acceptance-p90")), 14.6, kTolerance);
  EXPECT_EQ(domValue(dom, "fig-not-reviewed-six-months"), "2");
  EXPECT_NE(dom.find("<svg id=\"chart-capacity\""), std::string::npos);

  // A screenshot, kept with the test results (build folder/Testing/reports).
  const std::filesystem::path build =
      std::filesystem::path(SP_ADAPTER_BINARY).parent_path().parent_path();
  const std::filesystem::path shots = build / "Testing" / "reports";
  std::filesystem::create_directories(shots);
  const std::string png = (shots / "reports-page.png").string();
  std::filesystem::remove(png);
  run("timeout 120 " + browser + flags +
      " --hide-scrollbars --window-size=1280,2000 --screenshot=" + png + " " + url);
  ASSERT_TRUE(std::filesystem::exists(png)) << "no screenshot at " << png;
  const std::string image = readFile(png);
  EXPECT_EQ(image.substr(1, 3), "PNG");
  EXPECT_GT(image.size(), 20000u) << "the screenshot looks empty";
  std::cerr << "screenshot of the report page: " << png << "\n";
  std::filesystem::remove_all(profile);
}

// --- Refusals for want of a place ---------------------------------------------------------------
//
// A referral to a full service, and the acceptance of a Task at one, are refused at once (409)
// and their writes rolled back; each refusal is still recorded, so the report counts it.
TEST(ReportsRefusals, RefusalsAtTheDoorAreCountedThoughTheRefusedWritesAreNot) {
  const std::string database = PostgresCluster::shared().freshDatabase();
  ServerProcess server(database,
                       ServerOptions{false, {"--dev-open-reports", "--handover-sweep-ms", "0"}});
  HttpClient client(server.baseUrl());
  const auto put = [&](const std::string& path, const rapidjson::Document& doc) {
    return client.send("PUT", path, write(doc));
  };
  ASSERT_EQ(put("/Organization/org-sp-hub", corpus("Organization-org-sp-hub.json")).status, 201);
  rapidjson::Document patient = corpus("Patient-pat-pryce.json");
  set(patient, "/id", quoted("p1"));
  remove(patient, "/identifier");
  remove(patient, "/generalPractitioner");
  ASSERT_EQ(put("/Patient/p1", patient).status, 201);
  // One place in all, free.
  rapidjson::Document service = corpus("HealthcareService-hs-walk-and-talk-alderton.json");
  set(service, "/id", quoted("hs-one"));
  set(service, "/providedBy", R"({"reference":"Organization/org-sp-hub"})");
  remove(service, "/coverageArea");
  remove(service, "/identifier");
  for (auto& e : service["extension"].GetArray()) {
    if (std::string(e["url"].GetString()).find("/capacity") == std::string::npos) continue;
    for (auto& sub : e["extension"].GetArray()) {
      if (sub.HasMember("valueUnsignedInt")) sub["valueUnsignedInt"].SetUint(1);
    }
  }
  ASSERT_EQ(put("/HealthcareService/hs-one", service).status, 201);

  const auto referral = [&](const std::string& id) {
    rapidjson::Document sr = corpus("ServiceRequest-sr-pryce-walking.json");
    set(sr, "/id", quoted(id));
    remove(sr, "/supportingInfo");
    remove(sr, "/basedOn");
    set(sr, "/subject", R"({"reference":"Patient/p1"})");
    set(sr, "/requester", R"({"reference":"Organization/org-sp-hub"})");
    set(sr, "/authoredOn", quoted(instant(daysAgo(1))));
    set(sr, "/performer", R"([{"reference":"HealthcareService/hs-one"}])");
    return put("/ServiceRequest/" + id, sr);
  };
  const auto accept = [&](const std::string& taskId) {
    rapidjson::Document task = parse(client.get("/Task/" + taskId).body);
    set(task, "/status", quoted("accepted"));
    return put("/Task/" + taskId, task);
  };
  // Two referrals while the place is free; the first takes it; the second's Task cannot.
  ASSERT_EQ(referral("ra").status, 201);
  ASSERT_EQ(referral("rb").status, 201);
  ASSERT_EQ(accept("ra-task").status, 200);
  const HttpResponse refusedTask = accept("rb-task");
  ASSERT_EQ(refusedTask.status, 409) << refusedTask.body;
  EXPECT_EQ(at(client.get("/Task/rb-task").body, "/status"), "requested");
  // A third referral to the full service is refused and not stored.
  const HttpResponse refusedReferral = referral("rc");
  ASSERT_EQ(refusedReferral.status, 409) << refusedReferral.body;
  EXPECT_NE(at(refusedReferral.body, "/issue/0/diagnostics").find("has no free place"),
            std::string::npos);
  EXPECT_EQ(client.get("/ServiceRequest/rc").status, 404);
  // In a transaction Bundle too (the whole transaction is refused).
  rapidjson::Document bundle(rapidjson::kObjectType);
  set(bundle, "/resourceType", quoted("Bundle"));
  set(bundle, "/type", quoted("transaction"));
  {
    rapidjson::Document sr = corpus("ServiceRequest-sr-pryce-walking.json");
    set(sr, "/id", quoted("rd"));
    remove(sr, "/supportingInfo");
    remove(sr, "/basedOn");
    set(sr, "/subject", R"({"reference":"Patient/p1"})");
    set(sr, "/requester", R"({"reference":"Organization/org-sp-hub"})");
    set(sr, "/performer", R"([{"reference":"HealthcareService/hs-one"}])");
    set(bundle, "/entry/0/resource", write(sr));
    set(bundle, "/entry/0/request", R"({"method":"PUT","url":"ServiceRequest/rd"})");
  }
  const HttpResponse refusedInBundle = client.send("POST", "/", write(bundle));
  ASSERT_EQ(refusedInBundle.status, 409) << refusedInBundle.body;
  EXPECT_EQ(client.get("/ServiceRequest/rd").status, 404);

  const std::string period =
      "period=" + date(daysAgo(7)) + "/" + date(Clock::now() + std::chrono::hours(24));
  const auto directoryFigure = [](const rapidjson::Document& doc, const std::string& name) {
    const rapidjson::Value* d = named(doc["parameter"], "directory");
    return d ? figure((*d)["part"], name) : std::nan("");
  };
  const auto serviceFigure = [](const rapidjson::Document& doc, const std::string& name) {
    for (const auto& p : doc["parameter"].GetArray()) {
      if (std::string(p["name"].GetString()) != "capacity") continue;
      const rapidjson::Value* s = named(p["part"], "service");
      if (s && std::string((*s)["valueReference"]["reference"].GetString()) ==
                   "HealthcareService/hs-one") {
        return figure(p["part"], name);
      }
    }
    return std::nan("");
  };
  const HttpResponse r = client.get("/$impact-report?" + period);
  ASSERT_EQ(r.status, 200) << r.body;
  const rapidjson::Document all = parse(r.body);
  // Stored referrals ra and rb; rb counts as refused for lack of capacity.
  EXPECT_EQ(figure(summary(all), "referrals"), 2);
  EXPECT_EQ(figure(summary(all), "refused-no-capacity"), 1);
  // All three refusals (rb's Task, the referrals rc and rd) at the service.
  EXPECT_EQ(directoryFigure(all, "refused-no-place"), 3);
  EXPECT_EQ(serviceFigure(all, "refused-no-place"), 3);
  EXPECT_EQ(serviceFigure(all, "places-free"), 0);
  // Filtered on the referrals, only the refusal about a counted referral (rb) remains.
  // (the corpus referral's route is single-point-of-referral)
  const rapidjson::Document spr =
      parse(client.get("/$impact-report?" + period + "&route=single-point-of-referral").body);
  EXPECT_EQ(directoryFigure(spr, "refused-no-place"), 1);
  const rapidjson::Document web =
      parse(client.get("/$impact-report?" + period + "&route=self-referral-web").body);
  EXPECT_EQ(directoryFigure(web, "refused-no-place"), 0);
  // A period before the refusals has none.
  const rapidjson::Document before = parse(
      client.get("/$impact-report?period=" + date(daysAgo(30)) + "/" + date(daysAgo(20))).body);
  EXPECT_EQ(directoryFigure(before, "refused-no-place"), 0);
  // The page and the CSV show them too.
  EXPECT_NE(
      client.get("/reports?" + period).body.find("id=\"fig-refused-no-place\" data-value=\"3\""),
      std::string::npos);
  EXPECT_NE(client.get("/reports.csv?" + period).body.find("refused-no-place,3"),
            std::string::npos);
}

// --- Who may see reports (mutual TLS) ----------------------------------------------------------

TEST(ReportsAccess, CommissionersAndAdministratorsOnly) {
  const std::string database = PostgresCluster::shared().freshDatabase();
  ServerProcess tls(database, ServerOptions{true, {"--handover-sweep-ms", "0"}});
  const Certificates& certs = testCertificates();
  const auto as = [&](const std::string& slug) {
    return HttpClient(tls.baseUrl(), TlsOptions{certs.ca(), certs.cert(slug), certs.key(slug)});
  };
  for (const char* slug : {"commissioner", "admin"}) {
    HttpClient client = as(slug);
    EXPECT_EQ(client.get("/$impact-report").status, 200) << slug;
    EXPECT_EQ(client.get("/reports").status, 200) << slug;
    EXPECT_EQ(client.get("/reports.csv").status, 200) << slug;
  }
  for (const char* slug : {"gp", "vcse-walking", "linkworker"}) {
    HttpClient client = as(slug);
    for (const char* path : {"/$impact-report", "/reports", "/reports.csv"}) {
      const HttpResponse r = client.get(path);
      EXPECT_EQ(r.status, 403) << slug << " " << path;
      EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << slug << " " << path;
      EXPECT_EQ(at(r.body, "/issue/0/code"), "forbidden");
    }
  }
  HttpClient gp = as("gp");
  EXPECT_NE(at(gp.get("/reports").body, "/issue/0/diagnostics").find("A81001 is a gp-practice"),
            std::string::npos);
  // The FHIR API is not affected.
  EXPECT_EQ(gp.get("/metadata").status, 200);

  // Plain HTTP has no caller: refused, unless the development flag opens reports.
  ServerProcess plain(database, ServerOptions{false, {"--handover-sweep-ms", "0"}});
  const HttpResponse refused = HttpClient(plain.baseUrl()).get("/$impact-report");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(at(refused.body, "/issue/0/diagnostics").find("has none"), std::string::npos);
}

}  // namespace
}  // namespace sp::testing
