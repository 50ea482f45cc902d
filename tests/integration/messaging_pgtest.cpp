// FHIR messaging (POST /$process-message) over real HTTP(S) against a real PostgreSQL: a BaRS
// referral in (its Task made, the BaRS answer), a FHIR partner's referral (the response
// message, a repeat answered unchanged), BaRS update and cancel that reuse the Bundle.id,
// duplicates (409), concurrent duplicates on two server processes (one referral), a message in
// flight (425), every bad message with its status and receiver code leaving nothing behind, the
// stored messages read back and searched, and the sender checked against the client certificate.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
const std::string kBarsEvents = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
const std::string kProjectEvents =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-event";
const std::string kErrorCodes = "https://fhir.nhs.uk/Codesystem/http-error-codes";
const std::string kRequestIdTag =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-request-id";

// NHSD-End-User-Organisation values: base64 of an Organization with the ODS code A81001 (the GP
// practice that sends the sample referral) or Z99999 (another organisation).
const std::string kEndUserGp =
    "NHSD-End-User-Organisation: eyJyZXNvdXJjZVR5cGUiOiJPcmdhbml6YXRpb24iLCJpZGVudGlmaWVyIjpbeyJz"
    "eXN0ZW0iOiJodHRwczovL2ZoaXIubmhzLnVrL0lkL29kcy1vcmdhbml6YXRpb24tY29kZSIsInZhbHVlIjoiQTgxMDAx"
    "In1dfQ==";
const std::string kEndUserOther =
    "NHSD-End-User-Organisation: eyJyZXNvdXJjZVR5cGUiOiJPcmdhbml6YXRpb24iLCJpZGVudGlmaWVyIjpbeyJz"
    "eXN0ZW0iOiJodHRwczovL2ZoaXIubmhzLnVrL0lkL29kcy1vcmdhbml6YXRpb24tY29kZSIsInZhbHVlIjoiWjk5OTk5"
    "In1dfQ==";

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string referralMessage() {
  static const std::string text =
      readFile(sourceDir() + "/tests/data/messaging/referral-request-bars.json");
  return text;
}

// A BaRS referral with its own Bundle.id.
std::string barsReferral(const std::string& bundleId) {
  return with(referralMessage(), "/id", quoted(bundleId));
}

// The same referral as a FHIR partner sends it: the project's event, a MessageHeader.id.
std::string fhirReferral(const std::string& headerId) {
  std::string m = with(referralMessage(), "/id", quoted(newUuid()));
  m = with(m, "/entry/0/resource/eventCoding",
           R"({"system":")" + kProjectEvents + R"(","code":"referral-request"})");
  m = without(m, "/entry/0/resource/reason");
  return with(m, "/entry/0/resource/id", quoted(headerId));
}

// A BaRS update of the referral `bundleId` (reason update) with the ServiceRequest `status`.
std::string barsUpdate(const std::string& bundleId, const std::string& status) {
  std::string m = barsReferral(bundleId);
  m = with(m, "/entry/0/resource/reason/coding/0/code", quoted("update"));
  return with(m, "/entry/1/resource/status", quoted(status));
}

struct Headers {
  std::string requestId = newUuid();
  std::string correlationId = newUuid();
  std::vector<std::string> list() const {
    return {"X-Request-Id: " + requestId, "X-Correlation-Id: " + correlationId};
  }
};

std::string issueCode(const HttpResponse& r) { return at(r.body, "/issue/0/code"); }
std::string receiverCode(const HttpResponse& r) {
  return at(r.body, "/issue/0/details/coding/0/code");
}

// The answer's entry of `type` (its resource), or null.
const rapidjson::Value* entryOfType(const rapidjson::Document& bundle, const std::string& type) {
  for (const auto& entry : bundle["entry"].GetArray()) {
    if (at(entry, "/resource/resourceType") == type) return &entry["resource"];
  }
  return nullptr;
}

class Messaging : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new std::string(PostgresCluster::shared().freshDatabase());
    server_ = std::make_unique<ServerProcess>(*database_);
    second_ = std::make_unique<ServerProcess>(*database_);
    HttpClient http(server_->baseUrl());
    // The receiver (the single point of referral) and one of its services, held here.
    HttpResponse r = http.send("POST", "/Organization",
                               R"({"resourceType":"Organization","identifier":[{"system":")" +
                                   kOds + R"(","value":"SPR0001"}],"name":"SPoR"})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  static void TearDownTestSuite() {
    second_.reset();
    server_.reset();
    delete database_;
  }

  static HttpResponse post(const std::string& message, const std::vector<std::string>& headers,
                           ServerProcess* server = nullptr) {
    HttpClient http((server ? server : server_.get())->baseUrl());
    return http.send("POST", "/$process-message", message, headers);
  }
  static HttpResponse get(const std::string& path) {
    return HttpClient(server_->baseUrl()).get(path);
  }

  static std::string footprint() { return messagingFootprint(*database_); }

  static std::string* database_;
  static std::unique_ptr<ServerProcess> server_;
  static std::unique_ptr<ServerProcess> second_;
};

