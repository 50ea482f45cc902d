// FHIR messaging end to end (issue 6) over real HTTP against a real PostgreSQL: the project's
// own events (task status update, handover request and response, outcome report) come in as
// messages, move the Tasks through the workflow, and the changes go out through the outbox to
// receivers started by the test: the referrer's BaRS responses and the owners' rest-hook
// Subscriptions. The changes the adapter makes itself (the sender's Task of a warm handover
// completed or put back, an expired handover, an implied acceptance) notify like a partner's.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "message_receiver.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
const std::string kProjectEvents =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-event";
const std::string kCodes = "https://fhir.social-prescribing.example.org/CodeSystem/";

// One entry of a message: its fullUrl and resource.
struct Entry {
  std::string fullUrl;
  std::string resource;
};

// A message of the project's `event` from `senderOds` to `receiverOds` about `focus` (the
// fullUrl of one of the entries).
std::string projectMessage(const std::string& event, const std::string& senderOds,
                           const std::string& receiverOds, const std::string& focus,
                           const std::vector<Entry>& entries) {
  std::string m =
      R"({"resourceType":"Bundle","id":")" + newUuid() +
      R"(","type":"message","entry":[{"fullUrl":"urn:uuid:)" + newUuid() +
      R"(","resource":{"resourceType":"MessageHeader","id":")" + newUuid() +
      R"(","eventCoding":{"system":")" + kProjectEvents + R"(","code":")" + event +
      R"("},"source":{"endpoint":"https://)" + senderOds +
      R"(.example.org/fhir"},"destination":[{"endpoint":"https://adapter.example/fhir",)"
      R"("receiver":{"identifier":{"system":")" +
      kOds + R"(","value":")" + receiverOds + R"("}}}],"sender":{"identifier":{"system":")" + kOds +
      R"(","value":")" + senderOds + R"("}},"focus":[{"reference":")" + focus + R"("}]}})";
  for (const Entry& e : entries) {
    m += R"(,{"fullUrl":")" + e.fullUrl + R"(","resource":)" + e.resource + "}";
  }
  return m + "]}";
}

std::string businessStatus(const std::string& code) {
  return R"({"coding":[{"system":")" + kCodes + R"(task-business-status","code":")" + code +
         R"("}]})";
}

// The Task each id-only notification names ("Task/id"), in the order received.
std::vector<std::string> notifiedTasks(const MessageReceiver& hook) {
  std::vector<std::string> out;
  for (const ReceivedRequest& r : hook.received()) {
    const std::string url = at(r.body, "/entry/1/fullUrl");
    const auto task = url.rfind("/Task/");
    out.push_back(task == std::string::npos ? url : url.substr(task + 1));
  }
  return out;
}

// The Task in a BaRS response message.
std::string taskStatusIn(const ReceivedRequest& r) {
  const rapidjson::Document bundle = parse(r.body);
  for (const auto& entry : bundle["entry"].GetArray()) {
    if (at(entry, "/resource/resourceType") == "Task") return at(entry, "/resource/status");
  }
  return "";
}

