// The referral workflow over real HTTPS, with the partners' client certificates, against a real
// PostgreSQL: every Task move (legal and illegal, by status, by party, without a reason), the
// pool claim, a referral's Task, onward referral and the story read in one search, re-access,
// places taken and given back, the last-place race, alternatives, and the warm handover
// (accept, reject, cancel, expiry, concurrent accept and reject).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "sample_resources.h"
#include "start_gate.h"

namespace sp::testing {
namespace {

const std::string kProfiles = "https://fhir.social-prescribing.example.org/StructureDefinition/";
const std::string kCodes = "https://fhir.social-prescribing.example.org/CodeSystem/";
const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
const std::vector<std::string> kPatchType = {"Content-Type: application/json-patch+json"};

// The partners of certs/organisations.csv that these tests use.
const std::vector<std::pair<std::string, std::string>> kPartners = {
    {"gp", "A81001"},           {"linkworker", "PCN0001"},
    {"spor", "SPR0001"},        {"vcse-walking", "VCS0001"},
    {"vcse-carers", "VCS0002"}, {"navigator", "MHN0001"},
    {"admin", "ADM0001"}};

std::string issues(const std::string& outcome) {
  std::string text;
  rapidjson::Document doc = parse(outcome);
  if (!doc.IsObject() || !doc.HasMember("issue")) return outcome;
  for (const auto& issue : doc["issue"].GetArray()) {
    text += at(issue, "/severity") + " " + at(issue, "/code") + " " + at(issue, "/diagnostics") +
            " @" + at(issue, "/expression/0") + "\n";
  }
  return text;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

int countStatus(const std::vector<HttpResponse>& responses, long status) {
  return static_cast<int>(
      std::count_if(responses.begin(), responses.end(),
                    [status](const HttpResponse& r) { return r.status == status; }));
}

std::string describe(const std::vector<HttpResponse>& responses) {
  std::string text;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    text += std::to_string(i) + ": " + std::to_string(responses[i].status) + " " +
            responses[i].error + " " + responses[i].body.substr(0, 300) + "\n";
  }
  return text;
}

class Workflow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new std::string(PostgresCluster::shared().freshDatabase());
    // Two processes on one database; neither sweeps handovers (the expiry test starts its own).
    server_ = std::make_unique<ServerProcess>(*database_,
                                              ServerOptions{true, {"--handover-sweep-ms", "0"}});
    second_ = std::make_unique<ServerProcess>(*database_,
                                              ServerOptions{true, {"--handover-sweep-ms", "0"}});
    for (const auto& [slug, ods] : kPartners) {
      const std::string org = R"({"resourceType":"Organization",)" +
                              samples::narrative("Organisation " + ods) +
                              R"("identifier":[{"system":")" + kOds + R"(","value":")" + ods +
                              R"("}],"active":true,"name":")" + slug + R"("})";
      HttpResponse r = client("admin").send("POST", "/Organization", org);
      ASSERT_EQ(r.status, 201) << r.body;
      (*orgs_)[slug] = at(r.body, "/id");
    }
    // A GP's practitioner role: requester references resolve through it to the practice.
    gpRole_ = new std::string(
        create("gp", "PractitionerRole",
               R"({"resourceType":"PractitionerRole",)" + samples::narrative("Dr Osei") +
                   R"("active":true,"organization":{"reference":")" + org("gp") + R"("}})"));
  }
  static void TearDownTestSuite() {
    clients_.clear();
    second_.reset();
    server_.reset();
    delete gpRole_;  // each suite of this fixture makes its own (LeakSanitizer saw them leak)
    gpRole_ = nullptr;
    delete database_;
    database_ = nullptr;
  }

  // A client with `slug`'s certificate (one per partner and server, kept for the suite).
  static HttpClient& client(const std::string& slug, ServerProcess* server = nullptr) {
    ServerProcess* s = server ? server : server_.get();
    const std::string key = slug + "@" + s->baseUrl();
    auto it = clients_.find(key);
    if (it == clients_.end()) {
      it = clients_.emplace(key, newClient(slug, *s)).first;
    }
    return *it->second;
  }
  static std::unique_ptr<HttpClient> newClient(const std::string& slug, ServerProcess& server) {
    const Certificates& certs = testCertificates();
    return std::make_unique<HttpClient>(server.baseUrl(),
                                        TlsOptions{certs.ca(), certs.cert(slug), certs.key(slug)});
  }

  static std::string org(const std::string& slug) { return "Organization/" + orgs_->at(slug); }

  static std::string create(const std::string& slug, const std::string& type,
                            const std::string& json) {
    HttpResponse r = client(slug).send("POST", "/" + type, json);
    EXPECT_EQ(r.status, 201) << type << ": " << r.body;
    return at(r.body, "/id");
  }

  // Reads as the first partner whose compartment holds the resource (each sees only its own
  // work: docs/security.md); the directory is read by all.
  static std::string read(const std::string& path) {
    HttpResponse r;
    for (const char* slug :
         {"gp", "linkworker", "spor", "vcse-walking", "vcse-carers", "navigator"}) {
      r = client(slug).get(path);
      if (r.status != 404) break;
    }
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.body;
  }

  static std::string patient(const std::string& more = "") {
    return create("gp", "Patient",
                  samples::patient("Pryce", R"(,"address":[{"use":"home","city":"Alderton",)"
                                            R"("postalCode":"NE99 4QA"}])" +
                                                more));
  }

  // A referral (sp-referral) for `patientId` by the GP, to `performer` ("" for none).
  static std::string referralJson(const std::string& patientId, const std::string& performer,
                                  const std::string& more = "", const std::string& route = "gp") {
    std::string json =
        samples::referral("Patient/" + patientId, "PractitionerRole/" + *gpRole_, route);
    json = with(json, "/reasonCode",
                R"([{"coding":[{"system":")" + kCodes +
                    R"(priority-cohort","code":"social-isolation-loneliness"}]}])");
    if (!performer.empty())
      json = with(json, "/performer", R"([{"reference":")" + performer + R"("}])");
    if (!more.empty()) {
      rapidjson::Document doc = parse(json);
      rapidjson::Document extra = parse("{" + more + "}");
      for (auto& m : extra.GetObject()) {
        rapidjson::Value name(m.name, doc.GetAllocator());
        rapidjson::Value value(m.value, doc.GetAllocator());
        doc.RemoveMember(name);
        doc.AddMember(name, value, doc.GetAllocator());
      }
      json = write(doc);
    }
    return json;
  }

  // A referral Task.
  static std::string taskJson(const std::string& status, const std::string& focus,
                              const std::string& patientId, const std::string& requester,
                              const std::string& owner, const std::string& more = "") {
    return R"({"resourceType":"Task",)" + samples::narrative("Act on the referral") +
           R"("status":")" + status + R"(","intent":"order","code":{"coding":[{"system":")" +
           kCodes + R"(task-code","code":"fulfill-referral"}]},"focus":{"reference":")" + focus +
           R"("},"for":{"reference":"Patient/)" + patientId + R"("},"requester":{"reference":")" +
           requester + R"("})" +
           (owner.empty() ? std::string() : R"(,"owner":{"reference":")" + owner + R"("})") + more +
           "}";
  }

  // A warm handover Task: `sender` hands `t1` over to `receiver`.
  static std::string handoverJson(const std::string& t1, const std::string& focus,
                                  const std::string& patientId, const std::string& sender,
                                  const std::string& receiver) {
    return R"({"resourceType":"Task",)" + samples::narrative("Warm handover") +
           R"("status":"requested","intent":"order","code":{"coding":[{"system":")" + kCodes +
           R"(task-code","code":"warm-handover"}]},"partOf":[{"reference":"Task/)" + t1 +
           R"("}],"focus":{"reference":")" + focus + R"("},"for":{"reference":"Patient/)" +
           patientId + R"("},"requester":{"reference":")" + sender +
           R"("},"owner":{"reference":")" + receiver +
           R"("},"input":[{"type":{"text":"Handover note"},"valueString":"Prefers mornings."}]})";
  }

  // A directory entry (sp-directory-entry).
  struct ServiceSpec {
    std::string name = "Walks";
    std::string providedBy;
    int total = 10;
    int free = 3;
    std::string status = "capacity";
    std::string category = "23";
    std::string cohort;        // priority-cohort code served, or none
    std::string location;      // "Location/<id>" or ""
    std::string coverageArea;  // "Location/<id>" or ""
  };
  static std::string serviceJson(const ServiceSpec& s) {
    std::string ext =
        R"({"url":")" + kProfiles + R"(capacity","extension":[{"url":"total","valueUnsignedInt":)" +
        std::to_string(s.total) + R"(},{"url":"free","valueUnsignedInt":)" +
        std::to_string(s.free) + R"(},{"url":"status","valueCode":")" + s.status +
        R"("}]},{"url":")" + kProfiles + R"(governance-tier","valueCoding":{"system":")" + kCodes +
        R"(governance-tier","code":"tier-1"}},{"url":")" + kProfiles +
        R"(last-reviewed","valueDate":"2026-10-14"})";
    if (!s.cohort.empty()) {
      ext += R"(,{"url":")" + kProfiles + R"(cohorts-served","valueCoding":{"system":")" + kCodes +
             R"(priority-cohort","code":")" + s.cohort + R"("}})";
    }
    std::string json =
        R"({"resourceType":"HealthcareService",)" + samples::narrative(s.name) +
        R"("extension":[)" + ext + R"(],"active":true,"providedBy":{"reference":")" + s.providedBy +
        R"("},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/service-category","code":")" +
        s.category + R"("}]}],"name":")" + s.name + R"(")";
    if (!s.location.empty()) json += R"(,"location":[{"reference":")" + s.location + R"("}])";
    if (!s.coverageArea.empty()) {
      json += R"(,"coverageArea":[{"reference":")" + s.coverageArea + R"("}])";
    }
    return json + "}";
  }
  // A walking group of the walking charity with `total` places, `free` of them free.
  static ServiceSpec walkingGroup(const std::string& name, int total = 10, int free = 3) {
    ServiceSpec s;
    s.name = name;
    s.providedBy = org("vcse-walking");
    s.total = total;
    s.free = free;
    return s;
  }
  static std::string service(const ServiceSpec& s) {
    return create("admin", "HealthcareService", serviceJson(s));
  }
  static std::string location(double latitude, double longitude) {
    return create("admin", "Location",
                  R"({"resourceType":"Location",)" + samples::narrative("A place") +
                      R"("name":"A place","position":{"longitude":)" + std::to_string(longitude) +
                      R"(,"latitude":)" + std::to_string(latitude) + "}}");
  }

  static int freePlaces(const std::string& serviceId) {
    rapidjson::Document doc = parse(read("/HealthcareService/" + serviceId));
    for (const auto& ext : doc["extension"].GetArray()) {
      if (at(ext, "/url") != kProfiles + "capacity") continue;
      for (const auto& sub : ext["extension"].GetArray()) {
        if (at(sub, "/url") == "free") return static_cast<int>(sub["valueUnsignedInt"].GetInt64());
      }
    }
    return -1;
  }

  // Moves a Task with a JSON Patch, adding a statusReason when one is given.
  static HttpResponse move(HttpClient& c, const std::string& taskId, const std::string& status,
                           const std::string& reason = "") {
    std::string patch = R"([{"op":"replace","path":"/status","value":")" + status + R"("})";
    if (!reason.empty()) {
      patch += R"(,{"op":"add","path":"/statusReason","value":{"text":")" + reason + R"("}})";
    }
    return c.request("PATCH", "/Task/" + taskId, patch + "]", kPatchType);
  }
  static void moveOk(HttpClient& c, const std::string& taskId, const std::string& status,
                     const std::string& reason = "") {
    HttpResponse r = move(c, taskId, status, reason);
    ASSERT_EQ(r.status, 200) << taskId << " -> " << status << ": " << issues(r.body);
    ASSERT_EQ(at(r.body, "/status"), status);
  }
  static std::string statusOf(const std::string& type, const std::string& id) {
    return at(read("/" + type + "/" + id), "/status");
  }
  static std::string businessStatusOf(const std::string& taskId) {
    return at(read("/Task/" + taskId), "/businessStatus/coding/0/code");
  }

  // Runs `work(i)` on `n` threads released together; returns the responses in thread order.
  static std::vector<HttpResponse> together(int n, const std::function<HttpResponse(int)>& work) {
    std::vector<HttpResponse> responses(n);
    StartGate gate(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        gate.arriveAndWait();
        responses[i] = work(i);
      });
    }
    for (auto& t : threads) t.join();
    return responses;
  }

  static std::string* database_;
  static std::unique_ptr<ServerProcess> server_;
  static std::unique_ptr<ServerProcess> second_;
  static std::map<std::string, std::unique_ptr<HttpClient>> clients_;
  static std::map<std::string, std::string>* orgs_;
  static std::string* gpRole_;
};