std::string* Messaging::database_ = nullptr;
std::unique_ptr<ServerProcess> Messaging::server_;
std::unique_ptr<ServerProcess> Messaging::second_;

TEST_F(Messaging, BarsReferralMakesTheTaskAndEchoesTheMessageWithAPlannedEncounter) {
  const std::string bundleId = newUuid();
  const Headers h;
  const HttpResponse r = post(barsReferral(bundleId), h.list());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-request-id"), h.requestId);
  EXPECT_EQ(r.header("x-correlation-id"), h.correlationId);
  rapidjson::Document answer = parse(r.body);
  EXPECT_EQ(at(answer, "/id"), bundleId);
  EXPECT_EQ(at(answer, "/type"), "message");
  EXPECT_EQ(at(answer, "/entry/0/resource/resourceType"), "MessageHeader");
  const std::string focus = at(answer, "/entry/0/resource/focus/0/reference");
  ASSERT_EQ(focus.rfind("ServiceRequest/", 0), 0u) << focus;
  const std::string referralId = focus.substr(std::string("ServiceRequest/").size());
  EXPECT_EQ(at(answer, "/entry/1/resource/id"), referralId);
  EXPECT_EQ(at(answer, "/entry/1/fullUrl"), server_->baseUrl() + "/" + focus);

  const rapidjson::Value* encounter = entryOfType(answer, "Encounter");
  ASSERT_NE(encounter, nullptr) << r.body;
  EXPECT_EQ(at(*encounter, "/status"), "planned");
  EXPECT_EQ(at(*encounter, "/identifier/0/value").rfind("SP-", 0), 0u);
  EXPECT_EQ(at(*encounter, "/basedOn/0/reference"), focus);

  const rapidjson::Value* task = entryOfType(answer, "Task");
  ASSERT_NE(task, nullptr) << r.body;
  EXPECT_EQ(at(*task, "/status"), "requested");
  EXPECT_EQ(at(*task, "/focus/reference"), focus);
  const HttpResponse stored = get("/Task/" + at(*task, "/id"));
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(at(stored.body, "/focus/reference"), focus);

  pqxx::connection conn(*database_);
  pqxx::nontransaction tx(conn);
  const pqxx::result c = tx.exec_params(
      "SELECT sender_organisation, reply_endpoint, correlation_id, partner_kind,"
      " request_bundle_id FROM message_conversations WHERE service_request_id = $1",
      referralId);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0][0].as<std::string>(), "A81001");
  EXPECT_EQ(c[0][1].as<std::string>(), "https://gp-y12345.example.nhs.uk/fhir");
  EXPECT_EQ(c[0][2].as<std::string>(), h.correlationId);
  EXPECT_EQ(c[0][3].as<std::string>(), "bars");
  EXPECT_EQ(c[0][4].as<std::string>(), bundleId);
}

TEST_F(Messaging, TheJourneyIdOfTheReferringEncounterIsKept) {
  std::string m = barsReferral(newUuid());
  rapidjson::Document doc = parse(m);
  rapidjson::Document encounter =
      parse(R"({"fullUrl":"urn:uuid:2b7c0d4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e","resource":{)"
            R"("resourceType":"Encounter","status":"finished","class":{"system":)"
            R"("http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},)"
            R"("subject":{"reference":"urn:uuid:5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"},)"
            R"("episodeOfCare":[{"reference":"EpisodeOfCare/journey-7"}]}})");
  rapidjson::Value copy;
  copy.CopyFrom(encounter, doc.GetAllocator());
  doc["entry"].PushBack(copy, doc.GetAllocator());
  const HttpResponse r = post(write(doc), Headers().list());
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document answer = parse(r.body);
  bool planned = false;
  for (const auto& entry : answer["entry"].GetArray()) {
    if (at(entry, "/resource/status") != "planned") continue;
    planned = true;
    EXPECT_EQ(at(entry, "/resource/episodeOfCare/0/reference"), "EpisodeOfCare/journey-7");
  }
  EXPECT_TRUE(planned) << r.body;
}