class MessageFlow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new std::string(PostgresCluster::shared().freshDatabase());
    server_ =
        std::make_unique<ServerProcess>(*database_, ServerOptions{false, quickDeliveryArgs()});
  }
  static void TearDownTestSuite() {
    server_.reset();
    delete database_;
  }

  static HttpClient& client() {
    static HttpClient c(server_->baseUrl());
    return c;
  }
  static std::string create(const std::string& type, const std::string& json) {
    HttpResponse r = client().send("POST", "/" + type, json);
    EXPECT_EQ(r.status, 201) << type << ": " << r.body;
    return at(r.body, "/id");
  }
  static HttpResponse post(const std::string& message, ServerProcess* server = nullptr) {
    return HttpClient((server ? server : server_.get())->baseUrl())
        .send("POST", "/$process-message", message);
  }
  static std::string read(const std::string& path) {
    HttpResponse r = client().get(path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.body;
  }

  // The organisations of one test (ODS codes made unique by `tag`), the GP's messaging
  // Endpoint at `gp`, and a person.
  struct Parties {
    std::string gpOds, navigatorOds, linkWorkerOds;
    std::string gp, navigator, linkWorker, patient;
  };
  static std::string organisation(const std::string& ods, const std::string& more = "") {
    return create("Organization",
                  R"({"resourceType":"Organization",)" + samples::narrative("Organisation " + ods) +
                      R"("identifier":[{"system":")" + kOds + R"(","value":")" + ods +
                      R"("}],"active":true,"name":")" + ods + "\"" + more + "}");
  }
  static Parties parties(const std::string& tag, const MessageReceiver& gp) {
    Parties p;
    p.gpOds = "G" + tag;
    p.navigatorOds = "N" + tag;
    p.linkWorkerOds = "L" + tag;
    const std::string endpoint =
        create("Endpoint", samples::messagingEndpoint("GP messaging", gp.url()));
    p.gp = organisation(p.gpOds, R"(,"endpoint":[{"reference":"Endpoint/)" + endpoint + R"("}])");
    p.navigator = organisation(p.navigatorOds);
    p.linkWorker = organisation(p.linkWorkerOds);
    p.patient = create("Patient", samples::patient());
    return p;
  }

  // A rest-hook Subscription (id-only) on the Tasks `owner` owns.
  static void subscribe(const std::string& owner, const MessageReceiver& hook) {
    create("Subscription",
           R"({"resourceType":"Subscription","status":"requested","reason":"Tasks",)"
           R"("criteria":"Task?owner=Organization/)" +
               owner + R"(","channel":{"type":"rest-hook","endpoint":")" + hook.url("/hook") +
               R"(","payload":"application/fhir+json"}})");
  }

  // A GP referral to `performer` over REST; returns the ServiceRequest id (its Task: id-task).
  static std::string refer(const Parties& p, const std::string& performer) {
    std::string json = samples::referral("Patient/" + p.patient, "Organization/" + p.gp);
    json = with(json, "/performer", R"([{"reference":"Organization/)" + performer + R"("}])");
    return create("ServiceRequest", json);
  }

  // The owner `ownerOds` reports its Task held here by message (`event`) as `task` (JSON).
  static HttpResponse report(const std::string& event, const std::string& ownerOds,
                             const std::string& task, std::vector<Entry> more = {},
                             ServerProcess* server = nullptr) {
    const std::string fullUrl = server_->baseUrl() + "/Task/" + at(task, "/id");
    more.insert(more.begin(), Entry{fullUrl, task});
    return post(projectMessage(event, ownerOds, ownerOds, fullUrl, more), server);
  }
  static std::string moved(const std::string& taskId, const std::string& status) {
    return with(read("/Task/" + taskId), "/status", quoted(status));
  }

  // A navigator's Task in progress; returns {referral, T1}.
  static std::pair<std::string, std::string> navigatorTaskInProgress(const Parties& p) {
    const std::string referral = refer(p, p.navigator);
    const std::string t1 = referral + "-task";
    EXPECT_EQ(report("task-status-update", p.navigatorOds, moved(t1, "accepted")).status, 200);
    EXPECT_EQ(report("task-status-update", p.navigatorOds, moved(t1, "in-progress")).status, 200);
    return {referral, t1};
  }

  // The navigator asks the link worker by message to take the person over; returns T2's id.
  static std::string requestHandover(const Parties& p, const std::string& referral,
                                     const std::string& t1, ServerProcess* server = nullptr) {
    const std::string t2Url = "urn:uuid:" + newUuid();
    const std::string t2 =
        R"({"resourceType":"Task",)" + samples::narrative("Warm handover") +
        R"("status":"requested","intent":"order","code":{"coding":[{"system":")" + kCodes +
        R"(task-code","code":"warm-handover"}]},"partOf":[{"reference":"Task/)" + t1 +
        R"("}],"focus":{"reference":"ServiceRequest/)" + referral +
        R"("},"for":{"reference":"Patient/)" + p.patient +
        R"("},"requester":{"reference":"Organization/)" + p.navigator +
        R"("},"owner":{"reference":"Organization/)" + p.linkWorker +
        R"("},"input":[{"type":{"text":"Handover note"},"valueString":"Prefers mornings."}]})";
    const HttpResponse r = post(
        projectMessage("handover-request", p.navigatorOds, p.linkWorkerOds, t2Url, {{t2Url, t2}}),
        server);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string focus = at(r.body, "/entry/0/resource/focus/0/reference");
    EXPECT_EQ(focus.rfind("Task/", 0), 0u) << r.body;
    return focus.substr(5);
  }

  // Waits until `hook` has `count` notifications and the outbox holds nothing more for it.
  static std::vector<std::string> settled(const MessageReceiver& hook, std::size_t count) {
    EXPECT_TRUE(hook.waitFor([&](const auto& r) { return r.size() >= count; })) << server_->log();
    EXPECT_TRUE(waitUntil([&] { return nothingPendingFor(hook.url("/hook")); }));
    return notifiedTasks(hook);
  }
  // Messages ever written to the outbox for `url` (they are written with the change).
  static int outboxCount(const std::string& url) {
    pqxx::connection c(*database_);
    pqxx::nontransaction tx(c);
    return tx.exec_params1("SELECT count(*) FROM outbox WHERE url = $1", url)[0].as<int>();
  }
  static bool nothingPendingFor(const std::string& url) {
    pqxx::connection c(*database_);
    pqxx::nontransaction tx(c);
    return tx.exec_params1("SELECT count(*) FROM outbox WHERE url = $1 AND state = 'pending'",
                           url)[0]
               .as<int>() == 0;
  }
  static std::string* database_;
  static std::unique_ptr<ServerProcess> server_;
};