std::string* Workflow::database_ = nullptr;
std::unique_ptr<ServerProcess> Workflow::server_;
std::unique_ptr<ServerProcess> Workflow::second_;
std::map<std::string, std::unique_ptr<HttpClient>> Workflow::clients_;
std::map<std::string, std::string>* Workflow::orgs_ = new std::map<std::string, std::string>();
std::string* Workflow::gpRole_ = nullptr;

// --- the state machine ------------------------------------------------------------------

// How each status is reached from a new Task, and who makes each move.
struct Step {
  const char* status;
  const char* by;  // requester | owner | creator
};
const std::map<std::string, std::vector<Step>> kPaths = {
    {"draft", {}},
    {"requested", {}},
    {"received", {{"received", "owner"}}},
    {"accepted", {{"accepted", "owner"}}},
    {"in-progress", {{"accepted", "owner"}, {"in-progress", "owner"}}},
    {"on-hold", {{"accepted", "owner"}, {"on-hold", "owner"}}},
    {"completed", {{"accepted", "owner"}, {"in-progress", "owner"}, {"completed", "owner"}}},
    {"failed", {{"accepted", "owner"}, {"in-progress", "owner"}, {"failed", "owner"}}},
    {"rejected", {{"rejected", "owner"}}},
    {"cancelled", {{"cancelled", "requester"}}},
    {"entered-in-error", {{"entered-in-error", "creator"}}},
};
const std::set<std::string> kNeedReason = {"rejected", "cancelled", "on-hold", "failed"};

// The moves of the issue, written out again here (not taken from the adapter's table).
struct LegalMove {
  std::string from;
  std::string to;
  std::string by;  // requester | owner | creator
};
std::vector<LegalMove> legalMoves() {
  std::vector<LegalMove> moves = {
      {"draft", "requested", "requester"},  {"requested", "received", "owner"},
      {"requested", "accepted", "owner"},   {"requested", "rejected", "owner"},
      {"received", "accepted", "owner"},    {"received", "rejected", "owner"},
      {"accepted", "in-progress", "owner"}, {"accepted", "on-hold", "owner"},
      {"accepted", "completed", "owner"},   {"accepted", "failed", "owner"},
      {"in-progress", "on-hold", "owner"},  {"in-progress", "completed", "owner"},
      {"in-progress", "failed", "owner"},   {"on-hold", "in-progress", "owner"},
  };
  for (const char* from :
       {"draft", "requested", "received", "accepted", "in-progress", "on-hold"}) {
    moves.push_back({from, "cancelled", "requester"});
    moves.push_back({from, "cancelled", "owner"});
  }
  for (const auto& [from, path] : kPaths) {
    if (from != "entered-in-error") moves.push_back({from, "entered-in-error", "creator"});
  }
  return moves;
}

class WorkflowMoves : public Workflow {
 protected:
  // The parties of these Tasks: the GP asks (through its practitioner role), the walking
  // group owns, the single point of referral made the Task.
  static HttpClient& party(const std::string& role) {
    if (role == "requester") return client("gp");
    if (role == "owner") return client("vcse-walking");
    return client("spor");
  }
  static std::string reasonFor(const std::string& status) {
    return kNeedReason.count(status) ? "because it is " + status : "";
  }
  // A Task brought to `status` by legal moves.
  static std::string taskAt(const std::string& status, const std::string& patientId,
                            const std::string& referralId) {
    const std::string created = status == "draft" ? "draft" : "requested";
    const std::string id = create("spor", "Task",
                                  taskJson(created, "ServiceRequest/" + referralId, patientId,
                                           "PractitionerRole/" + *gpRole_, org("vcse-walking")));
    for (const Step& step : kPaths.at(status)) {
      moveOk(party(step.by), id, step.status, reasonFor(step.status));
    }
    EXPECT_EQ(statusOf("Task", id), status);
    return id;
  }
};

TEST_F(WorkflowMoves, EveryLegalMoveByItsParty) {
  const std::string p = patient();
  const std::string referral = create("gp", "ServiceRequest", referralJson(p, ""));
  int made = 0;
  for (const LegalMove& m : legalMoves()) {
    SCOPED_TRACE(m.from + " -> " + m.to + " by the " + m.by);
    const std::string id = taskAt(m.from, p, referral);
    HttpResponse r = move(party(m.by), id, m.to, reasonFor(m.to));
    EXPECT_EQ(r.status, 200) << issues(r.body);
    EXPECT_EQ(statusOf("Task", id), m.to);
    ++made;
  }
  EXPECT_EQ(made, 14 + 12 + 10);
}