TEST_F(Messaging, FhirPartnerGetsAResponseMessageAndTheSameAnswerForARepeat) {
  const std::string headerId = newUuid();
  const std::string message = fhirReferral(headerId);
  const HttpResponse r = post(message, {});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.header("x-request-id").empty());
  EXPECT_FALSE(r.header("x-correlation-id").empty());
  EXPECT_EQ(at(r.body, "/type"), "message");
  EXPECT_EQ(at(r.body, "/entry/0/resource/response/identifier"), headerId);
  EXPECT_EQ(at(r.body, "/entry/0/resource/response/code"), "ok");
  const std::string task = at(r.body, "/entry/0/resource/focus/0/reference");
  ASSERT_EQ(task.rfind("Task/", 0), 0u) << r.body;
  EXPECT_EQ(at(r.body, "/entry/1/resource/status"), "requested");
  EXPECT_EQ(get("/" + task).status, 200);

  const std::string before = footprint();
  const HttpResponse again = post(message, {});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, r.body);
  EXPECT_EQ(footprint(), before);
}

TEST_F(Messaging, ARepeatedBarsMessageIsADuplicateAndChangesNothing) {
  const Headers h;
  const std::string message = barsReferral(newUuid());
  ASSERT_EQ(post(message, h.list()).status, 200);
  const std::string before = footprint();
  const HttpResponse again = post(message, h.list());
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(issueCode(again), "duplicate");
  EXPECT_EQ(receiverCode(again), "REC_CONFLICT");
  EXPECT_EQ(at(again.body, "/issue/0/details/coding/0/system"), kErrorCodes);
  EXPECT_EQ(footprint(), before);
}

TEST_F(Messaging, ARepeatOfAFailedMessageGetsTheSameError) {
  const Headers h;
  const std::string message =
      with(barsReferral(newUuid()), "/entry/6/resource/status", quoted("robot"));
  const HttpResponse first = post(message, h.list());
  ASSERT_EQ(first.status, 422) << first.body;
  const HttpResponse again = post(message, h.list());
  EXPECT_EQ(again.status, 422);
  EXPECT_EQ(again.body, first.body);
}

TEST_F(Messaging, AMessageStillInFlightIsTooEarly) {
  const Headers h;
  {
    // The first copy has just been claimed by some server process.
    pqxx::connection conn(*database_);
    pqxx::work tx(conn);
    tx.exec_params(
        "INSERT INTO message_claims (sender, key_kind, key, state)"
        " VALUES ('A81001', 'x-request-id', $1, 'processing')",
        h.requestId);
    tx.commit();
  }
  const std::string before = footprint();
  const HttpResponse r = post(barsReferral(newUuid()), h.list());
  EXPECT_EQ(r.status, 425) << r.body;
  EXPECT_EQ(receiverCode(r), "REC_TOO_EARLY");
  EXPECT_EQ(footprint(), before);
}

TEST_F(Messaging, ConcurrentCopiesOnTwoProcessesMakeOneReferral) {
  for (int round = 0; round < 3; ++round) {
    const Headers h;
    const std::string bundleId = newUuid();
    const std::string message = barsReferral(bundleId);
    std::vector<HttpResponse> answers(6);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      threads.emplace_back(
          [&, i] { answers[i] = post(message, h.list(), i % 2 ? second_.get() : server_.get()); });
    }
    for (auto& t : threads) t.join();
    int ok = 0;
    for (const auto& a : answers) {
      if (a.status == 200) {
        ++ok;
      } else {
        EXPECT_TRUE(a.status == 409 || a.status == 425) << a.status << " " << a.body;
      }
    }
    EXPECT_EQ(ok, 1);
    pqxx::connection conn(*database_);
    pqxx::nontransaction tx(conn);
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM message_conversations"
                              " WHERE request_bundle_id = $1",
                              bundleId)[0]
                  .as<int>(),
              1);
  }
}

TEST_F(Messaging, BarsUpdateAndCancelReuseTheBundleIdOfTheReferral) {
  const std::string bundleId = newUuid();
  const HttpResponse referral = post(barsReferral(bundleId), Headers().list());
  ASSERT_EQ(referral.status, 200) << referral.body;
  const std::string focus = at(referral.body, "/entry/0/resource/focus/0/reference");
  const rapidjson::Document answer = parse(referral.body);
  const std::string task = "Task/" + at(*entryOfType(answer, "Task"), "/id");

  std::string update = barsUpdate(bundleId, "active");
  update = with(update, "/entry/1/resource/priority", quoted("urgent"));
  const HttpResponse updated = post(update, Headers().list());
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(at(get("/" + focus).body, "/priority"), "urgent");

  const HttpResponse cancelled = post(barsUpdate(bundleId, "revoked"), Headers().list());
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(at(get("/" + focus).body, "/status"), "revoked");
  EXPECT_EQ(at(get("/" + task).body, "/status"), "cancelled");

  // The referral is no longer active: a second cancel is refused and changes nothing.
  const std::string before = footprint();
  const HttpResponse again = post(barsUpdate(bundleId, "entered-in-error"), Headers().list());
  EXPECT_EQ(again.status, 422) << again.body;
  EXPECT_EQ(receiverCode(again), "REC_UNPROCESSABLE_ENTITY");
  EXPECT_EQ(footprint(), before);
}