std::string* MessageFlow::database_ = nullptr;
std::unique_ptr<ServerProcess> MessageFlow::server_;

TEST_F(MessageFlow, HandoverRequestAndResponseMoveBothTasksAndBothOwnersAreNotified) {
  MessageReceiver gp, navigatorHook, linkWorkerHook;
  const Parties p = parties("1001", gp);
  subscribe(p.navigator, navigatorHook);
  subscribe(p.linkWorker, linkWorkerHook);
  const auto [referral, t1] = navigatorTaskInProgress(p);
  // The referrer hears of the acceptance.
  ASSERT_TRUE(gp.waitFor([](const auto& r) { return r.size() >= 1; })) << server_->log();
  EXPECT_EQ(taskStatusIn(gp.received()[0]), "accepted");

  const std::string t2 = requestHandover(p, referral, t1);
  rapidjson::Document pending = parse(read("/Task/" + t1));
  EXPECT_EQ(at(pending, "/status"), "on-hold");
  EXPECT_EQ(at(pending, "/businessStatus/coding/0/code"), "handover-pending");
  EXPECT_EQ(at(read("/Task/" + t2), "/owner/reference"), "Organization/" + p.linkWorker);

  const HttpResponse accepted = report("handover-response", p.linkWorkerOds, moved(t2, "accepted"));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  rapidjson::Document handed = parse(read("/Task/" + t1));
  EXPECT_EQ(at(handed, "/status"), "completed");
  EXPECT_EQ(at(handed, "/businessStatus/coding/0/code"), "handed-over");
  EXPECT_EQ(at(read("/Task/" + t2), "/status"), "accepted");

  // The navigator hears of every version of T1, the adapter's own included: made for the
  // referral, accepted, in progress, on hold for the handover, handed over.
  const std::string task1 = "Task/" + t1;
  EXPECT_EQ(settled(navigatorHook, 5),
            (std::vector<std::string>{task1, task1, task1, task1, task1}));
  // The link worker hears of T2: asked, accepted.
  const std::string task2 = "Task/" + t2;
  EXPECT_EQ(settled(linkWorkerHook, 2), (std::vector<std::string>{task2, task2}));
  // The handover itself tells the referrer nothing (it hears when the new holder acts).
  EXPECT_EQ(outboxCount(gp.url()), 1);
}

