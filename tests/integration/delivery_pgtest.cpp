// Delivery to partners over real HTTP(S) against a real PostgreSQL, with real receiving servers
// (message_receiver.h) started by the tests: a provider's acceptance reaches the referrer's
// messaging Endpoint as a BaRS servicerequest-response with the conversation's X-Correlation-Id
// and a fresh X-Request-Id, also end to end for a referral that came by $process-message (reply
// address as URL or service id); a receiver that goes away and comes back gets everything, once
// each, in order; 5xx is retried; 409 duplicate counts as delivered; out of attempts is
// undelivered and visible as a Communication; two server processes share the outbox without
// sending one message twice; a rest-hook Subscription is notified of a new Task; new referrals
// and cancellations are pushed to a receiver that asks for them; https delivery shows the
// hub's client certificate (accepted by a partner that checks its purpose) and refuses a partner
// from a foreign CA; "Contacted" on a received referral is an implicit acceptance and the
// referrer gets its own words back; a referrer named only by its ODS code gets its responses;
// an undelivered response is found by its sender and its intended receiver. Every message and
// notification is checked against R4 (the JSON schema and the project's validator).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "fhir_json_schema.h"
#include "harness.h"
#include "json_helpers.h"
#include "message_receiver.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
constexpr int kMaxAttempts = 4;

bool isUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

std::string base64Decode(const std::string& text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return "<not base64>";
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && size > 0; --i) --size;
  out.resize(size);
  return out;
}

// Every message and notification the hub sends must be valid R4, by two independent judges: the
// official R4 JSON schema (vendored in tests/data/) and the project's own validator
// ($validate, which also evaluates the invariants, e.g. bdl-3 and bdl-4 on history Bundles).
void expectValidR4(HttpClient& client, const std::string& body) {
  static FhirJsonSchema schema(sourceDir() + "/tests/data/fhir.schema.json.gz");
  rapidjson::Document doc;  // numbers as JSON numbers: the schema checks their JSON type
  doc.Parse(body.c_str(), body.size());
  ASSERT_FALSE(doc.HasParseError()) << body;
  EXPECT_EQ(schema.check(doc), "") << body;
  HttpResponse validated = client.send("POST", "/Bundle/$validate", body);
  ASSERT_EQ(validated.status, 200) << validated.body;
  rapidjson::Document outcome = parse(validated.body);
  for (const auto& issue : outcome["issue"].GetArray()) {
    const std::string severity = at(issue, "/severity");
    EXPECT_TRUE(severity != "error" && severity != "fatal") << validated.body << "\n" << body;
  }
}

// Fast retries so that the tests do not wait long; generous deadlines in waitFor.
class Delivery : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new std::string(PostgresCluster::shared().freshDatabase());
    server_ = std::make_unique<ServerProcess>(
        *database_, ServerOptions{false, quickDeliveryArgs(kMaxAttempts)});
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

  // A referrer (GP practice with a messaging Endpoint at `receiver`), a provider with a
  // service, and a person. Fills the ids.
  struct Parties {
    std::string endpoint, gp, provider, service, patient;
  };
  static Parties parties(const MessageReceiver& receiver, const std::string& gpOds = "A81001") {
    Parties p;
    p.endpoint = create("Endpoint", samples::messagingEndpoint("GP messaging", receiver.url()));
    p.gp = create("Organization",
                  R"({"resourceType":"Organization",)" + samples::narrative("GP practice") +
                      R"("identifier":[{"system":")" + kOds + R"(","value":")" + gpOds +
                      R"("}],"active":true,"name":"Riverside",)"
                      R"("endpoint":[{"reference":"Endpoint/)" +
                      p.endpoint + R"("}]})");
    p.provider =
        create("Organization", R"({"resourceType":"Organization",)" +
                                   samples::narrative("Provider") + R"("identifier":[{"system":")" +
                                   kOds + R"(","value":"VCS0001"}],"active":true,"name":"Walks"})");
    std::string service = samples::directoryEntry("Organization/" + p.provider);
    service = with(service, "/extension/0/extension/0/valueUnsignedInt", "100");  // places
    service = with(service, "/extension/0/extension/1/valueUnsignedInt", "100");
    p.service = create("HealthcareService", service);
    p.patient = create("Patient", samples::patient());
    return p;
  }

  // A referral to the provider's service; returns the ServiceRequest id (its Task is id-task).
  static std::string refer(const Parties& p) {
    std::string json = samples::referral("Patient/" + p.patient, "Organization/" + p.gp);
    json = with(json, "/performer", R"([{"reference":"HealthcareService/)" + p.service + R"("}])");
    return create("ServiceRequest", json);
  }

  // The provider moves the referral's Task to `status` (with a reason where one is needed).
  static void move(const std::string& referral, const std::string& status) {
    const std::string path = "/Task/" + referral + "-task";
    HttpResponse current = client().get(path);
    ASSERT_EQ(current.status, 200) << current.body;
    std::string task = with(current.body, "/status", "\"" + status + "\"");
    if (status == "rejected") task = with(task, "/statusReason", R"({"text":"No places"})");
    HttpResponse r = client().send("PUT", path, task);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Outbox rows as (state, attempts) for `receiverUrl`, oldest first.
  static std::vector<std::pair<std::string, int>> outbox(const std::string& receiverUrl) {
    pqxx::connection c(*database_);
    pqxx::nontransaction tx(c);
    std::vector<std::pair<std::string, int>> rows;
    for (const auto& row : tx.exec_params(
             "SELECT state, attempts FROM outbox WHERE receiver = $1 ORDER BY id", receiverUrl)) {
      rows.emplace_back(row[0].as<std::string>(), row[1].as<int>());
    }
    return rows;
  }

  static bool allFinished(const std::string& receiverUrl, std::size_t count) {
    const auto rows = outbox(receiverUrl);
    if (rows.size() != count) return false;
    for (const auto& [state, attempts] : rows) {
      if (state == "pending") return false;
    }
    return true;
  }

  static std::string* database_;
  static std::unique_ptr<ServerProcess> server_;
};

std::string* Delivery::database_ = nullptr;
std::unique_ptr<ServerProcess> Delivery::server_;

std::size_t atLeast(std::size_t n, const std::vector<ReceivedRequest>& r) { return r.size() >= n; }