TEST_F(WorkflowMoves, EveryIllegalStatusMoveIs409WithTheMovesAllowed) {
  // Requester, owner and creator are one organisation, so only the status decides.
  const std::string p = patient();
  const std::string referral = create("gp", "ServiceRequest", referralJson(p, ""));
  HttpClient& lw = client("linkworker");
  std::set<std::pair<std::string, std::string>> legal;
  for (const LegalMove& m : legalMoves()) legal.insert({m.from, m.to});
  const std::vector<std::string> statuses = {
      "draft",     "requested", "received", "accepted",  "in-progress",      "on-hold",
      "completed", "failed",    "rejected", "cancelled", "entered-in-error", "ready"};
  int refused = 0;
  for (const auto& [from, path] : kPaths) {
    const std::string id =
        create("linkworker", "Task",
               taskJson(from == "draft" ? "draft" : "requested", "ServiceRequest/" + referral, p,
                        org("linkworker"), org("linkworker")));
    for (const Step& step : path) moveOk(lw, id, step.status, reasonFor(step.status));
    const std::string version = at(read("/Task/" + id), "/meta/versionId");
    for (const std::string& to : statuses) {
      if (to == from || legal.count({from, to})) continue;
      // Work begun on a referral not yet accepted: the adapter records the acceptance it implies
      // first (docs/workflow.md, implicit acceptance; ImplicitAcceptance* tests).
      if (to == "in-progress" && (from == "requested" || from == "received")) continue;
      SCOPED_TRACE(from + " -> " + to);
      HttpResponse r = move(lw, id, to, "because");
      EXPECT_EQ(r.status, 409) << issues(r.body);
      EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome");
      EXPECT_EQ(at(r.body, "/issue/0/code"), "business-rule");
      EXPECT_EQ(at(r.body, "/issue/0/expression/0"), "Task.status");
      const std::string why = at(r.body, "/issue/0/diagnostics");
      EXPECT_TRUE(contains(why, from + " -> " + to + " is not a move")) << why;
      if (from == "entered-in-error") {
        EXPECT_TRUE(contains(why, "entered-in-error is final")) << why;
      } else {
        EXPECT_TRUE(contains(why, "From " + from + " the allowed moves are:")) << why;
        EXPECT_TRUE(contains(why, "entered-in-error (by whoever created the Task)")) << why;
      }
      ++refused;
    }
    EXPECT_EQ(at(read("/Task/" + id), "/meta/versionId"), version) << from;
    EXPECT_EQ(statusOf("Task", id), from);
  }
  // 11 statuses to 11 others, less the 30 moves and the 2 that imply acceptance
  EXPECT_EQ(refused, 11 * 11 - 30 - 2);
}

TEST_F(WorkflowMoves, EveryLegalMoveByTheWrongPartyIs409SayingToWhom) {
  const std::string p = patient();
  const std::string referral = create("gp", "ServiceRequest", referralJson(p, ""));
  // The wrong parties for each mover: the requester may not make the owner's moves, and so on.
  const std::map<std::string, std::vector<std::string>> wrong = {
      {"requester", {"owner"}},
      {"owner", {"requester", "creator"}},
      {"creator", {"requester", "owner"}},
  };
  const std::map<std::string, std::string> who = {{"requester", "only by the requester"},
                                                  {"owner", "only by the owner"},
                                                  {"creator", "only by whoever created the Task"}};
  int refused = 0;
  for (const LegalMove& m : legalMoves()) {
    if (m.to == "cancelled") continue;  // either side: tested with a stranger below
    const std::string id = taskAt(m.from, p, referral);
    for (const std::string& by : wrong.at(m.by)) {
      SCOPED_TRACE(m.from + " -> " + m.to + " by the " + by);
      HttpResponse r = move(party(by), id, m.to, reasonFor(m.to));
      EXPECT_EQ(r.status, 409) << issues(r.body);
      const std::string why = at(r.body, "/issue/0/diagnostics");
      EXPECT_TRUE(contains(why, m.from + " -> " + m.to + " may be made " + who.at(m.by))) << why;
      EXPECT_TRUE(contains(why, "From " + m.from + " the allowed moves are:")) << why;
      EXPECT_EQ(statusOf("Task", id), m.from);
      ++refused;
    }
  }
  EXPECT_GE(refused, 24);
  // Cancelling is for either side: an organisation that is neither gets 403.
  const std::string id = taskAt("in-progress", p, referral);
  HttpResponse stranger = move(client("vcse-carers"), id, "cancelled", "because");
  EXPECT_EQ(stranger.status, 403) << issues(stranger.body);
  EXPECT_EQ(at(stranger.body, "/issue/0/code"), "forbidden");
  EXPECT_TRUE(contains(at(stranger.body, "/issue/0/diagnostics"),
                       "organisation VCS0002 is neither its requester, its owner nor its creator"))
      << stranger.body;
  EXPECT_EQ(statusOf("Task", id), "in-progress");
}

TEST_F(WorkflowMoves, MovesThatNeedAReasonAre422Without) {
  const std::string p = patient();
  const std::string referral = create("gp", "ServiceRequest", referralJson(p, ""));
  int refused = 0;
  for (const LegalMove& m : legalMoves()) {
    if (!kNeedReason.count(m.to)) continue;
    SCOPED_TRACE(m.from + " -> " + m.to + " by the " + m.by);
    const std::string id = taskAt(m.from, p, referral);
    HttpResponse r = move(party(m.by), id, m.to);
    EXPECT_EQ(r.status, 422) << issues(r.body);
    EXPECT_EQ(at(r.body, "/issue/0/code"), "required");
    EXPECT_EQ(at(r.body, "/issue/0/expression/0"), "Task.statusReason");
    EXPECT_EQ(statusOf("Task", id), m.from);
    ++refused;
  }
  EXPECT_EQ(refused, 6 + 12);  // rejected, on-hold and failed twice each; 12 cancels
}

TEST_F(WorkflowMoves, ForFocusRequesterAndOwnerCannotChange) {
  const std::string p = patient();
  const std::string other = patient();
  const std::string referral = create("gp", "ServiceRequest", referralJson(p, ""));
  const std::string id = taskAt("accepted", p, referral);
  HttpClient& owner = client("vcse-walking");
  const std::vector<std::pair<std::string, std::string>> changes = {
      {"/for", R"({"reference":"Patient/)" + other + R"("})"},
      {"/focus", R"({"reference":"ServiceRequest/elsewhere"})"},
      {"/requester", R"({"reference":")" + org("spor") + R"("})"},
      {"/owner", R"({"reference":")" + org("vcse-carers") + R"("})"},
  };
  for (const auto& [pointer, value] : changes) {
    SCOPED_TRACE(pointer);
    const std::string patch =
        R"([{"op":"replace","path":")" + pointer + R"(","value":)" + value + "}]";
    HttpResponse r = owner.request("PATCH", "/Task/" + id, patch, kPatchType);
    EXPECT_EQ(r.status, 409) << issues(r.body);
    EXPECT_EQ(at(r.body, "/issue/0/expression/0"), "Task" + std::string(".") + pointer.substr(1));
    EXPECT_TRUE(contains(at(r.body, "/issue/0/diagnostics"), "make a new Task instead")) << r.body;
  }
  // A full update with a stale owner is refused the same way.
  std::string body = with(read("/Task/" + id), "/owner", R"({"reference":")" + org("gp") + R"("})");
  HttpResponse put = owner.send("PUT", "/Task/" + id, body);
  EXPECT_EQ(put.status, 409) << issues(put.body);
  EXPECT_EQ(at(read("/Task/" + id), "/owner/reference"), org("vcse-walking"));
}

TEST_F(WorkflowMoves, BusinessStatusStepsOnlyWhileActiveAndByTheOwner) {
  const std::string p = patient();
  const std::string referral = create("gp", "ServiceRequest", referralJson(p, ""));
  const std::string id = taskAt("in-progress", p, referral);
  auto step = [&](const std::string& code) {
    return R"([{"op":"add","path":"/businessStatus","value":{"coding":[{"system":")" + kCodes +
           R"(task-business-status","code":")" + code + R"("}]}}])";
  };
  HttpResponse ok = client("vcse-walking")
                        .request("PATCH", "/Task/" + id, step("first-contact-made"), kPatchType);
  EXPECT_EQ(ok.status, 200) << issues(ok.body);
  EXPECT_EQ(businessStatusOf(id), "first-contact-made");
  HttpResponse requester =
      client("gp").request("PATCH", "/Task/" + id, step("attending"), kPatchType);
  EXPECT_EQ(requester.status, 409) << issues(requester.body);
  EXPECT_EQ(at(requester.body, "/issue/0/expression/0"), "Task.businessStatus");
  HttpResponse reserved =
      client("vcse-walking").request("PATCH", "/Task/" + id, step("handed-over"), kPatchType);
  EXPECT_EQ(reserved.status, 409) << issues(reserved.body);
  moveOk(client("vcse-walking"), id, "completed");
  HttpResponse finished =
      client("vcse-walking").request("PATCH", "/Task/" + id, step("attending"), kPatchType);
  EXPECT_EQ(finished.status, 409) << issues(finished.body);
  EXPECT_TRUE(contains(at(finished.body, "/issue/0/diagnostics"), "only while the Task is active"));
  EXPECT_EQ(businessStatusOf(id), "first-contact-made");
}