// MESSAGING.md: an update must not silently overwrite what was changed here since the sender's
// copy; the sender's own earlier messages never count against it.
TEST_F(Messaging, ABarsUpdateOlderThanAChangeMadeHereIsAConflictAndChangesNothing) {
  const std::string bundleId = newUuid();
  const HttpResponse referral = post(barsReferral(bundleId), Headers().list());
  ASSERT_EQ(referral.status, 200) << referral.body;
  const std::string focus = at(referral.body, "/entry/0/resource/focus/0/reference");

  // The sender's copy keeps the time it was written (before the referral was sent): its own
  // referral is the only change, so its update is accepted.
  const std::string oldCopy = R"({"lastUpdated":"2026-03-02T09:14:00+00:00"})";
  std::string update = with(barsUpdate(bundleId, "active"), "/entry/1/resource/meta", oldCopy);
  update = with(update, "/entry/1/resource/priority", quoted("urgent"));
  ASSERT_EQ(post(update, Headers().list()).status, 200);

  // The receiver changes the referral here.
  rapidjson::Document local = parse(get("/" + focus).body);
  rapidjson::Pointer("/note/0/text").Set(local, "Phoned the person: prefers mornings");
  const HttpResponse put = HttpClient(server_->baseUrl()).send("PUT", "/" + focus, write(local));
  ASSERT_EQ(put.status, 200) << put.body;

  // Another update from the same old copy: refused, nothing written.
  const std::string before = footprint();
  const HttpResponse stale =
      post(with(update, "/entry/1/resource/priority", quoted("asap")), Headers().list());
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(issueCode(stale), "conflict");
  EXPECT_EQ(receiverCode(stale), "REC_CONFLICT");
  EXPECT_EQ(footprint(), before);
  const HttpResponse held = get("/" + focus);
  EXPECT_EQ(at(held.body, "/priority"), "urgent");
  EXPECT_EQ(at(held.body, "/note/0/text"), "Phoned the person: prefers mornings");

  // A copy read back (the id assigned here, the version held now) is accepted; one based on an
  // earlier version is not.
  rapidjson::Document readBack = parse(held.body);
  rapidjson::Pointer("/priority").Set(readBack, "asap");
  const std::string current =
      with(barsUpdate(bundleId, "active"), "/entry/1/resource", write(readBack));
  const std::string earlier =
      with(current, "/entry/1/resource/meta/versionId",
           quoted(std::to_string(std::stoi(at(readBack, "/meta/versionId")) - 1)));
  const HttpResponse refused = post(earlier, Headers().list());
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(receiverCode(refused), "REC_CONFLICT");
  const HttpResponse accepted = post(current, Headers().list());
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(at(get("/" + focus).body, "/priority"), "asap");
}

TEST_F(Messaging, BarsFeedbackNamesTheReferralByItsBundleId) {
  const std::string bundleId = newUuid();
  ASSERT_EQ(post(barsReferral(bundleId), Headers().list()).status, 200);
  std::string feedback = with(barsReferral(newUuid()), "/entry/0/resource/eventCoding/code",
                              quoted("servicerequest-response"));
  feedback = with(feedback, "/entry/0/resource/response",
                  R"({"identifier":")" + bundleId + R"(","code":"ok"})");
  const Headers h;
  const HttpResponse r = post(feedback, h.list());
  ASSERT_EQ(r.status, 200) << r.body;
  const HttpResponse stored = get("/Bundle?_tag=" + kRequestIdTag + "%7C" + h.requestId);
  EXPECT_EQ(arraySize(stored.body, "/entry"), 2u) << stored.body;
}

// BaRS feedback about the referral `bundleId` carrying the provider's Task with `taskStatus`.
std::string barsFeedback(const std::string& bundleId, const std::string& taskStatus) {
  std::string m = with(barsReferral(newUuid()), "/entry/0/resource/eventCoding/code",
                       quoted("servicerequest-response"));
  m = with(m, "/entry/0/resource/response", R"({"identifier":")" + bundleId + R"(","code":"ok"})");
  return with(m, "/entry/-",
              R"({"fullUrl":"urn:uuid:)" + newUuid() +
                  R"(","resource":{"resourceType":"Task","status":")" + taskStatus +
                  R"(","intent":"order","focus":{"reference":)"
                  R"("urn:uuid:a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"}}})");
}