TEST_F(Delivery, AcceptanceReachesTheReferrerAsABarsResponse) {
  MessageReceiver gp;
  const Parties p = parties(gp);
  const std::string referral = refer(p);
  move(referral, "accepted");
  ASSERT_TRUE(gp.waitFor([](const auto& r) { return atLeast(1, r); })) << server_->log();
  const ReceivedRequest got = gp.received().front();
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, "/fhir/$process-message");
  EXPECT_EQ(got.header("content-type"), "application/fhir+json");
  EXPECT_EQ(got.header("x-correlation-id"), referral);
  EXPECT_TRUE(isUuid(got.header("x-request-id"))) << got.header("x-request-id");
  rapidjson::Document bundle = parse(got.body);
  EXPECT_EQ(at(bundle, "/resourceType"), "Bundle");
  EXPECT_EQ(at(bundle, "/type"), "message");
  EXPECT_EQ(at(bundle, "/entry/0/resource/resourceType"), "MessageHeader");
  EXPECT_EQ(at(bundle, "/entry/0/resource/eventCoding/system"),
            "https://fhir.nhs.uk/CodeSystem/message-events-bars");
  EXPECT_EQ(at(bundle, "/entry/0/resource/eventCoding/code"), "servicerequest-response");
  EXPECT_EQ(at(bundle, "/entry/0/resource/destination/0/endpoint"), gp.url());
  EXPECT_EQ(at(bundle, "/entry/0/resource/destination/0/receiver/reference"),
            "Organization/" + p.gp);
  EXPECT_EQ(at(bundle, "/entry/0/resource/focus/0/reference"), at(bundle, "/entry/1/fullUrl"));
  EXPECT_EQ(at(bundle, "/entry/1/resource/id"), referral);
  EXPECT_EQ(at(bundle, "/entry/2/resource/resourceType"), "Task");
  EXPECT_EQ(at(bundle, "/entry/2/resource/status"), "accepted");
  EXPECT_TRUE(waitUntil([&] { return allFinished(gp.url(), 1); }));
  EXPECT_EQ(outbox(gp.url()).front().first, "delivered");
  // Rejection, completion and a Task move that is no news for the referrer.
  MessageReceiver gp2;
  const Parties q = parties(gp2);
  const std::string second = refer(q);
  move(second, "rejected");
  const std::string third = refer(p);
  move(third, "received");
  move(third, "accepted");
  move(third, "in-progress");
  move(third, "completed");
  ASSERT_TRUE(gp2.waitFor([](const auto& r) { return atLeast(1, r); }));
  EXPECT_EQ(at(gp2.received().front().body, "/entry/2/resource/status"), "rejected");
  ASSERT_TRUE(gp.waitFor([](const auto& r) { return atLeast(3, r); }));
  ASSERT_TRUE(waitUntil([&] { return allFinished(gp.url(), 3); }));
  const auto all = gp.received();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(at(all[1].body, "/entry/2/resource/status"), "accepted");
  EXPECT_EQ(at(all[2].body, "/entry/2/resource/status"), "completed");
  EXPECT_EQ(all[2].header("x-correlation-id"), third);
  std::set<std::string> requestIds;
  for (const auto& r : all) requestIds.insert(r.header("x-request-id"));
  EXPECT_EQ(requestIds.size(), 3u);
  for (const auto& r : all) expectValidR4(client(), r.body);
  expectValidR4(client(), gp2.received().front().body);
}

TEST_F(Delivery, ReceiverThatComesBackGetsEverythingOnceInOrder) {
  MessageReceiver gp;
  const Parties p = parties(gp);
  gp.stop();
  std::vector<std::string> referrals;
  for (int i = 0; i < 3; ++i) referrals.push_back(refer(p));
  for (const auto& r : referrals) move(r, "accepted");
  move(referrals[0], "completed");
  // The first message has been tried (and refused) more than once while the receiver is away.
  ASSERT_TRUE(waitUntil([&] {
    const auto rows = outbox(gp.url());
    return rows.size() == 4 && rows[0].second >= 2;
  }));
  gp.start();
  ASSERT_TRUE(waitUntil([&] { return allFinished(gp.url(), 4); })) << server_->log();
  const auto got = gp.received();
  ASSERT_EQ(got.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].header("x-correlation-id"), referrals[i]);
    EXPECT_EQ(at(got[i].body, "/entry/2/resource/status"), "accepted");
  }
  EXPECT_EQ(got[3].header("x-correlation-id"), referrals[0]);
  EXPECT_EQ(at(got[3].body, "/entry/2/resource/status"), "completed");
  for (const auto& [state, attempts] : outbox(gp.url())) EXPECT_EQ(state, "delivered");
}

TEST_F(Delivery, ServerErrorsAreRetriedWithANewRequestIdEachTime) {
  MessageReceiver gp;
  gp.queueAnswer(503);
  gp.queueAnswer(500);
  gp.queueAnswer(429);
  const Parties p = parties(gp);
  const std::string referral = refer(p);
  move(referral, "accepted");
  ASSERT_TRUE(waitUntil([&] { return allFinished(gp.url(), 1); })) << server_->log();
  const auto got = gp.received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].answeredWith, 200);
  std::set<std::string> requestIds;
  for (const auto& r : got) {
    requestIds.insert(r.header("x-request-id"));
    EXPECT_EQ(r.header("x-correlation-id"), referral);
    EXPECT_EQ(r.body, got[0].body);
  }
  EXPECT_EQ(requestIds.size(), 4u);
  EXPECT_EQ(outbox(gp.url()).front(), std::make_pair(std::string("delivered"), 4));
}

TEST_F(Delivery, DuplicateConflictCountsAsDeliveredOtherRefusalsDoNot) {
  MessageReceiver gp;
  gp.queueAnswer(409, duplicateOutcome());
  gp.queueAnswer(
      422,
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid"}]})");
  const Parties p = parties(gp);
  const std::string first = refer(p);
  const std::string second = refer(p);
  move(first, "accepted");
  move(second, "accepted");
  ASSERT_TRUE(waitUntil([&] { return allFinished(gp.url(), 2); })) << server_->log();
  const auto rows = outbox(gp.url());
  EXPECT_EQ(rows[0], std::make_pair(std::string("delivered"), 1));
  EXPECT_EQ(rows[1], std::make_pair(std::string("undelivered"), 1));  // 422: no retry helps
  EXPECT_EQ(gp.received().size(), 2u);
}