TEST_F(WorkflowMoves, AdapterKeepsLastModifiedExecutionPeriodAndTheCreator) {
  const std::string p = patient();
  const std::string referral = create("gp", "ServiceRequest", referralJson(p, ""));
  const std::string id = taskAt("accepted", p, referral);
  const auto createdTags = tags(read("/Task/" + id));
  // The single point of referral made it (and sent only the project's Task code).
  EXPECT_NE(std::find(createdTags.begin(), createdTags.end(),
                      "https://fhir.social-prescribing.example.org/tag/created-by|SPR0001"),
            createdTags.end());
  EXPECT_NE(
      std::find(createdTags.begin(), createdTags.end(),
                "https://fhir.social-prescribing.example.org/CodeSystem/hub-derived|task-code"),
      createdTags.end());
  std::string body = read("/Task/" + id);
  body = with(body, "/status", quoted("in-progress"));
  body = with(body, "/lastModified", quoted("2001-01-01T00:00:00Z"));
  body = with(body, "/executionPeriod", R"({"start":"2001-01-01T00:00:00Z"})");
  body = with(
      body, "/meta/tag",
      R"([{"system":"https://fhir.social-prescribing.example.org/tag/created-by","code":"VCS0001"}])");
  HttpResponse r = client("vcse-walking").send("PUT", "/Task/" + id, body);
  ASSERT_EQ(r.status, 200) << issues(r.body);
  const std::string lastModified = at(r.body, "/lastModified");
  EXPECT_FALSE(lastModified.empty());
  EXPECT_NE(lastModified, "2001-01-01T00:00:00Z");
  EXPECT_EQ(at(r.body, "/executionPeriod/start"), lastModified);
  EXPECT_EQ(at(r.body, "/meta/tag/0/code"), "SPR0001");
  moveOk(client("vcse-walking"), id, "completed");
  rapidjson::Document done = parse(read("/Task/" + id));
  EXPECT_EQ(at(done, "/executionPeriod/start"), lastModified);
  EXPECT_EQ(at(done, "/executionPeriod/end"), at(done, "/lastModified"));
}

// --- the pool ---------------------------------------------------------------------------

TEST_F(Workflow, PoolTaskIsClaimedExactlyOnceUnderConcurrency) {
  const std::string p = patient();
  // The GP refers (its practitioner is the requester); the SPoR puts the work in the pool.
  const std::string referral = create("gp", "ServiceRequest", referralJson(p, ""));
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string id = create(
        "spor", "Task", taskJson("requested", "ServiceRequest/" + referral, p, org("spor"), ""));
    // Eligible organisations find it among the unowned Tasks.
    HttpResponse pool = client("linkworker").get("/Task?owner:missing=true&_id=" + id);
    ASSERT_EQ(pool.status, 200) << pool.body;
    EXPECT_EQ(arraySize(pool.body, "/entry"), 1u) << pool.body;
    // Six organisations claim it at once, each for itself (and accepts it in the same write).
    const std::vector<std::string> claimers = {"linkworker", "vcse-walking", "vcse-carers",
                                               "navigator",  "gp",           "spor"};
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (std::size_t i = 0; i < claimers.size(); ++i) {
      clients.push_back(newClient(claimers[i], i % 2 ? *second_ : *server_));
      clients.back()->get("/metadata");
    }
    const auto responses = together(static_cast<int>(claimers.size()), [&](int i) {
      const std::string patch = R"([{"op":"add","path":"/owner","value":{"reference":")" +
                                org(claimers[i]) +
                                R"("}},{"op":"replace","path":"/status","value":"accepted"}])";
      return clients[i]->request("PATCH", "/Task/" + id, patch, kPatchType);
    });
    ASSERT_EQ(countStatus(responses, 200), 1) << describe(responses);
    ASSERT_EQ(countStatus(responses, 409), 5) << describe(responses);
    std::string winner;
    for (std::size_t i = 0; i < responses.size(); ++i) {
      if (responses[i].status == 200) winner = claimers[i];
      if (responses[i].status == 409) {
        EXPECT_TRUE(contains(at(responses[i].body, "/issue/0/diagnostics"), "claimed only once"))
            << responses[i].body;
      }
    }
    rapidjson::Document stored = parse(read("/Task/" + id));
    EXPECT_EQ(at(stored, "/owner/reference"), org(winner));
    EXPECT_EQ(at(stored, "/status"), "accepted");
    EXPECT_EQ(at(stored, "/meta/versionId"), "2");
    HttpResponse after = client("linkworker").get("/Task?owner:missing=true&_id=" + id);
    EXPECT_EQ(arraySize(after.body, "/entry"), 0u) << after.body;
  }
  // An organisation may not claim a pool Task for someone else; the requester may assign it.
  const std::string id = create(
      "spor", "Task", taskJson("requested", "ServiceRequest/" + referral, p, org("spor"), ""));
  const std::string assign =
      R"([{"op":"add","path":"/owner","value":{"reference":")" + org("linkworker") + R"("}}])";
  HttpResponse forOther = client("vcse-carers").request("PATCH", "/Task/" + id, assign, kPatchType);
  EXPECT_EQ(forOther.status, 403) << issues(forOther.body);
  HttpResponse assigned = client("spor").request("PATCH", "/Task/" + id, assign, kPatchType);
  EXPECT_EQ(assigned.status, 200) << issues(assigned.body);
  moveOk(client("linkworker"), id, "accepted");
}

// --- referral in, follow, onward, re-access -------------------------------------------------

TEST_F(Workflow, ReferralToAPerformerGetsItsTaskInTheSameTransaction) {
  const std::string p = patient();
  // To an organisation: it owns the Task.
  const std::string toOrg = create("gp", "ServiceRequest", referralJson(p, org("spor")));
  rapidjson::Document task = parse(read("/Task/" + toOrg + "-task"));
  EXPECT_EQ(at(task, "/status"), "requested");
  EXPECT_EQ(at(task, "/intent"), "order");
  EXPECT_EQ(codings(read("/Task/" + toOrg + "-task"), "/code"),
            (std::vector<std::string>{"http://hl7.org/fhir/CodeSystem/task-code|fulfill",
                                      "https://fhir.social-prescribing.example.org/CodeSystem/"
                                      "task-code|fulfill-referral"}));
  EXPECT_EQ(at(task, "/focus/reference"), "ServiceRequest/" + toOrg);
  EXPECT_EQ(at(task, "/for/reference"), "Patient/" + p);
  EXPECT_EQ(at(task, "/requester/reference"), "PractitionerRole/" + *gpRole_);
  EXPECT_EQ(at(task, "/owner/reference"), org("spor"));
  EXPECT_EQ(at(task, "/meta/tag/0/code"), "A81001");
  EXPECT_EQ(at(task, "/meta/versionId"), "1");
  // To a service: its organisation owns the Task.
  const std::string walks = service(walkingGroup("Referral walks"));
  const std::string toService =
      create("gp", "ServiceRequest", referralJson(p, "HealthcareService/" + walks));
  EXPECT_EQ(at(read("/Task/" + toService + "-task"), "/owner/reference"), org("vcse-walking"));
  // To a practitioner role: its organisation.
  const std::string toRole =
      create("gp", "ServiceRequest", referralJson(p, "PractitionerRole/" + *gpRole_));
  EXPECT_EQ(at(read("/Task/" + toRole + "-task"), "/owner/reference"), org("gp"));
  // The owner acts on it at once; the GP cannot.
  EXPECT_EQ(move(client("gp"), toOrg + "-task", "accepted").status, 409);
  moveOk(client("spor"), toOrg + "-task", "accepted");
  // A draft gets no Task until it becomes active; then it gets one.
  const std::string draft = create("gp", "ServiceRequest",
                                   with(referralJson(p, org("spor")), "/status", quoted("draft")));
  EXPECT_EQ(client("gp").get("/Task/" + draft + "-task").status, 404);
  HttpResponse active =
      client("gp").request("PATCH", "/ServiceRequest/" + draft,
                           R"([{"op":"replace","path":"/status","value":"active"}])", kPatchType);
  ASSERT_EQ(active.status, 200) << issues(active.body);
  EXPECT_EQ(statusOf("Task", draft + "-task"), "requested");
  // A second Task for the same referral is refused while the adapter's is live.
  HttpResponse second = client("gp").send(
      "POST", "/Task",
      taskJson("requested", "ServiceRequest/" + toOrg, p, org("gp"), org("vcse-carers")));
  EXPECT_EQ(second.status, 409) << issues(second.body);
  EXPECT_TRUE(contains(at(second.body, "/issue/0/diagnostics"), "already has its Task"));
}