TEST_F(Messaging, BarsFeedbackWithTheProvidersTaskMovesTheReferralsTaskThroughTheWorkflow) {
  const std::string bundleId = newUuid();
  const HttpResponse referral = post(barsReferral(bundleId), Headers().list());
  ASSERT_EQ(referral.status, 200) << referral.body;
  const std::string task = "/Task/" + at(*entryOfType(parse(referral.body), "Task"), "/id");

  const HttpResponse accepted = post(barsFeedback(bundleId, "accepted"), Headers().list());
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(at(get(task).body, "/status"), "accepted");
  const rapidjson::Document echo = parse(accepted.body);
  ASSERT_NE(entryOfType(echo, "Task"), nullptr) << accepted.body;
  EXPECT_EQ("/Task/" + at(*entryOfType(echo, "Task"), "/id"), task);

  // A move the workflow has not (accepted -> requested) is refused as over REST, and changes
  // nothing.
  const std::string before = footprint();
  const HttpResponse illegal = post(barsFeedback(bundleId, "requested"), Headers().list());
  EXPECT_EQ(illegal.status, 409) << illegal.body;
  EXPECT_EQ(issueCode(illegal), "business-rule");
  EXPECT_EQ(receiverCode(illegal), "REC_CONFLICT");
  EXPECT_NE(at(illegal.body, "/issue/0/expression/0").find("Bundle.entry["), std::string::npos)
      << illegal.body;
  EXPECT_EQ(footprint(), before);
  EXPECT_EQ(at(get(task).body, "/status"), "accepted");

  // The provider completes the work.
  const HttpResponse started = post(barsFeedback(bundleId, "in-progress"), Headers().list());
  ASSERT_EQ(started.status, 200) << started.body;
  const HttpResponse done = post(barsFeedback(bundleId, "completed"), Headers().list());
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(at(get(task).body, "/status"), "completed");
}

TEST_F(Messaging, AFhirTaskStatusUpdateMovesTheTaskThroughTheWorkflow) {
  const HttpResponse referral = post(fhirReferral(newUuid()), {});
  ASSERT_EQ(referral.status, 200) << referral.body;
  rapidjson::Document answer = parse(referral.body);
  rapidjson::Document task;
  task.CopyFrom(answer["entry"][1]["resource"], task.GetAllocator());
  rapidjson::Pointer("/status").Set(task, "accepted");
  const std::string message =
      R"({"resourceType":"Bundle","id":")" + newUuid() +
      R"(","type":"message","entry":[)"
      R"({"fullUrl":"urn:uuid:)" +
      newUuid() +
      R"(","resource":{"resourceType":"MessageHeader",)"
      R"("id":")" +
      newUuid() + R"(","eventCoding":{"system":")" + kProjectEvents +
      R"(","code":"task-status-update"},"source":{"endpoint":"https://spor.example/fhir"},)"
      R"("destination":[{"endpoint":"https://adapter.example/fhir","receiver":{"identifier":)"
      R"({"system":")" +
      kOds +
      R"(","value":"SPR0001"}}}],)"
      R"("sender":{"identifier":{"system":")" +
      kOds +
      R"(","value":"SPR0001"}},)"
      R"("focus":[{"reference":"Task/)" +
      at(task, "/id") +
      R"("}]}},)"
      R"({"fullUrl":")" +
      server_->baseUrl() + "/Task/" + at(task, "/id") + R"(","resource":)" + write(task) + "}]}";
  const HttpResponse r = post(message, {});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(r.body, "/entry/0/resource/focus/0/reference"), "Task/" + at(task, "/id"));
  EXPECT_EQ(at(get("/Task/" + at(task, "/id")).body, "/status"), "accepted");
  // The same message again (same MessageHeader.id): the stored answer, nothing moved.
  const HttpResponse again = post(message, {});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, r.body);
}

TEST_F(Messaging, StoredMessagesAreReadBackAndSearchedByRequestIdAndEvent) {
  const Headers h;
  ASSERT_EQ(post(barsReferral(newUuid()), h.list()).status, 200);
  const HttpResponse found = get("/Bundle?_tag=" + kRequestIdTag + "%7C" + h.requestId);
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(arraySize(found.body, "/entry"), 2u) << found.body;  // the request and the answer
  const std::string id = at(found.body, "/entry/0/resource/id");
  const HttpResponse read = get("/Bundle/" + id);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(at(read.body, "/type"), "message");
  const HttpResponse byCorrelation =
      get("/Bundle?_tag=https://fhir.social-prescribing.example.org/CodeSystem/"
          "message-correlation-id%7C" +
          h.correlationId);
  EXPECT_EQ(arraySize(byCorrelation.body, "/entry"), 2u) << byCorrelation.body;
  const HttpResponse byEvent =
      get("/Bundle?_tag=" + kBarsEvents + "%7Cservicerequest-request&_count=1");
  EXPECT_EQ(arraySize(byEvent.body, "/entry"), 1u) << byEvent.body;
}