TEST_F(Delivery, OutOfAttemptsIsUndeliveredAndTheSenderCanFindIt) {
  MessageReceiver gp;
  for (int i = 0; i < kMaxAttempts + 2; ++i) gp.queueAnswer(503);
  const Parties p = parties(gp);
  const std::string referral = refer(p);
  move(referral, "accepted");
  ASSERT_TRUE(waitUntil([&] { return allFinished(gp.url(), 1); })) << server_->log();
  EXPECT_EQ(outbox(gp.url()).front(), std::make_pair(std::string("undelivered"), kMaxAttempts));
  EXPECT_EQ(gp.received().size(), static_cast<std::size_t>(kMaxAttempts));
  HttpResponse found =
      client().get("/Communication?based-on=Task/" + referral + "-task&status=not-done");
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(arraySize(found.body, "/entry"), 1u) << found.body;
  rapidjson::Document bundle = parse(found.body);
  EXPECT_EQ(at(bundle, "/entry/0/resource/sender/reference"), "Organization/" + p.provider);
  EXPECT_EQ(at(bundle, "/entry/0/resource/recipient/0/reference"), "Organization/" + p.gp);
  EXPECT_NE(at(bundle, "/entry/0/resource/statusReason/text").find("4 attempts"), std::string::npos)
      << found.body;
  // The sender (the provider) finds it among its own undelivered messages too.
  HttpResponse bySender =
      client().get("/Communication?sender=Organization/" + p.provider + "&status=not-done");
  EXPECT_EQ(arraySize(bySender.body, "/entry"), 1u) << bySender.body;
}

TEST_F(Delivery, TwoServerProcessesShareTheOutboxWithoutSendingTwice) {
  ServerProcess second(*database_, ServerOptions{false, quickDeliveryArgs(kMaxAttempts)});
  MessageReceiver gp;
  const Parties p = parties(gp);
  HttpClient other(second.baseUrl());
  constexpr int kReferrals = 12;
  std::vector<std::string> referrals;
  for (int i = 0; i < kReferrals; ++i) referrals.push_back(refer(p));
  for (int i = 0; i < kReferrals; ++i) {
    // Alternate the process that takes the acceptance: both enqueue, both deliver.
    HttpClient& c = i % 2 ? other : client();
    const std::string path = "/Task/" + referrals[i] + "-task";
    HttpResponse current = c.get(path);
    ASSERT_EQ(current.status, 200);
    HttpResponse r = c.send("PUT", path, with(current.body, "/status", "\"accepted\""));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  ASSERT_TRUE(waitUntil([&] { return allFinished(gp.url(), kReferrals); }));
  const auto got = gp.received();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kReferrals));
  for (int i = 0; i < kReferrals; ++i) {
    EXPECT_EQ(got[i].header("x-correlation-id"), referrals[i]) << "in order, once each";
  }
}

TEST_F(Delivery, RestHookSubscriptionIsNotifiedOfANewTask) {
  MessageReceiver gp;
  MessageReceiver hook;
  const Parties p = parties(gp);
  const std::string subscription =
      R"({"resourceType":"Subscription","status":"requested","reason":"New referrals",)"
      R"("criteria":"Task?owner=Organization/)" +
      p.provider + R"(","channel":{"type":"rest-hook","endpoint":")" + hook.url("/hook") +
      R"(","payload":"application/fhir+json"}})";
  HttpResponse created = client().send("POST", "/Subscription", subscription);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(at(created.body, "/status"), "active");
  const std::string referral = refer(p);
  ASSERT_TRUE(hook.waitFor([](const auto& r) { return atLeast(1, r); })) << server_->log();
  const ReceivedRequest got = hook.received().front();
  EXPECT_EQ(got.path, "/hook");
  rapidjson::Document bundle = parse(got.body);
  EXPECT_EQ(at(bundle, "/type"), "history");
  EXPECT_EQ(at(bundle, "/entry/0/resource/resourceType"), "Parameters");
  EXPECT_EQ(at(bundle, "/entry/0/resource/parameter/0/valueReference/reference"),
            "Subscription/" + at(created.body, "/id"));
  EXPECT_EQ(at(bundle, "/entry/1/fullUrl"), server_->baseUrl() + "/Task/" + referral + "-task");
  EXPECT_EQ(at(bundle, "/entry/1/request/method"), "POST");
  EXPECT_FALSE(bundle["entry"][1].HasMember("resource")) << "id-only";
  EXPECT_EQ(at(bundle, "/entry/1/response/status"), "201 Created");
  expectValidR4(client(), got.body);
  // A Task of another owner does not notify; one that is not a rest-hook is refused.
  MessageReceiver other;
  const Parties q = parties(other, "A81002");
  HttpResponse ignored = client().send(
      "PUT", "/Subscription/" + at(created.body, "/id"),
      with(created.body, "/criteria", "\"Task?owner=Organization/" + q.provider + "\""));
  ASSERT_EQ(ignored.status, 200) << ignored.body;
  move(referral, "accepted");  // owner p.provider: no longer matches
  refer(q);
  ASSERT_TRUE(hook.waitFor([](const auto& r) { return atLeast(2, r); }));
  EXPECT_TRUE(waitUntil([&] { return allFinished(hook.url("/hook"), 2); }));
  EXPECT_EQ(hook.received().size(), 2u);
  for (const auto& r : hook.received()) expectValidR4(client(), r.body);
  HttpResponse bad = client().send(
      "POST", "/Subscription",
      with(subscription, "/channel", R"({"type":"email","endpoint":"mailto:x@example.org"})"));
  EXPECT_EQ(bad.status, 422) << bad.body;
  HttpResponse badCriteria =
      client().send("POST", "/Subscription", with(subscription, "/criteria", "\"Task?nosuch=1\""));
  EXPECT_EQ(badCriteria.status, 422) << badCriteria.body;
}