TEST_F(Workflow, TransactionWithItsOwnTaskFirstGetsNoSecondOne) {
  const std::string p = patient();
  const std::string srUrn = "urn:uuid:3f7c6a10-0000-4000-8000-0000000000a1";
  const std::string bundle =
      R"({"resourceType":"Bundle","type":"transaction","entry":[)"
      R"({"fullUrl":"urn:uuid:3f7c6a10-0000-4000-8000-0000000000a2","resource":)" +
      taskJson("requested", srUrn, p, "PractitionerRole/" + *gpRole_, org("spor")) +
      R"(,"request":{"method":"POST","url":"Task"}},{"fullUrl":")" + srUrn + R"(","resource":)" +
      referralJson(p, org("spor")) + R"(,"request":{"method":"POST","url":"ServiceRequest"}}]})";
  HttpResponse r = client("gp").send("POST", "/", bundle);
  ASSERT_EQ(r.status, 200) << issues(r.body);
  const std::string location = at(r.body, "/entry/1/response/location");
  const std::string srId = location.substr(15, location.find('/', 15) - 15);
  HttpResponse tasks = client("gp").get("/Task?focus=ServiceRequest/" + srId);
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  EXPECT_EQ(arraySize(tasks.body, "/entry"), 1u) << tasks.body;
}

TEST_F(Workflow, TheReferralFollowsItsTask) {
  const std::string p = patient();
  const std::string done = create("gp", "ServiceRequest", referralJson(p, org("linkworker")));
  HttpClient& lw = client("linkworker");
  moveOk(lw, done + "-task", "accepted");
  moveOk(lw, done + "-task", "in-progress");
  EXPECT_EQ(statusOf("ServiceRequest", done), "active");
  moveOk(lw, done + "-task", "completed");
  EXPECT_EQ(statusOf("ServiceRequest", done), "completed");

  const std::string withdrawn = create("gp", "ServiceRequest", referralJson(p, org("linkworker")));
  moveOk(client("gp"), withdrawn + "-task", "cancelled", "The person moved away");
  EXPECT_EQ(statusOf("ServiceRequest", withdrawn), "revoked");

  const std::string rejected = create("gp", "ServiceRequest", referralJson(p, org("linkworker")));
  moveOk(lw, rejected + "-task", "rejected", "Not eligible");
  EXPECT_EQ(statusOf("ServiceRequest", rejected), "active");  // it may be routed elsewhere
}

TEST_F(Workflow, OnwardReferralSharesTheStoryAndIsReadInOneSearch) {
  const std::string p = patient();
  const std::string story = create(
      "gp", "QuestionnaireResponse",
      R"({"resourceType":"QuestionnaireResponse",)" + samples::narrative("What matters to me") +
          R"("status":"completed","subject":{"reference":"Patient/)" + p + R"("}})");
  const std::string consent = create("gp", "Consent", samples::minimal("Consent", "Patient/" + p));
  const std::string first =
      create("gp", "ServiceRequest",
             referralJson(p, org("linkworker"),
                          R"("supportingInfo":[{"reference":"QuestionnaireResponse/)" + story +
                              R"("},{"reference":"Consent/)" + consent + R"("}])"));
  const std::string linkWorkerTask = first + "-task";
  moveOk(client("linkworker"), linkWorkerTask, "accepted");
  moveOk(client("linkworker"), linkWorkerTask, "in-progress");

  // The link worker refers onward to a walking group; nobody types the story again.
  const std::string walks = service(walkingGroup("Onward walks", 5, 2));
  std::string onward = referralJson(
      p, "HealthcareService/" + walks,
      R"("basedOn":[{"reference":"ServiceRequest/)" + first + R"("}])", "single-point-of-referral");
  onward = with(onward, "/requester", R"({"reference":")" + org("linkworker") + R"("})");
  HttpResponse created = client("linkworker").send("POST", "/ServiceRequest", onward);
  ASSERT_EQ(created.status, 201) << issues(created.body);
  const std::string second = at(created.body, "/id");
  EXPECT_EQ(at(created.body, "/supportingInfo/0/reference"), "QuestionnaireResponse/" + story);
  EXPECT_EQ(at(created.body, "/supportingInfo/1/reference"), "Consent/" + consent);
  rapidjson::Document task = parse(read("/Task/" + second + "-task"));
  EXPECT_EQ(at(task, "/partOf/0/reference"), "Task/" + linkWorkerTask);
  EXPECT_EQ(at(task, "/owner/reference"), org("vcse-walking"));
  EXPECT_EQ(at(task, "/requester/reference"), org("linkworker"));
  EXPECT_EQ(at(task, "/focus/reference"), "ServiceRequest/" + second);

  // The provider reads the whole story with one search.
  HttpResponse found = client("vcse-walking")
                           .get("/Task?_id=" + second +
                                "-task&_include=Task:focus&_include:iterate=ServiceRequest:subject"
                                "&_include:iterate=ServiceRequest:supporting-info");
  ASSERT_EQ(found.status, 200) << found.body;
  std::set<std::string> got;
  rapidjson::Document bundle = parse(found.body);
  for (const auto& e : bundle["entry"].GetArray()) {
    got.insert(at(e, "/resource/resourceType") + "/" + at(e, "/resource/id"));
  }
  EXPECT_EQ(got, (std::set<std::string>{"Task/" + second + "-task", "ServiceRequest/" + second,
                                        "Patient/" + p, "QuestionnaireResponse/" + story,
                                        "Consent/" + consent}))
      << found.body;

  // The provider accepts and finishes; the onward referral completes, the first goes on.
  moveOk(client("vcse-walking"), second + "-task", "accepted");
  EXPECT_EQ(freePlaces(walks), 1);
  moveOk(client("vcse-walking"), second + "-task", "in-progress");
  moveOk(client("vcse-walking"), second + "-task", "completed");
  EXPECT_EQ(freePlaces(walks), 2);
  EXPECT_EQ(statusOf("ServiceRequest", second), "completed");
  EXPECT_EQ(statusOf("ServiceRequest", first), "active");
  EXPECT_EQ(statusOf("Task", linkWorkerTask), "in-progress");

  // An onward referral is about the same person.
  const std::string stranger = patient();
  std::string wrong = with(onward, "/subject", R"({"reference":"Patient/)" + stranger + R"("})");
  HttpResponse refused = client("linkworker").send("POST", "/ServiceRequest", wrong);
  EXPECT_EQ(refused.status, 422) << issues(refused.body);
  EXPECT_EQ(at(refused.body, "/issue/0/expression/0"), "ServiceRequest.subject");
}

TEST_F(Workflow, ReAccessAfterDischargeNeedsNoGp) {
  const std::string p = patient();
  const std::string first = create("gp", "ServiceRequest", referralJson(p, org("linkworker")));
  // Re-access while the first referral is open is refused; it is for after discharge.
  std::string again =
      referralJson(p, org("linkworker"),
                   R"("basedOn":[{"reference":"ServiceRequest/)" + first + R"("}])", "re-access");
  again = with(again, "/requester", R"({"reference":"Patient/)" + p + R"("})");
  HttpResponse early = client("spor").send("POST", "/ServiceRequest", again);
  EXPECT_EQ(early.status, 409) << issues(early.body);
  EXPECT_TRUE(contains(at(early.body, "/issue/0/diagnostics"), "discharged from an earlier"));
  moveOk(client("linkworker"), first + "-task", "accepted");
  moveOk(client("linkworker"), first + "-task", "completed");
  ASSERT_EQ(statusOf("ServiceRequest", first), "completed");
  // The person comes back by phone to the single point of referral: no GP involved.
  HttpResponse back = client("spor").send("POST", "/ServiceRequest", again);
  ASSERT_EQ(back.status, 201) << issues(back.body);
  const std::string reAccess = at(back.body, "/id");
  rapidjson::Document task = parse(read("/Task/" + reAccess + "-task"));
  EXPECT_EQ(at(task, "/status"), "requested");
  EXPECT_EQ(at(task, "/requester/reference"), "Patient/" + p);
  EXPECT_EQ(at(task, "/meta/tag/0/code"), "SPR0001");
  // The single point of referral made it, so it may act as its requester side.
  moveOk(client("spor"), reAccess + "-task", "cancelled", "Duplicate call");
  // Re-access points at the earlier referral.
  HttpResponse none = client("spor").send("POST", "/ServiceRequest", without(again, "/basedOn"));
  EXPECT_EQ(none.status, 422) << issues(none.body);
  EXPECT_EQ(at(none.body, "/issue/0/expression/0"), "ServiceRequest.basedOn");
}