TEST_F(Messaging, MessageDefinitionsListTheEventsAcceptedAndTheCapabilityStatementNamesThem) {
  const HttpResponse found =
      get("/MessageDefinition?context=http://snomed.info/sct%7C871731000000106&_count=50");
  ASSERT_EQ(found.status, 200) << found.body;
  rapidjson::Document bundle = parse(found.body);
  ASSERT_EQ(bundle["entry"].Size(), 8u) << found.body;
  std::vector<std::string> events;
  for (const auto& entry : bundle["entry"].GetArray()) {
    events.push_back(at(entry, "/resource/eventCoding/code"));
  }
  EXPECT_NE(std::find(events.begin(), events.end(), "servicerequest-request"), events.end());
  EXPECT_NE(std::find(events.begin(), events.end(), "task-status-update"), events.end());
  EXPECT_EQ(arraySize(get("/MessageDefinition?context=http://snomed.info/sct%7C1").body, "/entry"),
            0u);

  const HttpResponse metadata = get("/metadata");
  EXPECT_EQ(arraySize(metadata.body, "/messaging/0/supportedMessage"), 8u);
  EXPECT_EQ(at(metadata.body, "/rest/0/operation/0/name"), "process-message");
}

struct BadMessage {
  std::string name;
  std::function<std::string()> message;
  std::function<std::vector<std::string>()> headers;
  long status;
  std::string issueCode;
};

std::vector<std::string> barsHeaders() { return Headers().list(); }

TEST_F(Messaging, EveryBadMessageGetsItsStatusAndReceiverCodeAndLeavesNothingBehind) {
  const std::string ok = barsReferral(newUuid());
  const std::vector<BadMessage> cases = {
      {"not a Bundle", [] { return std::string(R"({"resourceType":"Patient"})"); }, barsHeaders,
       400, "structure"},
      {"not JSON", [] { return std::string("{"); }, barsHeaders, 400, ""},
      {"wrong type", [&] { return with(ok, "/type", quoted("collection")); }, barsHeaders, 400,
       "invalid"},
      {"no MessageHeader first",
       [&] {
         rapidjson::Document doc = parse(ok);
         std::swap(doc["entry"][0], doc["entry"][1]);
         return write(doc);
       },
       barsHeaders, 400, "invalid"},
      {"unknown event",
       [&] { return with(ok, "/entry/0/resource/eventCoding/code", quoted("booking-request")); },
       barsHeaders, 400, "invariant"},
      {"unknown event system",
       [&] {
         return with(ok, "/entry/0/resource/eventCoding/system", quoted("urn:example:events"));
       },
       barsHeaders, 400, "invariant"},
      {"new referral that is not active",
       [&] { return with(ok, "/entry/1/resource/status", quoted("revoked")); }, barsHeaders, 400,
       "invariant"},
      {"focus missing", [&] { return without(ok, "/entry/0/resource/focus"); }, barsHeaders, 400,
       "required"},
      {"focus outside the message",
       [&] {
         return with(ok, "/entry/0/resource/focus/0/reference", quoted("urn:uuid:" + newUuid()));
       },
       barsHeaders, 400, "not-found"},
      {"invalid entry", [&] { return with(ok, "/entry/6/resource/status", quoted("robot")); },
       barsHeaders, 422, ""},
      {"unknown destination",
       [&] { return with(ok, "/entry/5/resource/identifier/0/value", quoted("ZZZ999")); },
       barsHeaders, 422, "not-found"},
      {"unknown target service header", [&] { return ok; },
       [] {
         auto h = Headers().list();
         h.push_back("NHSD-Target-Identifier: https://fhir.nhs.uk/Id/dos-service-id|999999");
         return h;
       },
       422, "not-found"},
      {"missing X-Request-Id", [&] { return ok; },
       [] { return std::vector<std::string>{"X-Correlation-Id: " + newUuid()}; }, 400, "required"},
      {"missing X-Correlation-Id", [&] { return ok; },
       [] { return std::vector<std::string>{"X-Request-Id: " + newUuid()}; }, 400, "required"},
      {"X-Request-Id not a UUID", [&] { return ok; },
       [] {
         return std::vector<std::string>{"X-Request-Id: 42", "X-Correlation-Id: " + newUuid()};
       },
       400, "value"},
      {"response to an unknown request",
       [&] {
         std::string m =
             with(ok, "/entry/0/resource/eventCoding/code", quoted("servicerequest-response"));
         return with(m, "/entry/0/resource/response",
                     R"({"identifier":")" + newUuid() + R"(","code":"ok"})");
       },
       barsHeaders, 404, "not-found"},
      {"response without the request it answers",
       [&] {
         return with(ok, "/entry/0/resource/eventCoding/code", quoted("servicerequest-response"));
       },
       barsHeaders, 400, "invariant"},
      {"cancel of an unknown referral", [&] { return barsUpdate(newUuid(), "revoked"); },
       barsHeaders, 404, "not-found"},
      {"reference to nothing",
       [&] {
         return with(ok, "/entry/1/resource/subject/reference", quoted("urn:uuid:" + newUuid()));
       },
       barsHeaders, 400, "not-found"},
      {"unknown API version", [&] { return ok; },
       [] {
         auto h = Headers().list();
         h.push_back("Accept: application/fhir+json; version=2.0.0");
         return h;
       },
       406, ""},
  };
  for (const BadMessage& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string before = footprint();
    const HttpResponse r = post(c.message(), c.headers());
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << r.body;
    if (!c.issueCode.empty()) {
      EXPECT_EQ(issueCode(r), c.issueCode) << r.body;
    }
    EXPECT_EQ(at(r.body, "/issue/0/details/coding/0/system"), kErrorCodes) << r.body;
    EXPECT_EQ(receiverCode(r).rfind("REC_", 0), 0u) << r.body;
    EXPECT_EQ(footprint(), before);
  }
}