// R4: a Subscription whose notifications cannot be delivered goes to status error, with the
// reason in `error`, and is notified no more.
TEST_F(Delivery, ASubscriptionWhoseEndpointKeepsFailingGoesToError) {
  MessageReceiver gp;
  MessageReceiver hook;
  for (int i = 0; i < kMaxAttempts; ++i) hook.queueAnswer(503);
  const Parties p = parties(gp, "A81003");
  HttpResponse created = client().send(
      "POST", "/Subscription",
      R"({"resourceType":"Subscription","status":"requested","reason":"New referrals",)"
      R"("criteria":"Task?owner=Organization/)" +
          p.provider + R"(","channel":{"type":"rest-hook","endpoint":")" + hook.url("/failing") +
          R"("}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string path = "/Subscription/" + at(created.body, "/id");
  refer(p);
  ASSERT_TRUE(waitUntil([&] { return allFinished(hook.url("/failing"), 1); })) << server_->log();
  EXPECT_EQ(outbox(hook.url("/failing")).front().first, "undelivered");
  EXPECT_EQ(hook.received().size(), static_cast<std::size_t>(kMaxAttempts));
  const HttpResponse failed = client().get(path);
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(at(failed.body, "/status"), "error");
  EXPECT_NE(at(failed.body, "/error").find(std::to_string(kMaxAttempts) + " attempts"),
            std::string::npos)
      << failed.body;
  // In error, it is notified no more: a second referral (its outbox rows are written with it)
  // enqueues nothing for it.
  refer(p);
  EXPECT_EQ(outbox(hook.url("/failing")).size(), 1u);
}

// Delivered outbox rows older than the retention (default 7 days) are deleted by the delivery
// workers; recent ones, and undelivered ones whatever their age, stay.
TEST_F(Delivery, DeliveredMessagesOlderThanTheRetentionArePurged) {
  MessageReceiver gp;
  const Parties p = parties(gp, "A81004");
  const std::string first = refer(p), second = refer(p), third = refer(p);
  move(first, "accepted");
  move(second, "accepted");
  ASSERT_TRUE(waitUntil([&] { return allFinished(gp.url(), 2); })) << server_->log();
  gp.queueAnswer(400);  // the third is refused: undelivered at once
  move(third, "accepted");
  ASSERT_TRUE(waitUntil([&] { return allFinished(gp.url(), 3); })) << server_->log();
  ASSERT_EQ(outbox(gp.url())[2].first, "undelivered");
  {
    pqxx::connection c(*database_);
    pqxx::work tx(c);
    // The first delivered and the undelivered one finished eight days ago.
    tx.exec_params(
        "UPDATE outbox SET finished_at = now() - interval '8 days' WHERE id IN"
        " ((SELECT min(id) FROM outbox WHERE receiver = $1), (SELECT max(id) FROM outbox"
        "  WHERE receiver = $1))",
        gp.url());
    tx.commit();
  }
  ASSERT_TRUE(waitUntil([&] { return outbox(gp.url()).size() == 2; })) << server_->log();
  const auto left = outbox(gp.url());
  EXPECT_EQ(left[0].first, "delivered");  // the second, delivered just now
  EXPECT_EQ(left[1].first, "undelivered");
}

TEST_F(Delivery, NewReferralsAndCancellationsArePushedToAReceiverThatAsksForThem) {
  MessageReceiver gp;
  MessageReceiver provider;
  const Parties p = parties(gp);
  // The provider's Endpoint lists the BaRS request event: it wants referrals pushed.
  const std::string endpoint =
      create("Endpoint", samples::messagingEndpoint("Provider messaging", provider.url(), true));
  HttpResponse service = client().get("/HealthcareService/" + p.service);
  ASSERT_EQ(service.status, 200);
  HttpResponse updated = client().send(
      "PUT", "/HealthcareService/" + p.service,
      with(service.body, "/endpoint", R"([{"reference":"Endpoint/)" + endpoint + R"("}])"));
  ASSERT_EQ(updated.status, 200) << updated.body;

  const std::string referral = refer(p);
  HttpResponse current = client().get("/ServiceRequest/" + referral);
  HttpResponse cancelled = client().send("PUT", "/ServiceRequest/" + referral,
                                         with(current.body, "/status", "\"revoked\""));
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  ASSERT_TRUE(waitUntil([&] { return allFinished(provider.url(), 2); })) << server_->log();
  const auto got = provider.received();
  ASSERT_EQ(got.size(), 2u);
  rapidjson::Document first = parse(got[0].body);
  EXPECT_EQ(at(first, "/entry/0/resource/eventCoding/code"), "servicerequest-request");
  EXPECT_EQ(at(first, "/entry/0/resource/reason/coding/0/code"), "new");
  EXPECT_EQ(at(first, "/entry/1/resource/id"), referral);
  EXPECT_EQ(at(first, "/entry/1/resource/status"), "active");
  EXPECT_EQ(at(first, "/entry/2/resource/resourceType"), "Task");
  EXPECT_EQ(at(first, "/entry/3/resource/resourceType"), "Patient");
  EXPECT_EQ(got[0].header("x-correlation-id"), referral);
  rapidjson::Document second = parse(got[1].body);
  EXPECT_EQ(at(second, "/entry/0/resource/reason/coding/0/code"), "update");
  EXPECT_EQ(at(second, "/entry/1/resource/status"), "revoked");
  EXPECT_EQ(got[1].header("x-correlation-id"), referral);
  for (const auto& r : got) expectValidR4(client(), r.body);
  // A receiver whose Endpoint does not ask for them gets no pushed referrals.
  EXPECT_TRUE(outbox(gp.url()).empty());
}