// --- capacity -------------------------------------------------------------------------------

TEST_F(Workflow, AcceptingTakesAPlaceFinishingGivesItBack) {
  const std::string p = patient();
  const std::string walks = service(walkingGroup("Counted walks", 3, 2));
  HttpClient& vcse = client("vcse-walking");
  auto referral = [&] {
    return create("gp", "ServiceRequest", referralJson(p, "HealthcareService/" + walks)) + "-task";
  };
  const std::string a = referral();
  const std::string b = referral();
  const std::string c = referral();
  EXPECT_EQ(freePlaces(walks), 2);  // referring takes no place
  moveOk(vcse, a, "accepted");
  EXPECT_EQ(freePlaces(walks), 1);
  moveOk(vcse, b, "received");
  moveOk(vcse, b, "accepted");
  EXPECT_EQ(freePlaces(walks), 0);
  rapidjson::Document full = parse(read("/HealthcareService/" + walks));
  EXPECT_EQ(at(full, "/extension/0/extension/2/valueCode"), "no-capacity");
  // No place for the third: refused at once, the Task stays as it was.
  HttpResponse noPlace = move(vcse, c, "accepted");
  EXPECT_EQ(noPlace.status, 409) << issues(noPlace.body);
  EXPECT_TRUE(contains(at(noPlace.body, "/issue/0/diagnostics"), "has no free place"));
  EXPECT_EQ(statusOf("Task", c), "requested");
  // Finishing gives places back: completed, failed, cancelled.
  moveOk(vcse, a, "in-progress");
  moveOk(vcse, a, "completed");
  EXPECT_EQ(freePlaces(walks), 1);
  EXPECT_EQ(at(read("/HealthcareService/" + walks), "/extension/0/extension/2/valueCode"),
            "capacity");
  moveOk(vcse, c, "accepted");
  EXPECT_EQ(freePlaces(walks), 0);
  moveOk(vcse, c, "failed", "Did not attend");
  EXPECT_EQ(freePlaces(walks), 1);
  moveOk(client("gp"), b, "cancelled", "Moved away");
  EXPECT_EQ(freePlaces(walks), 2);
  // Rejecting or cancelling a Task that held no place gives nothing back.
  const std::string d = referral();
  moveOk(vcse, d, "rejected", "Not eligible");
  EXPECT_EQ(freePlaces(walks), 2);
}

TEST_F(Workflow, FullServiceIsRefusedAtOnceWithAlternativesNearestFirst) {
  const std::string p = patient();
  const std::string here = location(52.00, -1.00);
  const std::string near = location(52.05, -1.00);  // about 5.6 km
  const std::string far = location(52.50, -1.00);   // about 56 km
  const std::string elsewhere =
      create("admin", "Location",
             R"({"resourceType":"Location",)" + samples::narrative("Kingsmoor") +
                 R"("name":"Kingsmoor","address":{"city":"Kingsmoor","postalCode":"NE12"}})");
  const std::string category = "97";  // this test's own kind of service
  auto spec = [&](const std::string& name, int free, const std::string& loc) {
    ServiceSpec s;
    s.name = name;
    s.providedBy = org("vcse-walking");
    s.free = free;
    s.category = category;
    s.location = loc.empty() ? "" : "Location/" + loc;
    return s;
  };
  const std::string full = service(spec("Full group", 0, here));
  const std::string farOne = service(spec("Far group", 4, far));
  const std::string nearOne = service(spec("Near group", 1, near));
  ServiceSpec carers = spec("Carers group", 5, near);
  carers.cohort = "carers";
  service(carers);  // serves another cohort
  ServiceSpec outside = spec("Kingsmoor group", 5, near);
  outside.coverageArea = "Location/" + elsewhere;
  service(outside);  // does not cover the person's area
  ServiceSpec other = spec("Cooking", 5, near);
  other.category = "8";
  service(other);  // another kind of service
  service(spec("Also full", 0, near));

  const std::size_t before =
      arraySize(client("gp").get("/ServiceRequest?subject=Patient/" + p).body, "/entry");
  HttpResponse r =
      client("gp").send("POST", "/ServiceRequest", referralJson(p, "HealthcareService/" + full));
  ASSERT_EQ(r.status, 409) << issues(r.body);
  rapidjson::Document outcome = parse(r.body);
  EXPECT_EQ(at(outcome, "/issue/0/severity"), "error");
  EXPECT_EQ(at(outcome, "/issue/0/code"), "business-rule");
  EXPECT_EQ(at(outcome, "/issue/0/expression/0"), "ServiceRequest.performer[0]");
  EXPECT_TRUE(
      contains(at(outcome, "/issue/0/diagnostics"),
               "HealthcareService/" + full +
                   " (Full group) has no free place (0 of 10 "
                   "places free, status capacity): the referral is refused at once, not queued"))
      << r.body;
  ASSERT_EQ(outcome["issue"].Size(), 4u) << issues(r.body);
  EXPECT_TRUE(contains(at(outcome, "/issue/1/diagnostics"),
                       "Alternative with a free place: HealthcareService/" + nearOne +
                           " (Near group, 1 of 10 places free, status capacity, 5.6 km)"))
      << issues(r.body);
  EXPECT_TRUE(contains(at(outcome, "/issue/2/diagnostics"), "HealthcareService/" + farOne))
      << issues(r.body);
  const std::string last = at(outcome, "/issue/3/diagnostics");
  const std::string prefix = "Alternatives, nearest first: GET ";
  ASSERT_EQ(last.rfind(prefix, 0), 0u) << last;
  // Nothing of the refused referral is stored.
  EXPECT_EQ(arraySize(client("gp").get("/ServiceRequest?subject=Patient/" + p).body, "/entry"),
            before);

  // The link answers a Bundle of the same alternatives, nearest first.
  HttpResponse alternatives = client("gp").get("/" + last.substr(prefix.size()));
  ASSERT_EQ(alternatives.status, 200) << alternatives.body;
  EXPECT_EQ(at(alternatives.body, "/type"), "searchset");
  ASSERT_EQ(arraySize(alternatives.body, "/entry"), 2u) << alternatives.body;
  EXPECT_EQ(at(alternatives.body, "/entry/0/resource/id"), nearOne);
  EXPECT_EQ(at(alternatives.body, "/entry/1/resource/id"), farOne);

  // A Task for the full service is refused the same way.
  const std::string open = create("gp", "ServiceRequest", referralJson(p, ""));
  HttpResponse task = client("gp").send(
      "POST", "/Task",
      taskJson("requested", "ServiceRequest/" + open, p, org("gp"), "HealthcareService/" + full));
  EXPECT_EQ(task.status, 409) << issues(task.body);
  EXPECT_TRUE(contains(at(task.body, "/issue/0/diagnostics"), "has no free place"));
  // And by servicerequest: the service is its performer, the person its subject.
  const std::string toNear =
      create("gp", "ServiceRequest", referralJson(p, "HealthcareService/" + nearOne));
  HttpResponse bySr = client("gp").get("/HealthcareService/$alternatives?servicerequest=" + toNear);
  ASSERT_EQ(bySr.status, 200) << bySr.body;
  ASSERT_EQ(arraySize(bySr.body, "/entry"), 1u) << bySr.body;
  EXPECT_EQ(at(bySr.body, "/entry/0/resource/id"), farOne);
}

TEST_F(Workflow, LastPlaceRaceHasExactlyOneWinnerAcrossTwoProcesses) {
  constexpr int kClients = 12;
  const std::string p = patient();
  const std::string walks = service(walkingGroup("Last place walks", kClients, 1));
  std::vector<std::string> tasks;
  for (int i = 0; i < kClients; ++i) {
    tasks.push_back(create("gp", "ServiceRequest", referralJson(p, "HealthcareService/" + walks)) +
                    "-task");
  }
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(newClient("vcse-walking", i % 2 ? *second_ : *server_));
    clients.back()->get("/metadata");
  }
  const auto responses = together(kClients, [&](int i) {
    return clients[i]->request("PATCH", "/Task/" + tasks[i],
                               R"([{"op":"replace","path":"/status","value":"accepted"}])",
                               kPatchType);
  });
  EXPECT_EQ(countStatus(responses, 200), 1) << describe(responses);
  EXPECT_EQ(countStatus(responses, 409), kClients - 1) << describe(responses);
  int accepted = 0;
  for (int i = 0; i < kClients; ++i) {
    const std::string status = statusOf("Task", tasks[i]);
    EXPECT_EQ(status, responses[i].status == 200 ? "accepted" : "requested") << i;
    accepted += status == "accepted";
    if (responses[i].status == 409) {
      EXPECT_TRUE(contains(at(responses[i].body, "/issue/0/diagnostics"), "has no free place"))
          << responses[i].body;
    }
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(freePlaces(walks), 0);
  // One version per successful acceptance: none was lost or doubled.
  HttpResponse history = client("admin").get("/HealthcareService/" + walks + "/_history");
  EXPECT_EQ(arraySize(history.body, "/entry"), 2u) << history.body;
}