TEST_F(MessageFlow, OutcomeReportCompletesTheTaskStoresItsObservationsAndTellsTheReferrer) {
  MessageReceiver gp;
  const Parties p = parties("1002", gp);
  const std::string referral = refer(p, p.navigator);
  const std::string task = referral + "-task";
  ASSERT_EQ(report("task-status-update", p.navigatorOds, moved(task, "accepted")).status, 200);
  ASSERT_EQ(report("task-status-update", p.navigatorOds, moved(task, "in-progress")).status, 200);

  const std::string observationUrl = "urn:uuid:" + newUuid();
  const std::string observation =
      R"({"resourceType":"Observation","status":"final","code":{"text":"WEMWBS after"},)"
      R"("subject":{"reference":"Patient/)" +
      p.patient + R"("},"valueInteger":52})";
  std::string completed = moved(task, "completed");
  completed = with(completed, "/output",
                   R"([{"type":{"text":"WEMWBS after"},"valueReference":{"reference":")" +
                       observationUrl + R"("}}])");
  const HttpResponse r =
      report("outcome-report", p.navigatorOds, completed, {{observationUrl, observation}});
  ASSERT_EQ(r.status, 200) << r.body;

  rapidjson::Document stored = parse(read("/Task/" + task));
  EXPECT_EQ(at(stored, "/status"), "completed");
  const std::string output = at(stored, "/output/0/valueReference/reference");
  ASSERT_EQ(output.rfind("Observation/", 0), 0u) << output;
  EXPECT_EQ(at(read("/" + output), "/code/text"), "WEMWBS after");
  EXPECT_EQ(at(read("/ServiceRequest/" + referral), "/status"), "completed");

  // The referrer gets a BaRS response for the acceptance and one for the completion.
  ASSERT_TRUE(gp.waitFor([](const auto& got) { return got.size() >= 2; })) << server_->log();
  const auto got = gp.received();
  EXPECT_EQ(taskStatusIn(got[0]), "accepted");
  EXPECT_EQ(taskStatusIn(got[1]), "completed");
  EXPECT_EQ(at(got[1].body, "/entry/0/resource/eventCoding/code"), "servicerequest-response");
  EXPECT_EQ(got[1].header("x-correlation-id"), referral);
}

// A provider that wants referrals pushed answers the pushed request with a BaRS
// servicerequest-response naming it (MessageHeader.response.identifier = the push's Bundle.id):
// its Task moves, and the referrer hears of it.
TEST_F(MessageFlow, ABarsResponseToAPushedReferralMovesItsTaskAndReachesTheReferrer) {
  MessageReceiver gp, provider;
  const Parties p = parties("1005", gp);
  const std::string endpoint =
      create("Endpoint", samples::messagingEndpoint("Provider messaging", provider.url(), true));
  const std::string providerOds = "P1005";
  const std::string providerId =
      organisation(providerOds, R"(,"endpoint":[{"reference":"Endpoint/)" + endpoint + R"("}])");
  const std::string referral = refer(p, providerId);
  ASSERT_TRUE(provider.waitFor([](const auto& r) { return r.size() >= 1; })) << server_->log();
  const ReceivedRequest push = provider.received()[0];
  const std::string pushId = at(push.body, "/id");
  ASSERT_EQ(at(push.body, "/entry/2/resource/resourceType"), "Task");

  // The provider's answer: the pushed entries back, its Task accepted, a header of its own.
  std::string answer = with(push.body, "/id", quoted(newUuid()));
  answer = with(answer, "/entry/2/resource/status", quoted("accepted"));
  answer = with(
      answer, "/entry/0/resource",
      R"({"resourceType":"MessageHeader","eventCoding":{"system":"https://fhir.nhs.uk/CodeSystem/message-events-bars","code":"servicerequest-response"},)"
      R"("response":{"identifier":")" +
          pushId +
          R"(","code":"ok"},)"
          R"("source":{"endpoint":")" +
          provider.url() +
          R"("},)"
          R"("destination":[{"endpoint":"https://adapter.example/fhir","receiver":{"identifier":{"system":")" +
          kOds + R"(","value":")" + p.gpOds +
          R"("}}}],)"
          R"("sender":{"identifier":{"system":")" +
          kOds + R"(","value":")" + providerOds +
          R"("}},)"
          R"("focus":[{"reference":")" +
          at(push.body, "/entry/1/fullUrl") + R"("}]})");
  const HttpResponse r = HttpClient(server_->baseUrl())
                             .send("POST", "/$process-message", answer,
                                   {"X-Request-Id: " + newUuid(),
                                    "X-Correlation-Id: " + push.header("x-correlation-id")});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(read("/Task/" + referral + "-task"), "/status"), "accepted");
  ASSERT_TRUE(gp.waitFor([](const auto& got) { return got.size() >= 1; })) << server_->log();
  EXPECT_EQ(taskStatusIn(gp.received()[0]), "accepted");

  // A response naming a request never sent is refused.
  const HttpResponse unknown =
      HttpClient(server_->baseUrl())
          .send("POST", "/$process-message",
                with(answer, "/entry/0/resource/response/identifier", quoted(newUuid())),
                {"X-Request-Id: " + newUuid(), "X-Correlation-Id: " + newUuid()});
  EXPECT_EQ(unknown.status, 404) << unknown.body;
}