// GP systems name the referrer by its ODS code only (an Organization reference by identifier):
// the responses go to the Endpoint of the Organization with that code, and name it as receiver.
TEST_F(Delivery, AReferrerNamedOnlyByItsOdsCodeGetsItsResponsesAtItsOrganizationsEndpoint) {
  MessageReceiver gp;
  const Parties p = parties(gp, "A81091");
  MessageReceiver elsewhere;
  parties(elsewhere, "A81092");  // another practice, with an Endpoint of its own
  const auto referByOdsCode = [&] {
    std::string json = samples::referral("Patient/" + p.patient);
    json =
        with(json, "/requester", R"({"identifier":{"system":")" + kOds + R"(","value":"A81091"}})");
    json = with(json, "/performer", R"([{"reference":"HealthcareService/)" + p.service + R"("}])");
    return create("ServiceRequest", json);
  };
  const std::string accepted = referByOdsCode();
  const std::string rejected = referByOdsCode();
  const std::string completed = referByOdsCode();
  move(accepted, "accepted");
  move(rejected, "rejected");
  move(completed, "accepted");
  move(completed, "in-progress");
  move(completed, "completed");
  ASSERT_TRUE(waitUntil([&] { return allFinished(gp.url(), 4); })) << server_->log();
  const auto got = gp.received();
  ASSERT_EQ(got.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> expected = {{accepted, "accepted"},
                                                                     {rejected, "rejected"},
                                                                     {completed, "accepted"},
                                                                     {completed, "completed"}};
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(expected[i].second);
    rapidjson::Document message = parse(got[i].body);
    EXPECT_EQ(got[i].header("x-correlation-id"), expected[i].first);
    EXPECT_EQ(at(message, "/entry/0/resource/eventCoding/code"), "servicerequest-response");
    EXPECT_EQ(at(message, "/entry/0/resource/destination/0/endpoint"), gp.url());
    EXPECT_EQ(at(message, "/entry/0/resource/destination/0/receiver/reference"),
              "Organization/" + p.gp);
    EXPECT_EQ(at(message, "/entry/1/resource/id"), expected[i].first);
    EXPECT_EQ(at(message, "/entry/2/resource/status"), expected[i].second);
    expectValidR4(client(), got[i].body);
  }
  for (const auto& [state, attempts] : outbox(gp.url())) EXPECT_EQ(state, "delivered");
  EXPECT_TRUE(elsewhere.received().empty());
}

// A warm handover to a new owner named only by its ODS code is pushed to the Endpoint of the
// Organization with that code, when it asks for pushed referral requests.
TEST_F(Delivery, AWarmHandoverIsPushedToANewOwnerNamedByItsOdsCode) {
  MessageReceiver gp;
  MessageReceiver next;
  const Parties p = parties(gp, "A81093");
  const std::string endpoint =
      create("Endpoint", samples::messagingEndpoint("Next provider messaging", next.url(), true));
  const std::string nextOrganisation =
      create("Organization", R"({"resourceType":"Organization",)" + samples::narrative("Next") +
                                 R"("identifier":[{"system":")" + kOds +
                                 R"(","value":"VCS0093"}],"active":true,"name":"Next",)"
                                 R"("endpoint":[{"reference":"Endpoint/)" +
                                 endpoint + R"("}]})");
  const std::string referral = refer(p);
  move(referral, "accepted");
  move(referral, "in-progress");
  const std::string handover =
      R"({"resourceType":"Task",)" + samples::narrative("Warm handover") +
      R"("status":"requested","intent":"order","code":{"coding":[{"system":")" +
      samples::kCodeSystemBase +
      R"(task-code","code":"warm-handover"}]},)"
      R"("partOf":[{"reference":"Task/)" +
      referral +
      R"(-task"}],)"
      R"("focus":{"reference":"ServiceRequest/)" +
      referral +
      R"("},)"
      R"("for":{"reference":"Patient/)" +
      p.patient +
      R"("},)"
      R"("requester":{"reference":"Organization/)" +
      p.provider +
      R"("},)"
      R"("owner":{"identifier":{"system":")" +
      kOds +
      R"(","value":"VCS0093"}},)"
      R"("input":[{"type":{"text":"Handover note"},"valueString":"Prefers mornings."}]})";
  const std::string t2 = create("Task", handover);
  ASSERT_TRUE(waitUntil([&] { return allFinished(next.url(), 1); })) << server_->log();
  const auto got = next.received();
  ASSERT_EQ(got.size(), 1u);
  rapidjson::Document message = parse(got[0].body);
  EXPECT_EQ(at(message, "/entry/0/resource/eventCoding/code"), "servicerequest-request");
  EXPECT_EQ(at(message, "/entry/0/resource/reason/coding/0/code"), "new");
  EXPECT_EQ(at(message, "/entry/0/resource/destination/0/receiver/reference"),
            "Organization/" + nextOrganisation);
  EXPECT_EQ(at(message, "/entry/1/resource/id"), referral);
  EXPECT_EQ(at(message, "/entry/2/resource/id"), t2);
  EXPECT_EQ(at(message, "/entry/2/resource/code/coding/0/code"), "warm-handover");
  expectValidR4(client(), got[0].body);
}