TEST_F(Messaging, AnEndUserOrganisationHeaderMustBeTheSenderOfTheMessage) {
  const std::string before = footprint();
  auto other = Headers().list();
  other.push_back(kEndUserOther);
  const HttpResponse refused = post(barsReferral(newUuid()), other);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(issueCode(refused), "forbidden");
  EXPECT_EQ(receiverCode(refused), "REC_FORBIDDEN");
  EXPECT_EQ(footprint(), before);

  auto unreadable = Headers().list();
  unreadable.push_back("NHSD-End-User-Organisation: not base64");
  const HttpResponse bad = post(barsReferral(newUuid()), unreadable);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(receiverCode(bad), "REC_BAD_REQUEST");
  EXPECT_EQ(footprint(), before);

  auto own = Headers().list();
  own.push_back(kEndUserGp);
  const HttpResponse accepted = post(barsReferral(newUuid()), own);
  EXPECT_EQ(accepted.status, 200) << accepted.body;
}

TEST_F(Messaging, TheTargetIdentifierHeaderRoutesToAServiceHeldHere) {
  HttpClient http(server_->baseUrl());
  std::string entry = samples::directoryEntry("Organization/spor", "Link workers");
  entry = with(entry, "/identifier",
               R"([{"system":"https://fhir.nhs.uk/Id/dos-service-id","value":"2000000001"}])");
  const HttpResponse service = http.send("POST", "/HealthcareService", entry);
  ASSERT_EQ(service.status, 201) << service.body;
  // New ids each time, and the base64 of
  // {"system":"https://fhir.nhs.uk/Id/dos-service-id","value":"2000000001"}.
  const auto headers = [] {
    auto list = Headers().list();
    list.push_back(
        "NHSD-Target-Identifier: eyJzeXN0ZW0iOiJodHRwczovL2ZoaXIubmhzLnVrL0lkL2Rvcy1zZXJ2aWNlLWlk"
        "IiwidmFsdWUiOiIyMDAwMDAwMDAxIn0=");
    return list;
  };
  const HttpResponse r = post(barsReferral(newUuid()), headers());
  EXPECT_EQ(r.status, 200) << r.body;
  // The header and the MessageHeader must agree on the target service.
  const std::string before = footprint();
  const HttpResponse disagree =
      post(with(barsReferral(newUuid()), "/entry/0/resource/destination/0/endpoint",
                quoted("https://fhir.nhs.uk/Id/dos-service-id|2000000002")),
           headers());
  EXPECT_EQ(disagree.status, 400) << disagree.body;
  EXPECT_EQ(issueCode(disagree), "invariant");
  EXPECT_EQ(receiverCode(disagree), "REC_BAD_REQUEST");
  EXPECT_EQ(footprint(), before);
  const HttpResponse agree =
      post(with(barsReferral(newUuid()), "/entry/0/resource/destination/0/endpoint",
                quoted("https://fhir.nhs.uk/Id/dos-service-id|2000000001")),
           headers());
  EXPECT_EQ(agree.status, 200) << agree.body;
}

// Over mTLS, each test with a server of its own whose directory knows the single point of
// referral (SPR0001) the sample referral is addressed to.
class MessagingTls : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(PostgresCluster::shared().freshDatabase(),
                                              ServerOptions{true, {}});
    ASSERT_EQ(client("admin")
                  .send("POST", "/Organization",
                        R"({"resourceType":"Organization","identifier":[{"system":")" + kOds +
                            R"(","value":"SPR0001"}],"name":"SPoR"})")
                  .status,
              201);
  }

  HttpClient client(const std::string& slug) const {
    const Certificates& certs = testCertificates();
    return HttpClient(server_->baseUrl(),
                      TlsOptions{certs.ca(), certs.cert(slug), certs.key(slug)});
  }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(MessagingTls, TheSenderMustBeTheOrganisationOfTheClientCertificate) {
  const std::string message = barsReferral(newUuid());
  const HttpResponse other =
      client("linkworker").send("POST", "/$process-message", message, Headers().list());
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_EQ(receiverCode(other), "REC_FORBIDDEN");
  // The GP's own certificate, but an end-user organisation header naming someone else.
  auto withOtherEndUser = Headers().list();
  withOtherEndUser.push_back(kEndUserOther);
  const HttpResponse impostor =
      client("gp").send("POST", "/$process-message", message, withOtherEndUser);
  EXPECT_EQ(impostor.status, 403) << impostor.body;
  EXPECT_EQ(receiverCode(impostor), "REC_FORBIDDEN");
  auto withOwnEndUser = Headers().list();
  withOwnEndUser.push_back(kEndUserGp);
  const HttpResponse gp = client("gp").send("POST", "/$process-message", message, withOwnEndUser);
  EXPECT_EQ(gp.status, 200) << gp.body;
}