TEST_F(MessageFlow, AnImpliedAcceptanceReachesTheReferrerAndTheOwnersSubscription) {
  MessageReceiver gp, navigatorHook;
  const Parties p = parties("1003", gp);
  subscribe(p.navigator, navigatorHook);
  const std::string referral = refer(p, p.navigator);
  const std::string task = referral + "-task";
  // The provider's system reports first contact on a Task it never accepted.
  std::string contact = moved(task, "in-progress");
  contact = with(contact, "/businessStatus", businessStatus("first-contact-made"));
  const HttpResponse r = report("task-status-update", p.navigatorOds, contact);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(read("/Task/" + task), "/status"), "in-progress");
  ASSERT_TRUE(gp.waitFor([](const auto& got) { return got.size() >= 1; })) << server_->log();
  EXPECT_EQ(taskStatusIn(gp.received()[0]), "accepted");
  // Made, accepted (the adapter's step), in progress.
  const std::string t = "Task/" + task;
  EXPECT_EQ(settled(navigatorHook, 3), (std::vector<std::string>{t, t, t}));
  EXPECT_EQ(outboxCount(gp.url()), 1);
}

TEST_F(MessageFlow, AnExpiredHandoverNotifiesBothOwners) {
  // A second process on the same database whose handovers expire after a second and which
  // sweeps often: the handover is asked for through it.
  std::vector<std::string> args = quickDeliveryArgs();  // a flag given again: the later wins
  args.insert(args.end(), {"--handover-expiry", "1", "--handover-sweep-ms", "100"});
  ServerProcess hasty(*database_, ServerOptions{false, args});
  MessageReceiver gp, navigatorHook, linkWorkerHook;
  const Parties p = parties("1004", gp);
  subscribe(p.navigator, navigatorHook);
  subscribe(p.linkWorker, linkWorkerHook);
  const auto [referral, t1] = navigatorTaskInProgress(p);
  const std::string t2 = requestHandover(p, referral, t1, &hasty);
  ASSERT_TRUE(waitUntil([&] { return at(read("/Task/" + t2), "/status") == "cancelled"; }))
      << hasty.log();
  EXPECT_EQ(at(read("/Task/" + t1), "/status"), "in-progress");
  const std::string task1 = "Task/" + t1, task2 = "Task/" + t2;
  // T1: made, accepted, in progress, on hold, back in progress. T2: asked, expired.
  EXPECT_EQ(settled(navigatorHook, 5),
            (std::vector<std::string>{task1, task1, task1, task1, task1}));
  EXPECT_EQ(settled(linkWorkerHook, 2), (std::vector<std::string>{task2, task2}));
}

}  // namespace
}  // namespace sp::testing