// End to end: a BaRS referral by message, the provider's acceptance, and the response at the
// reply address the message gave (a URL, or a service id that names a HealthcareService and its
// Endpoint), in the message's conversation and naming the request.
TEST_F(Delivery, BarsReferralByMessageGetsItsResponseAtTheReplyAddress) {
  create("Organization", R"({"resourceType":"Organization",)" + samples::narrative("SPoR") +
                             R"("identifier":[{"system":")" + kOds +
                             R"(","value":"SPR0001"}],"name":"SPoR"})");
  std::ifstream in(sourceDir() + "/tests/data/messaging/referral-request-bars.json");
  const std::string message((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(message.empty());

  MessageReceiver byUrl;
  MessageReceiver byServiceId;
  // The second referrer names itself by service id; its HealthcareService has the Endpoint.
  const Parties other = parties(byServiceId);
  std::string service = samples::directoryEntry("Organization/" + other.gp, "GP service");
  service = with(service, "/identifier",
                 R"([{"system":"https://fhir.nhs.uk/Id/dos-service-id","value":"9990001"}])");
  service = with(service, "/endpoint", R"([{"reference":"Endpoint/)" + other.endpoint + R"("}])");
  create("HealthcareService", service);

  struct Sent {
    std::string bundleId, correlationId, referral;
  };
  const auto send = [&](const std::string& replyAddress, const std::string& bundleId,
                        const std::string& correlationId) {
    std::string m = with(message, "/id", "\"" + bundleId + "\"");
    m = with(m, "/entry/0/resource/source/endpoint", "\"" + replyAddress + "\"");
    // A sender practice of its own (other tests here made several A81001 organisations).
    m = with(m, "/entry/4/resource/identifier/0/value", "\"A89999\"");
    Sent sent{bundleId, correlationId, ""};
    HttpResponse r =
        client().send("POST", "/$process-message", m,
                      {"X-Request-Id: " + bundleId, "X-Correlation-Id: " + sent.correlationId});
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string focus = at(r.body, "/entry/0/resource/focus/0/reference");
    sent.referral = focus.substr(focus.find('/') + 1);
    return sent;
  };
  const Sent first = send(byUrl.url(), "0b8f1c52-5d0e-4c1a-9a51-0c2b3d4e5f61",
                          "7d2e9a10-4b3c-4d5e-8f60-718293a4b5c6");
  const Sent second =
      send("https://fhir.nhs.uk/Id/dos-service-id|9990001", "1c9a2d63-6e1f-4d2b-8b62-1d3c4e5f6a72",
           "8e3f0b21-5c4d-4e6f-9071-8293a4b5c6d7");
  ASSERT_FALSE(first.referral.empty());
  ASSERT_FALSE(second.referral.empty());
  for (const Sent& sent : {first, second}) {
    HttpResponse task = client().get("/Task?focus=ServiceRequest/" + sent.referral);
    ASSERT_EQ(arraySize(task.body, "/entry"), 1u) << task.body;
    rapidjson::Document found = parse(task.body);
    const std::string taskId = at(found, "/entry/0/resource/id");
    const std::string body = write(found["entry"][0]["resource"]);
    HttpResponse accepted =
        client().send("PUT", "/Task/" + taskId, with(body, "/status", "\"accepted\""));
    ASSERT_EQ(accepted.status, 200) << accepted.body;
  }
  for (auto [receiver, sent, destination] :
       {std::make_tuple(&byUrl, first, byUrl.url()),
        std::make_tuple(&byServiceId, second,
                        std::string("https://fhir.nhs.uk/Id/dos-service-id|9990001"))}) {
    ASSERT_TRUE(receiver->waitFor([](const auto& r) { return r.size() >= 1; })) << server_->log();
    const ReceivedRequest got = receiver->received().front();
    EXPECT_EQ(got.header("x-correlation-id"), sent.correlationId);
    EXPECT_TRUE(isUuid(got.header("x-request-id")));
    EXPECT_NE(got.header("x-request-id"), sent.bundleId);
    rapidjson::Document response = parse(got.body);
    EXPECT_EQ(at(response, "/entry/0/resource/eventCoding/code"), "servicerequest-response");
    EXPECT_EQ(at(response, "/entry/0/resource/response/identifier"), sent.bundleId);
    EXPECT_EQ(at(response, "/entry/0/resource/destination/0/endpoint"), destination);
    EXPECT_EQ(at(response, "/entry/1/resource/id"), sent.referral);
    EXPECT_EQ(at(response, "/entry/2/resource/status"), "accepted");
    expectValidR4(client(), got.body);
  }
}

// With client certificates, so partners' own vocabularies apply (mappings/partners.json: the
// Northvale VCSE case system, VCS0001 and VCS0002, writes and reads its own status words).
class DeliveryToPartners : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new std::string(PostgresCluster::shared().freshDatabase());
    server_ = std::make_unique<ServerProcess>(*database_,
                                              ServerOptions{true, quickDeliveryArgs(kMaxAttempts)});
  }
  static void TearDownTestSuite() {
    server_.reset();
    delete database_;
  }

  static HttpClient& client(const std::string& slug) {
    static PartnerClients clients(server_->baseUrl());
    return clients.as(slug);
  }

  static std::string create(const std::string& slug, const std::string& type,
                            const std::string& json) {
    HttpResponse r = client(slug).send("POST", "/" + type, json);
    EXPECT_EQ(r.status, 201) << type << ": " << r.body;
    return at(r.body, "/id");
  }

  static std::string organisation(const std::string& ods, const std::string& endpoint) {
    return create(
        "admin", "Organization",
        R"({"resourceType":"Organization",)" + samples::narrative("Organisation " + ods) +
            R"("identifier":[{"system":")" + kOds + R"(","value":")" + ods +
            R"("}],"active":true,"name":")" + ods + "\"" +
            (endpoint.empty() ? std::string()
                              : R"(,"endpoint":[{"reference":"Endpoint/)" + endpoint + R"("}])") +
            "}");
  }

  static std::string* database_;
  static std::unique_ptr<ServerProcess> server_;
};

std::string* DeliveryToPartners::database_ = nullptr;
std::unique_ptr<ServerProcess> DeliveryToPartners::server_;

const std::string kVcseStatus = "https://vcse-cases.northvale.example.org/CodeSystem/case-status";