TEST_F(Workflow, DirectoryUpdatesKeepTheFreePlaces) {
  const std::string walks = service(walkingGroup("Kept walks", 10, 3));
  const std::string stale = read("/HealthcareService/" + walks);
  const std::string p = patient();
  moveOk(client("vcse-walking"),
         create("gp", "ServiceRequest", referralJson(p, "HealthcareService/" + walks)) + "-task",
         "accepted");
  ASSERT_EQ(freePlaces(walks), 2);
  // A full update from a stale copy (3 free) keeps 2, and says so; two more places add two.
  std::string body = with(stale, "/extension/0/extension/0/valueUnsignedInt", "12");
  HttpResponse put = client("admin").send("PUT", "/HealthcareService/" + walks, body,
                                          {"Prefer: return=OperationOutcome"});
  ASSERT_EQ(put.status, 200) << issues(put.body);
  EXPECT_TRUE(contains(put.body, "free places are kept by the adapter")) << put.body;
  EXPECT_EQ(freePlaces(walks), 4);
  // A patch sets them explicitly.
  HttpResponse patch = client("admin").request(
      "PATCH", "/HealthcareService/" + walks,
      R"([{"op":"replace","path":"/extension/0/extension/1/valueUnsignedInt","value":7}])",
      kPatchType);
  ASSERT_EQ(patch.status, 200) << issues(patch.body);
  EXPECT_EQ(freePlaces(walks), 7);
}

// --- warm handover --------------------------------------------------------------------------

class WarmHandover : public Workflow {
 protected:
  // A navigator's Task in progress for a new person: {patient, referral, T1}.
  struct Case {
    std::string patient;
    std::string referral;
    std::string t1;
  };
  // `referralMore`: more members of the referral (see referralJson).
  static Case navigatorCase(const std::string& businessStatus = "",
                            const std::string& referralMore = "") {
    Case c;
    c.patient = patient();
    c.referral =
        create("gp", "ServiceRequest", referralJson(c.patient, org("navigator"), referralMore));
    c.t1 = c.referral + "-task";
    moveOk(client("navigator"), c.t1, "accepted");
    moveOk(client("navigator"), c.t1, "in-progress");
    if (!businessStatus.empty()) {
      HttpResponse r =
          client("navigator")
              .request("PATCH", "/Task/" + c.t1,
                       R"([{"op":"add","path":"/businessStatus","value":{"coding":[{"system":")" +
                           kCodes + R"(task-business-status","code":")" + businessStatus +
                           R"("}]}}])",
                       kPatchType);
      EXPECT_EQ(r.status, 200) << issues(r.body);
    }
    return c;
  }
  // The navigator asks the link workers to take the person over: T2.
  static std::string handOver(const Case& c, ServerProcess* server = nullptr) {
    HttpResponse r = client("navigator", server)
                         .send("POST", "/Task",
                               handoverJson(c.t1, "ServiceRequest/" + c.referral, c.patient,
                                            org("navigator"), org("linkworker")));
    EXPECT_EQ(r.status, 201) << issues(r.body);
    return at(r.body, "/id");
  }
  // Exactly one side believes it holds the person.
  static void expectOneHolder(const Case& c, const std::string& t2) {
    const std::string s1 = statusOf("Task", c.t1);
    const std::string s2 = statusOf("Task", t2);
    const bool senderHolds =
        s1 == "in-progress" || (s1 == "on-hold" && businessStatusOf(c.t1) == "handover-pending");
    const bool receiverHolds = s2 == "accepted" || s2 == "in-progress";
    EXPECT_NE(senderHolds, receiverHolds) << "T1 " << s1 << ", T2 " << s2;
    if (receiverHolds) {
      EXPECT_EQ(s1, "completed");
      EXPECT_EQ(businessStatusOf(c.t1), "handed-over");
    }
    if (senderHolds && (s2 == "requested" || s2 == "received")) {
      EXPECT_EQ(s1, "on-hold");
      EXPECT_EQ(businessStatusOf(c.t1), "handover-pending");
    }
  }
};

TEST_F(WarmHandover, AcceptedHandoverCompletesTheSendersTaskInTheSameTransaction) {
  const Case c = navigatorCase("plan-agreed");
  const std::string t2 = handOver(c);
  rapidjson::Document sender = parse(read("/Task/" + c.t1));
  EXPECT_EQ(at(sender, "/status"), "on-hold");
  EXPECT_EQ(at(sender, "/businessStatus/coding/0/code"), "handover-pending");
  EXPECT_TRUE(contains(at(sender, "/statusReason/text"), "waiting for Task/" + t2))
      << read("/Task/" + c.t1);
  rapidjson::Document request = parse(read("/Task/" + t2));
  EXPECT_FALSE(at(request, "/restriction/period/end").empty());
  expectOneHolder(c, t2);
  // Meanwhile the sender's Task does not move.
  HttpResponse held = move(client("navigator"), c.t1, "in-progress");
  EXPECT_EQ(held.status, 409) << issues(held.body);
  EXPECT_TRUE(contains(at(held.body, "/issue/0/diagnostics"), "waits for a warm handover"));
  HttpResponse done = move(client("navigator"), c.t1, "completed");
  EXPECT_EQ(done.status, 409);
  // A second handover of the same Task is refused while one is pending.
  HttpResponse twice = client("navigator")
                           .send("POST", "/Task",
                                 handoverJson(c.t1, "ServiceRequest/" + c.referral, c.patient,
                                              org("navigator"), org("vcse-carers")));
  EXPECT_EQ(twice.status, 409) << issues(twice.body);
  // Only the receiver accepts.
  EXPECT_EQ(move(client("navigator"), t2, "accepted").status, 409);
  moveOk(client("linkworker"), t2, "received");
  expectOneHolder(c, t2);
  moveOk(client("linkworker"), t2, "accepted");
  rapidjson::Document handed = parse(read("/Task/" + c.t1));
  EXPECT_EQ(at(handed, "/status"), "completed");
  EXPECT_EQ(at(handed, "/businessStatus/coding/0/code"), "handed-over");
  EXPECT_EQ(at(handed, "/output/0/valueReference/reference"), "Task/" + t2);
  EXPECT_EQ(at(handed, "/meta/versionId"),
            "6");  // requested, accepted, in-progress, step, held, done
  expectOneHolder(c, t2);
  // The referral stays open with its new holder, and completes when the receiver finishes.
  EXPECT_EQ(statusOf("ServiceRequest", c.referral), "active");
  moveOk(client("linkworker"), t2, "in-progress");
  moveOk(client("linkworker"), t2, "completed");
  EXPECT_EQ(statusOf("ServiceRequest", c.referral), "completed");
}

TEST_F(WarmHandover, RejectedHandoverReturnsTheSendersTaskWithTheReason) {
  const Case c = navigatorCase("plan-agreed");
  const std::string t2 = handOver(c);
  moveOk(client("linkworker"), t2, "rejected", "No link worker free this month");
  rapidjson::Document sender = parse(read("/Task/" + c.t1));
  EXPECT_EQ(at(sender, "/status"), "in-progress");
  EXPECT_EQ(at(sender, "/businessStatus/coding/0/code"), "plan-agreed");
  EXPECT_EQ(at(sender, "/statusReason/text"),
            "Warm handover Task/" + t2 + " was rejected: No link worker free this month");
  expectOneHolder(c, t2);
  // The sender may move again, and hand over afresh.
  moveOk(client("navigator"), c.t1, "on-hold", "Waiting for the person");
  moveOk(client("navigator"), c.t1, "in-progress");
  const std::string again = handOver(c);
  expectOneHolder(c, again);
}