// A message's entries and the changes it asks for run as its sender, under the access rules of
// REST: a provider that is no party to a referral cannot cancel it by message; the GP that made
// it can.
TEST_F(MessagingTls, AMessageChangesOnlyWhatItsSenderMayChange) {
  HttpClient gp = client("gp");
  const std::string bundleId = newUuid();
  const HttpResponse referral =
      gp.send("POST", "/$process-message", barsReferral(bundleId), Headers().list());
  ASSERT_EQ(referral.status, 200) << referral.body;
  const std::string focus = at(referral.body, "/entry/0/resource/focus/0/reference");

  // The same cancel, sent by a provider in its own name (entry 4 is the sender Organization).
  const std::string foreign = with(barsUpdate(bundleId, "revoked"),
                                   "/entry/4/resource/identifier/0/value", quoted("VCS0002"));
  const HttpResponse refused =
      client("vcse-carers").send("POST", "/$process-message", foreign, Headers().list());
  // The referral's Task waits in the pool, which every partner sees: so 403, not 404.
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(receiverCode(refused), "REC_FORBIDDEN");
  EXPECT_EQ(at(gp.get("/" + focus).body, "/status"), "active");

  const HttpResponse cancelled =
      gp.send("POST", "/$process-message", barsUpdate(bundleId, "revoked"), Headers().list());
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(at(gp.get("/" + focus).body, "/status"), "revoked");
}

// Issue 7 through messages: a GP's template code in the message's ServiceRequest is stored with
// the canonical coding beside it, as over REST (the GP's map applies to the certificate's sender).
TEST_F(MessagingTls, APartnerCodeInAMessageIsStoredWithBothCodings) {
  std::string message = barsReferral(newUuid());
  message = with(message, "/entry/1/resource/code",
                 R"({"coding":[{"system":"http://snomed.info/sct","code":"390893007"}]})");
  HttpClient gp = client("gp");
  const HttpResponse answer = gp.send("POST", "/$process-message", message, Headers().list());
  ASSERT_EQ(answer.status, 200) << answer.body;
  const rapidjson::Document echoed = parse(answer.body);
  const rapidjson::Value* referral = entryOfType(echoed, "ServiceRequest");
  ASSERT_NE(referral, nullptr) << answer.body;
  const HttpResponse stored = gp.get("/ServiceRequest/" + at(*referral, "/id"));
  ASSERT_EQ(stored.status, 200) << stored.body;
  const std::string snomed = "http://snomed.info/sct";
  EXPECT_EQ(codings(stored.body, "/code"),
            (std::vector<std::string>{snomed + "|390893007", snomed + "|871731000000106"}));
}

}  // namespace
}  // namespace sp::testing