// Issue #7: "Contacted" on a referral only received is an implicit acceptance, recorded as two
// versions (accepted, then in-progress); the referrer, itself on the VCSE case system, gets the
// acceptance in its own words.
TEST_F(DeliveryToPartners,
       ContactedOnAReceivedReferralIsAcceptedFirstAndTheReferrerGetsItsOwnWords) {
  MessageReceiver carers;
  const std::string endpoint =
      create("admin", "Endpoint", samples::messagingEndpoint("Carers messaging", carers.url()));
  const std::string referrer = organisation("VCS0002", endpoint);
  const std::string provider = organisation("VCS0001", "");
  const std::string service =
      create("admin", "HealthcareService", samples::directoryEntry("Organization/" + provider));
  const std::string patient = create("vcse-carers", "Patient", samples::patient());  // referrer
  std::string json = samples::referral("Patient/" + patient, "Organization/" + referrer);
  json = with(json, "/performer", R"([{"reference":"HealthcareService/)" + service + R"("}])");
  const std::string referral = create("vcse-carers", "ServiceRequest", json);
  const std::string path = "/Task/" + referral + "-task";

  // The provider's case system says what it did in its own words.
  const auto say = [&](const std::string& word) {
    HttpResponse current = client("vcse-walking").get(path);
    EXPECT_EQ(current.status, 200) << current.body;
    const std::string task =
        with(current.body, "/businessStatus",
             R"({"coding":[{"system":")" + kVcseStatus + R"(","code":")" + word + R"("}]})");
    return client("vcse-walking").send("PUT", path, task);
  };
  HttpResponse received = say("Referral received");
  ASSERT_EQ(received.status, 200) << received.body;
  EXPECT_EQ(at(received.body, "/status"), "received");
  HttpResponse contacted = say("Contacted");
  ASSERT_EQ(contacted.status, 200) << contacted.body;
  EXPECT_EQ(at(contacted.body, "/status"), "in-progress");
  EXPECT_EQ(at(contacted.body, "/meta/versionId"), "4");

  HttpResponse history = client("vcse-walking").get(path + "/_history");
  ASSERT_EQ(history.status, 200) << history.body;
  rapidjson::Document versions = parse(history.body);
  ASSERT_EQ(versions["entry"].Size(), 4u);  // newest first
  EXPECT_EQ(at(versions, "/entry/0/resource/status"), "in-progress");
  EXPECT_EQ(at(versions, "/entry/1/resource/status"), "accepted");
  EXPECT_EQ(at(versions, "/entry/2/resource/status"), "received");
  EXPECT_EQ(at(versions, "/entry/3/resource/status"), "requested");

  // One response (the acceptance) to the referrer, with the VCSE word beside the canonical code.
  ASSERT_TRUE(carers.waitFor([](const auto& r) { return r.size() >= 1; })) << server_->log();
  const ReceivedRequest got = carers.received().front();
  rapidjson::Document message = parse(got.body);
  EXPECT_EQ(at(message, "/entry/2/resource/status"), "accepted");
  std::set<std::string> codes;
  for (const auto& coding :
       message["entry"][2]["resource"]["businessStatus"]["coding"].GetArray()) {
    codes.insert(at(coding, "/system") + "|" + at(coding, "/code"));
  }
  EXPECT_TRUE(codes.count(kVcseStatus + "|Referral received")) << got.body;
  EXPECT_TRUE(codes.count(
      "https://fhir.social-prescribing.example.org/CodeSystem/task-business-status|received"));
  // Exactly one message was ever queued for the referrer (the move to in-progress is no news).
  pqxx::connection db(*database_);
  pqxx::nontransaction tx(db);
  EXPECT_EQ(tx.exec_params("SELECT count(*) FROM outbox WHERE receiver = $1", carers.url())[0][0]
                .as<int>(),
            1);
  EXPECT_EQ(carers.received().size(), 1u);
}

// A Subscription tells its creator only of records the creator may see: a provider that asks
// for every requested Task hears of its own new referral, not of another provider's.
TEST_F(DeliveryToPartners, ASubscriptionTellsItsCreatorOnlyOfRecordsItMaySee) {
  MessageReceiver hook;
  const std::string gp = organisation("A81001", "");
  const std::string walking = organisation("VCS0001", "");
  const std::string carers = organisation("VCS0002", "");
  const std::string walks =
      create("admin", "HealthcareService", samples::directoryEntry("Organization/" + walking));
  const std::string circle = create("admin", "HealthcareService",
                                    samples::directoryEntry("Organization/" + carers, "Circle"));
  create("vcse-walking", "Subscription",
         R"({"resourceType":"Subscription","status":"requested","reason":"Everything new",)"
         R"("criteria":"Task?status=requested","channel":{"type":"rest-hook","endpoint":")" +
             hook.url("/walking") + R"(","payload":"application/fhir+json"}})");
  const auto refer = [&](const std::string& service) {
    const std::string patient = create("gp", "Patient", samples::patient());
    const std::string json =
        with(samples::referral("Patient/" + patient, "Organization/" + gp), "/performer",
             R"([{"reference":"HealthcareService/)" + service + R"("}])");
    return create("gp", "ServiceRequest", json);
  };
  const std::string theirs = refer(circle);
  const std::string ours = refer(walks);

  ASSERT_TRUE(hook.waitFor([](const auto& r) { return r.size() >= 1; })) << server_->log();
  rapidjson::Document notification = parse(hook.received().front().body);
  const std::string focus = at(notification, "/entry/1/fullUrl");
  EXPECT_NE(focus.find("/Task/" + ours + "-task"), std::string::npos) << focus;
  // Both referrals are committed, so every notification they caused is already queued.
  pqxx::connection db(*database_);
  pqxx::nontransaction tx(db);
  const pqxx::result queued =
      tx.exec_params("SELECT body FROM outbox WHERE receiver = $1", hook.url("/walking"));
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0][0].as<std::string>().find(theirs), std::string::npos);
}