// The impact report sees a handed-over referral once, still in progress: the sender's Task is
// completed by the handover (businessStatus handed-over), and the receiver's Task (code
// warm-handover) carries the work on.
TEST_F(WarmHandover, TheImpactReportCountsAHandedOverReferralOnceAndInProgress) {
  const auto summary = [] {
    const std::time_t now = std::time(nullptr);
    char from[16], to[16];
    std::tm day{};
    const std::time_t yesterday = now - 86400, tomorrow = now + 86400;
    gmtime_r(&yesterday, &day);
    std::strftime(from, sizeof from, "%Y-%m-%d", &day);
    gmtime_r(&tomorrow, &day);
    std::strftime(to, sizeof to, "%Y-%m-%d", &day);
    HttpResponse r = client("admin").get("/$impact-report?period=" + std::string(from) + "/" + to);
    EXPECT_EQ(r.status, 200) << r.body;
    std::map<std::string, int> figures;
    rapidjson::Document doc = parse(r.body);
    for (const auto& p : doc["parameter"].GetArray()) {
      if (std::string(p["name"].GetString()) != "summary") continue;
      for (const auto& part : p["part"].GetArray()) {
        if (part.HasMember("valueInteger")) {
          figures[part["name"].GetString()] = part["valueInteger"].GetInt();
        }
      }
    }
    return figures;
  };
  std::map<std::string, int> before = summary();
  // The report counts referrals by when they were authored.
  const std::time_t now = std::time(nullptr);
  std::tm nowUtc{};
  gmtime_r(&now, &nowUtc);
  char authored[32];
  std::strftime(authored, sizeof authored, "%Y-%m-%dT%H:%M:%SZ", &nowUtc);
  const Case c = navigatorCase("plan-agreed", R"("authoredOn":")" + std::string(authored) + "\"");
  const std::string t2 = handOver(c);
  moveOk(client("linkworker"), t2, "received");
  moveOk(client("linkworker"), t2, "accepted");
  ASSERT_EQ(statusOf("Task", c.t1), "completed");
  std::map<std::string, int> after = summary();
  EXPECT_EQ(after["referrals"] - before["referrals"], 1);
  EXPECT_EQ(after["outcome-in-progress"] - before["outcome-in-progress"], 1);
  EXPECT_EQ(after["outcome-completed"] - before["outcome-completed"], 0);
  EXPECT_EQ(after["accepted"] - before["accepted"], 1);
  // When the receiver finishes, the referral is completed.
  moveOk(client("linkworker"), t2, "in-progress");
  moveOk(client("linkworker"), t2, "completed");
  after = summary();
  EXPECT_EQ(after["outcome-completed"] - before["outcome-completed"], 1);
  EXPECT_EQ(after["outcome-in-progress"] - before["outcome-in-progress"], 0);
}

TEST_F(WarmHandover, SenderCancelsItsHandover) {
  const Case c = navigatorCase();
  const std::string t2 = handOver(c);
  // The receiver may not cancel... it rejects; a stranger may do neither.
  EXPECT_EQ(move(client("vcse-carers"), t2, "cancelled", "x").status, 403);
  moveOk(client("navigator"), t2, "cancelled", "The person chose to stay");
  rapidjson::Document sender = parse(read("/Task/" + c.t1));
  EXPECT_EQ(at(sender, "/status"), "in-progress");
  EXPECT_TRUE(at(sender, "/businessStatus/coding/0/code").empty()) << read("/Task/" + c.t1);
  EXPECT_EQ(at(sender, "/statusReason/text"),
            "Warm handover Task/" + t2 + " was cancelled: The person chose to stay");
  EXPECT_EQ(statusOf("ServiceRequest", c.referral), "active");
  expectOneHolder(c, t2);
}

TEST_F(WarmHandover, OnlyTheOwnerHandsOverAnInProgressTaskOfTheSamePerson) {
  const Case c = navigatorCase();
  // Not the sender's Task.
  HttpResponse notOwner = client("linkworker")
                              .send("POST", "/Task",
                                    handoverJson(c.t1, "ServiceRequest/" + c.referral, c.patient,
                                                 org("linkworker"), org("vcse-carers")));
  EXPECT_EQ(notOwner.status, 409) << issues(notOwner.body);
  // Another person.
  const std::string other = patient();
  HttpResponse wrongPerson = client("navigator")
                                 .send("POST", "/Task",
                                       handoverJson(c.t1, "ServiceRequest/" + c.referral, other,
                                                    org("navigator"), org("linkworker")));
  EXPECT_EQ(wrongPerson.status, 422) << issues(wrongPerson.body);
  EXPECT_EQ(at(wrongPerson.body, "/issue/0/expression/0"), "Task.for");
  // A Task that is not in progress.
  const Case accepted = navigatorCase();
  moveOk(client("navigator"), accepted.t1, "on-hold", "Away");
  HttpResponse onHold =
      client("navigator")
          .send("POST", "/Task",
                handoverJson(accepted.t1, "ServiceRequest/" + accepted.referral, accepted.patient,
                             org("navigator"), org("linkworker")));
  EXPECT_EQ(onHold.status, 409) << issues(onHold.body);
  EXPECT_TRUE(contains(at(onHold.body, "/issue/0/diagnostics"), "only a Task in progress"));
  // Nothing of the refused handovers was stored; the sender still holds the person.
  EXPECT_EQ(statusOf("Task", c.t1), "in-progress");
  EXPECT_EQ(at(read("/Task/" + c.t1), "/meta/versionId"), "3");
}

TEST_F(WarmHandover, ConcurrentAcceptAndRejectOrCancelLeaveOneHolder) {
  for (int round = 0; round < 8; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const Case c = navigatorCase();
    const std::string t2 = handOver(c);
    std::vector<std::unique_ptr<HttpClient>> clients;
    clients.push_back(newClient("linkworker", *server_));
    clients.push_back(newClient(round % 2 ? "navigator" : "linkworker", *second_));
    for (auto& cl : clients) cl->get("/metadata");
    // The receiver accepts while it (another of its workers) rejects, or while the sender
    // withdraws the handover it asked for (If-Match: the version it saw; cancelling an
    // accepted Task is a move of its own, which the sender does not mean here).
    const auto responses = together(2, [&](int i) {
      if (i == 0) return move(*clients[0], t2, "accepted");
      if (round % 2 == 0) return move(*clients[1], t2, "rejected", "Changed our minds");
      return clients[1]->request(
          "PATCH", "/Task/" + t2,
          R"([{"op":"replace","path":"/status","value":"cancelled"},)"
          R"({"op":"add","path":"/statusReason","value":{"text":"Changed our minds"}}])",
          {"Content-Type: application/json-patch+json", "If-Match: W/\"1\""});
    });
    EXPECT_EQ(countStatus(responses, 200), 1) << describe(responses);
    EXPECT_EQ(countStatus(responses, 409) + countStatus(responses, 412), 1) << describe(responses);
    const std::string s2 = statusOf("Task", t2);
    if (responses[0].status == 200) {
      EXPECT_EQ(s2, "accepted");
      EXPECT_EQ(statusOf("Task", c.t1), "completed");
    } else {
      EXPECT_EQ(s2, round % 2 ? "cancelled" : "rejected");
      EXPECT_EQ(statusOf("Task", c.t1), "in-progress");
    }
    expectOneHolder(c, t2);
  }
}

TEST_F(WarmHandover, HandoverNotAcceptedInTimeExpires) {
  // A server whose handovers expire after 2 s and that sweeps every 200 ms, on the same data.
  auto quick = std::make_unique<ServerProcess>(
      *database_, ServerOptions{true, {"--handover-expiry", "2", "--handover-sweep-ms", "200"}});
  const Case swept = navigatorCase("plan-agreed");
  const std::string t2 = handOver(swept, quick.get());
  expectOneHolder(swept, t2);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (statusOf("Task", t2) != "cancelled" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  quick.reset();
  rapidjson::Document expired = parse(read("/Task/" + t2));
  EXPECT_EQ(at(expired, "/status"), "cancelled");
  EXPECT_TRUE(contains(at(expired, "/statusReason/text"), "not accepted by its deadline"));
  rapidjson::Document sender = parse(read("/Task/" + swept.t1));
  EXPECT_EQ(at(sender, "/status"), "in-progress");
  EXPECT_EQ(at(sender, "/businessStatus/coding/0/code"), "plan-agreed");
  EXPECT_TRUE(contains(at(sender, "/statusReason/text"),
                       "Warm handover Task/" + t2 + " was cancelled: not accepted by its deadline"))
      << read("/Task/" + swept.t1);
  expectOneHolder(swept, t2);
  EXPECT_EQ(move(client("linkworker"), t2, "accepted").status, 409);

  // With no sweep at all, a late acceptance is still refused.
  ServerProcess lazy(*database_,
                     ServerOptions{true, {"--handover-expiry", "1", "--handover-sweep-ms", "0"}});
  const Case late = navigatorCase();
  const std::string t3 = handOver(late, &lazy);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  HttpResponse tooLate = move(client("linkworker", &lazy), t3, "accepted");
  EXPECT_EQ(tooLate.status, 409) << issues(tooLate.body);
  EXPECT_TRUE(contains(at(tooLate.body, "/issue/0/diagnostics"), "not accepted by its deadline"));
  EXPECT_EQ(statusOf("Task", late.t1), "on-hold");  // still the sender's; its sweep will return it
  // The sender can always withdraw it.
  moveOk(client("navigator"), t3, "cancelled", "Expired");
  EXPECT_EQ(statusOf("Task", late.t1), "in-progress");
}

}  // namespace
}  // namespace sp::testing