// A response the referrer's system refuses (503 until the last attempt, which it answers 400)
// becomes a Communication (not-done) that both ends find: the provider whose change caused it
// (the Task's owner, named by ODS code only) and the practice it was for (the referral's
// requester is a PractitionerRole with an Endpoint of its own). It carries who, the message
// as it was sent, and why; organisations that are neither do not see it.
TEST_F(DeliveryToPartners, AnUndeliveredResponseIsFoundByItsSenderAndItsIntendedReceiver) {
  MessageReceiver gpSystem;
  for (int i = 1; i < kMaxAttempts; ++i) gpSystem.queueAnswer(503);
  gpSystem.queueAnswer(
      400,
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid"}]})");
  const std::string endpoint = create(
      "admin", "Endpoint", samples::messagingEndpoint("Dr Osei's messaging", gpSystem.url()));
  const std::string practice = organisation("A81001", "");
  const std::string role =
      create("gp", "PractitionerRole",
             R"({"resourceType":"PractitionerRole",)" + samples::narrative("Dr Osei, GP") +
                 R"("active":true,"organization":{"reference":"Organization/)" + practice +
                 R"("},"endpoint":[{"reference":"Endpoint/)" + endpoint + R"("}]})");
  const std::string patient = create("gp", "Patient", samples::patient("Undelivered"));
  std::string json = samples::referral("Patient/" + patient, "PractitionerRole/" + role);
  json = with(json, "/performer",
              R"([{"identifier":{"system":")" + kOds + R"(","value":"VCS0001"}}])");
  const std::string referral = create("gp", "ServiceRequest", json);
  const std::string task = "Task/" + referral + "-task";
  HttpResponse current = client("vcse-walking").get("/" + task);
  ASSERT_EQ(current.status, 200) << current.body;
  ASSERT_EQ(at(current.body, "/owner/identifier/value"), "VCS0001") << current.body;
  HttpResponse accepted =
      client("vcse-walking").send("PUT", "/" + task, with(current.body, "/status", "\"accepted\""));
  ASSERT_EQ(accepted.status, 200) << accepted.body;

  pqxx::connection db(*database_);
  const auto finished = [&] {
    pqxx::nontransaction tx(db);
    const auto r =
        tx.exec_params("SELECT state, attempts FROM outbox WHERE receiver = $1", gpSystem.url());
    return r.size() == 1 && r[0][0].as<std::string>() == "undelivered" ? r[0][1].as<int>() : 0;
  };
  ASSERT_TRUE(waitUntil([&] { return finished() > 0; })) << server_->log();
  EXPECT_EQ(finished(), kMaxAttempts);
  const auto sent = gpSystem.received();
  ASSERT_EQ(sent.size(), static_cast<std::size_t>(kMaxAttempts));

  std::string id;  // the Communication, as the last check found it
  const auto check = [&](const std::string& who, const std::string& search) {
    SCOPED_TRACE(who + " " + search);
    HttpResponse found = client(who).get(search);
    ASSERT_EQ(found.status, 200) << found.body;
    ASSERT_EQ(arraySize(found.body, "/entry"), 1u) << found.body;
    rapidjson::Document bundle = parse(found.body);
    const rapidjson::Value& c = bundle["entry"][0]["resource"];
    EXPECT_EQ(at(c, "/status"), "not-done");
    EXPECT_EQ(at(c, "/basedOn/0/reference"), task);
    EXPECT_EQ(at(c, "/sender/identifier/system"), kOds);
    EXPECT_EQ(at(c, "/sender/identifier/value"), "VCS0001");
    EXPECT_EQ(at(c, "/recipient/0/reference"), "Organization/" + practice);
    EXPECT_EQ(at(c, "/recipient/0/identifier/value"), "A81001");
    EXPECT_NE(at(c, "/statusReason/text").find("HTTP 400"), std::string::npos) << found.body;
    EXPECT_EQ(at(c, "/payload/0/contentAttachment/contentType"), "application/fhir+json");
    EXPECT_EQ(base64Decode(at(c, "/payload/0/contentAttachment/data")), sent.back().body);
    HttpResponse read = client(who).get("/Communication/" + at(c, "/id"));
    EXPECT_EQ(read.status, 200) << read.body;
    id = at(c, "/id");
  };
  // The provider, by what it changed and by who it is; the practice, by who it is.
  check("vcse-walking", "/Communication?based-on=" + task + "&status=not-done");
  check("vcse-walking", "/Communication?sender:identifier=" + kOds + "%7CVCS0001&status=not-done");
  check("gp", "/Communication?recipient=Organization/" + practice + "&status=not-done");
  // An organisation that is neither sees nothing.
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(client("vcse-carers").get("/Communication/" + id).status, 404);
  // The message itself was valid R4.
  expectValidR4(client("gp"), sent.back().body);
}

// Over https the adapter shows its own client certificate (hub-client.crt, for client
// authentication: the trusted partner here checks the purpose, as OpenSSL does by default for a
// server that verifies its callers, and refuses a server certificate) and delivers only to a
// partner whose certificate chains to the configured CA (here the one that signs client
// certificates).
TEST_F(DeliveryToPartners, HttpsDeliveryPresentsTheHubClientCertificateAndVerifiesThePartner) {
  const Certificates& ours = testCertificates();
  const Certificates& foreign = testCertificates("foreign");
  MessageReceiver trusted(
      ReceiverTls{ours.dir + "/server.crt", ours.dir + "/server.key", ours.ca()});
  MessageReceiver impostor(
      ReceiverTls{foreign.dir + "/server.crt", foreign.dir + "/server.key", ""});
  const auto referTo = [&](const MessageReceiver& gp, const std::string& ods) {
    const std::string endpoint =
        create("admin", "Endpoint", samples::messagingEndpoint("GP messaging", gp.url()));
    const std::string referrer = organisation(ods, endpoint);
    const std::string provider = organisation("SPR0001", "");
    const std::string service =
        create("admin", "HealthcareService", samples::directoryEntry("Organization/" + provider));
    // The single point of referral records the practice's referral to its own service.
    const std::string patient = create("spor", "Patient", samples::patient());
    std::string json = samples::referral("Patient/" + patient, "Organization/" + referrer);
    json = with(json, "/performer", R"([{"reference":"HealthcareService/)" + service + R"("}])");
    const std::string referral = create("spor", "ServiceRequest", json);
    HttpResponse current = client("spor").get("/Task/" + referral + "-task");
    EXPECT_EQ(current.status, 200) << current.body;
    HttpResponse accepted = client("spor").send("PUT", "/Task/" + referral + "-task",
                                                with(current.body, "/status", "\"accepted\""));
    EXPECT_EQ(accepted.status, 200) << accepted.body;
    return referral;
  };
  referTo(trusted, "HTS0001");
  const std::string refused = referTo(impostor, "HTS0002");
  const auto refusals = [&] {
    std::string all;
    for (const auto& r : trusted.handshakeRefusals()) all += r + "; ";
    return all;
  };
  ASSERT_TRUE(trusted.waitFor([](const auto& r) { return r.size() >= 1; }))
      << "refused: " << refusals() << "\n"
      << server_->log();
  EXPECT_NE(trusted.received().front().clientSubject.find("CN=sp-hub"), std::string::npos)
      << trusted.received().front().clientSubject;
  EXPECT_EQ(refusals(), "");
  EXPECT_EQ(at(trusted.received().front().body, "/entry/0/resource/eventCoding/code"),
            "servicerequest-response");
  expectValidR4(client("spor"), trusted.received().front().body);
  // The impostor never gets the message: the TLS handshake fails until the attempts run out.
  pqxx::connection db(*database_);
  const auto state = [&] {
    pqxx::nontransaction tx(db);
    const auto r = tx.exec_params(
        "SELECT state, COALESCE(last_error, '') FROM outbox WHERE receiver = $1", impostor.url());
    return r.empty() ? std::string() : r[0][0].as<std::string>() + " " + r[0][1].as<std::string>();
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (state().rfind("undelivered", 0) != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(state().rfind("undelivered", 0), 0u) << state();
  EXPECT_NE(state().find("TLS handshake"), std::string::npos) << state();
  EXPECT_TRUE(impostor.received().empty());
  HttpResponse notice =
      client("spor").get("/Communication?based-on=Task/" + refused + "-task&status=not-done");
  EXPECT_EQ(arraySize(notice.body, "/entry"), 1u) << notice.body;
}

}  // namespace
}  // namespace sp::testing
