// Whole BaRS conversations from the public examples (tests/data/partners/bars/, issue 17), sent
// through POST /$process-message as their systems send them (no MessageHeader.id, lower-case
// `id` in the ODS system, `Codesystem` in the error codes), over mTLS to the real server and a
// real PostgreSQL. Every id is renewed per conversation and the parties are the test's own (a GP
// practice and a link worker service held here), never the examples' values:
// - new referrals (refreq01, refreq03, the validation request) are accepted, answered with the
//   BaRS acknowledgement, and give the receiver a requested Task;
// - an update reusing the request's Bundle.id (refreq08b) updates the referral;
// - cancellations (servreq01 revoked, servreq02 `delete`/entered-in-error) cancel the Task and
//   the referral;
// - the receiver's responses (refresp01 did-not-attend, refresp02 and valresp04 rejections by a
//   cancelled Encounter) move the referral's Task, and the GP hears it at its own service;
// - a refused message names every failing entry, writes nothing; bad input is located.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "fhir_json_schema.h"
#include "harness.h"
#include "json_helpers.h"
#include "message_receiver.h"
#include "partner_payloads.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
const std::string kServiceIds = "https://fhir.nhs.uk/Id/dos-service-id";
const std::string kErrorCodes = "https://fhir.nhs.uk/Codesystem/http-error-codes";
const std::string kBusinessStatus =
    "https://fhir.social-prescribing.example.org/CodeSystem/task-business-status";

const std::string kRefreq01 = "bars/refreq01-referral-new-111-to-ed.json";
const std::string kRefreq03 = "bars/refreq03-referral-new-gp-to-community-pharmacy.json";
const std::string kValidation = "bars/api-validation-request.json";
const std::string kRefreq08b = "bars/refreq08b-referral-update.json";
const std::string kServreq01 = "bars/servreq01-cancel-revoked.json";
const std::string kServreq02 = "bars/servreq02-cancel-entered-in-error.json";
const std::string kRefresp01 = "bars/refresp01-response-dna-feedback.json";
const std::string kRefresp02 = "bars/refresp02-response-short-rejection.json";
const std::string kValresp04 = "bars/valresp04-response-reject.json";

// The parties of every conversation here: the GP practice (client certificate `gp`) and the link
// worker service (`linkworker`), with service ids that are not the examples'.
const std::string kGpOds = "A81001";
const std::string kGpService = "9100000017";
const std::string kProviderOds = "PCN0001";
const std::string kProviderService = "9200000017";
const Parties kGpToProvider{kGpOds, kGpService, kProviderOds, kProviderService};
const Parties kProviderToGp{kProviderOds, kProviderService, kGpOds, kGpService};

// The resource of the first entry of `type` in a Bundle, or null.
const rapidjson::Value* entryOfType(const rapidjson::Value& bundle, const std::string& type) {
  if (!bundle.HasMember("entry")) return nullptr;
  for (const auto& entry : bundle["entry"].GetArray()) {
    if (at(entry, "/resource/resourceType") == type) return &entry["resource"];
  }
  return nullptr;
}

// Every issue's expression (its first), in order.
std::vector<std::string> expressions(const std::string& outcome) {
  std::vector<std::string> out;
  rapidjson::Document doc = parse(outcome);
  if (!doc.HasMember("issue")) return out;
  for (const auto& issue : doc["issue"].GetArray()) out.push_back(at(issue, "/expression/0"));
  return out;
}

bool anyStartsWith(const std::vector<std::string>& list, const std::string& prefix) {
  for (const auto& s : list) {
    if (s.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// What a message's sender keeps of one exchange.
struct Exchange {
  HttpResponse response;
  std::string bundleId;  // of the message sent
};

class PartnerMessages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new std::string(PostgresCluster::shared().freshDatabase());
    server_ = std::make_unique<ServerProcess>(*database_, ServerOptions{true, quickDeliveryArgs()});
    gpInbox_ = std::make_unique<MessageReceiver>();
    // The GP practice, and its service whose Endpoint is the GP system's inbox: the reply
    // address its messages give (source.endpoint = its service id).
    const std::string endpoint =
        create("Endpoint", samples::messagingEndpoint("GP messaging", gpInbox_->url()));
    gp_ = organisation(kGpOds);
    std::string gpService = samples::directoryEntry("Organization/" + gp_, "GP service");
    gpService = with(gpService, "/identifier",
                     R"([{"system":")" + kServiceIds + R"(","value":")" + kGpService + R"("}])");
    gpService = with(gpService, "/endpoint", R"([{"reference":"Endpoint/)" + endpoint + R"("}])");
    create("HealthcareService", gpService);
    // The receiving organisation and the service referrals go to; its Endpoint asks for BaRS
    // requests to be pushed (new referrals, cancellations).
    providerInbox_ = std::make_unique<MessageReceiver>();
    const std::string providerEndpoint =
        create("Endpoint",
               samples::messagingEndpoint("Link workers messaging", providerInbox_->url(), true));
    provider_ = organisation(kProviderOds);
    std::string service = samples::directoryEntry("Organization/" + provider_, "Link workers");
    service =
        with(service, "/endpoint", R"([{"reference":"Endpoint/)" + providerEndpoint + R"("}])");
    service =
        with(service, "/identifier",
             R"([{"system":")" + kServiceIds + R"(","value":")" + kProviderService + R"("}])");
    service = with(service, "/extension/0/extension/0/valueUnsignedInt", "1000");  // places
    service = with(service, "/extension/0/extension/1/valueUnsignedInt", "1000");
    providerService_ = create("HealthcareService", service);
  }
  static void TearDownTestSuite() {
    server_.reset();
    gpInbox_.reset();
    providerInbox_.reset();
    delete database_;
  }

  static HttpClient& client(const std::string& slug) {
    static PartnerClients clients(server_->baseUrl());
    return clients.as(slug);
  }
  static std::string create(const std::string& type, const std::string& json) {
    HttpResponse r = client("admin").send("POST", "/" + type, json);
    EXPECT_EQ(r.status, 201) << type << ": " << r.body;
    return at(r.body, "/id");
  }
  static std::string organisation(const std::string& ods) {
    return create("Organization", R"({"resourceType":"Organization",)" +
                                      samples::narrative("Organisation " + ods) +
                                      R"("identifier":[{"system":")" + kOds + R"(","value":")" +
                                      ods + R"("}],"active":true,"name":")" + ods + "\"}");
  }
  static std::string read(const std::string& slug, const std::string& path) {
    HttpResponse r = client(slug).get(path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.body;
  }

  // Sends `message` as `slug` in the conversation `correlationId`, with a new X-Request-Id.
  static Exchange send(const std::string& slug, const std::string& message,
                       const std::string& correlationId) {
    Exchange e;
    e.bundleId = at(message, "/id");

    e.response =
        client(slug).send("POST", "/$process-message", message,
                          {"X-Request-Id: " + newUuid(), "X-Correlation-Id: " + correlationId});
    return e;
  }

  // A new referral from the GP: accepted with the BaRS acknowledgement (the request echoed, a
  // planned Encounter, the receiver's Task requested). Returns the ServiceRequest id.
  static std::string referral(Conversation& c, const std::string& file,
                              const std::string& correlationId, std::string* bundleId = nullptr) {
    const std::string message = prepared(c, file, kGpToProvider);
    const Exchange e = send("gp", message, correlationId);
    EXPECT_EQ(e.response.status, 200) << file << ": " << e.response.body;
    if (bundleId) *bundleId = e.bundleId;
    if (e.response.status != 200) return "";
    rapidjson::Document answer = parse(e.response.body);
    EXPECT_EQ(at(answer, "/id"), e.bundleId);
    EXPECT_EQ(at(answer, "/type"), "message");
    EXPECT_EQ(at(answer, "/entry/0/resource/resourceType"), "MessageHeader");
    const std::string focus = at(answer, "/entry/0/resource/focus/0/reference");
    EXPECT_EQ(focus.rfind("ServiceRequest/", 0), 0u) << e.response.body;
    bool planned = false;
    for (const auto& entry : answer["entry"].GetArray()) {
      if (at(entry, "/resource/resourceType") == "Encounter" &&
          at(entry, "/resource/status") == "planned" &&
          at(entry, "/resource/identifier/0/value").rfind("SP-", 0) == 0) {
        planned = true;
      }
    }
    EXPECT_TRUE(planned) << e.response.body;
    const rapidjson::Value* task = entryOfType(answer, "Task");
    EXPECT_NE(task, nullptr) << e.response.body;
    const std::string referralId = focus.substr(focus.find('/') + 1);
    const std::string stored = read("gp", "/Task/" + referralId + "-task");
    EXPECT_EQ(at(stored, "/status"), "requested") << stored;
    EXPECT_EQ(at(stored, "/focus/reference"), focus);
    EXPECT_EQ(at(stored, "/owner/reference"), "Organization/" + provider_) << stored;
    return referralId;
  }

  // An inbox's messages in the conversation `correlationId`.
  static std::vector<ReceivedRequest> inConversation(const MessageReceiver& inbox,
                                                     const std::string& correlationId) {
    std::vector<ReceivedRequest> out;
    for (const auto& r : inbox.received()) {
      if (r.header("x-correlation-id") == correlationId) out.push_back(r);
    }
    return out;
  }
  // Waits for `count` messages in the conversation; returns them.
  static std::vector<ReceivedRequest> await(const MessageReceiver& inbox,
                                            const std::string& correlationId, std::size_t count) {
    inbox.waitFor([&](const std::vector<ReceivedRequest>&) {
      return inConversation(inbox, correlationId).size() >= count;
    });
    return inConversation(inbox, correlationId);
  }
  static std::vector<ReceivedRequest> awaitGp(const std::string& correlationId, std::size_t count) {
    return await(*gpInbox_, correlationId, count);
  }

  // Every message the hub sends must be valid R4 (the official JSON schema).
  static void expectValidR4(const std::string& body) {
    static FhirJsonSchema schema(sourceDir() + "/tests/data/fhir.schema.json.gz");
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    ASSERT_FALSE(doc.HasParseError()) << body;
    EXPECT_EQ(schema.check(doc), "") << body;
  }

  // The receiver hears of the cancellation: its pushed referral, then the update.
  static void expectProviderToldOfCancel(const std::string& correlationId,
                                         const std::string& referralId, const std::string& status) {
    const auto got = await(*providerInbox_, correlationId, 2);
    ASSERT_EQ(got.size(), 2u) << server_->log();
    EXPECT_EQ(at(got[0].body, "/entry/0/resource/reason/coding/0/code"), "new");
    EXPECT_EQ(at(got[1].body, "/entry/0/resource/eventCoding/code"), "servicerequest-request");
    EXPECT_EQ(at(got[1].body, "/entry/0/resource/reason/coding/0/code"), "update");
    EXPECT_EQ(at(got[1].body, "/entry/1/resource/id"), referralId);
    EXPECT_EQ(at(got[1].body, "/entry/1/resource/status"), status);
    for (const auto& r : got) expectValidR4(r.body);
  }
  static std::string footprint() { return messagingFootprint(*database_); }

  static std::string* database_;
  static std::unique_ptr<ServerProcess> server_;
  static std::unique_ptr<MessageReceiver> gpInbox_;
  static std::unique_ptr<MessageReceiver> providerInbox_;
  static std::string gp_, provider_, providerService_;
};

std::string* PartnerMessages::database_ = nullptr;
std::unique_ptr<ServerProcess> PartnerMessages::server_;
std::unique_ptr<MessageReceiver> PartnerMessages::gpInbox_;
std::unique_ptr<MessageReceiver> PartnerMessages::providerInbox_;
std::string PartnerMessages::gp_;
std::string PartnerMessages::provider_;
std::string PartnerMessages::providerService_;

// The helper itself: ids renewed consistently, parties replaced, quirks kept.
TEST(PartnerPayloads, RenewsEveryIdConsistentlyAndKeepsTheQuirks) {
  Conversation c;
  const std::string request = prepared(c, kValidation, kGpToProvider);
  const std::string update = prepared(c, kRefreq08b, kGpToProvider);
  const std::string reject = prepared(c, kValresp04, kProviderToGp);
  EXPECT_NE(at(request, "/id"), "86e3371d-1c15-4862-9552-d9560f8292ba");
  EXPECT_EQ(at(update, "/id"), at(request, "/id"));  // the examples share it
  EXPECT_EQ(at(reject, "/entry/0/resource/response/identifier"), at(request, "/id"));
  EXPECT_EQ(at(update, "/entry/1/fullUrl"), at(request, "/entry/1/fullUrl"));
  EXPECT_EQ(request.find("236bb75d"), std::string::npos);
  EXPECT_EQ(at(request, "/entry/0/resource/source/endpoint"),
            "http://fhir.nhs.uk/Id/dos-service-id|" + kGpService);
  EXPECT_EQ(at(request, "/entry/0/resource/destination/0/endpoint"),
            "http://fhir.nhs.uk/Id/dos-service-id|" + kProviderService);
  EXPECT_EQ(at(request, "/entry/12/resource/identifier/0/system"),
            "https://fhir.nhs.uk/id/ods-organization-code");
  EXPECT_EQ(at(request, "/entry/12/resource/identifier/0/value"), kGpOds);  // the sender
  EXPECT_EQ(at(request, "/entry/2/resource/identifier/0/value"), kProviderService);
  EXPECT_EQ(at(request, "/entry/0/resource/id"), "");  // still no MessageHeader.id
  EXPECT_EQ(at(request, "/entry/6/resource/identifier/0/value"), "G82080");  // not a party
  Conversation other;
  EXPECT_NE(at(prepared(other, kValidation, kGpToProvider), "/id"), at(request, "/id"));
}

TEST_F(PartnerMessages, NewReferralsFromTheExamplesAreAcceptedAndGiveTheReceiverATask) {
  for (const std::string& file : {kRefreq01, kRefreq03, kValidation}) {
    SCOPED_TRACE(file);
    Conversation c;
    const std::string correlationId = newUuid();
    const std::string id = referral(c, file, correlationId);
    ASSERT_FALSE(id.empty());
    const std::string sr = read("gp", "/ServiceRequest/" + id);
    EXPECT_EQ(at(sr, "/status"), "active");
    pqxx::connection conn(*database_);
    pqxx::nontransaction tx(conn);
    const pqxx::result row = tx.exec_params(
        "SELECT sender_organisation, reply_endpoint, correlation_id FROM message_conversations"
        " WHERE service_request_id = $1",
        id);
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0].as<std::string>(), kGpOds);
    EXPECT_NE(row[0][1].as<std::string>().find(kGpService), std::string::npos);
    EXPECT_EQ(row[0][2].as<std::string>(), correlationId);
  }
  // refreq03's own Task (requested, the sender's code, no focus) stands for the referral's Task:
  // no second, ownerless Task is stored, and what named it names the adapter's Task.
  EXPECT_EQ(queryNumber(*database_,
                        "SELECT count(*) FROM resource_versions WHERE res_type = "
                        "'Task' AND res_id NOT LIKE '%-task'"),
            0);
  Conversation c;
  const std::string message = prepared(c, kRefreq03, kGpToProvider);
  const Exchange e = send("gp", message, newUuid());
  ASSERT_EQ(e.response.status, 200) << e.response.body;
  const std::string focus = at(e.response.body, "/entry/0/resource/focus/0/reference");
  EXPECT_EQ(at(e.response.body, "/entry/4/resource/resourceType"), "Task");
  EXPECT_EQ("ServiceRequest/" + at(e.response.body, "/entry/4/resource/id"), focus + "-task");
  EXPECT_EQ(at(e.response.body, "/entry/3/resource/activity/0/reference/reference"),
            "Task/" + at(e.response.body, "/entry/4/resource/id"));
  EXPECT_EQ(arraySize(e.response.body, "/entry"), arraySize(message, "/entry") + 1)  // + Encounter
      << e.response.body;
}

// refreq08b reuses the Bundle.id of the validation request it updates (as in the examples).
TEST_F(PartnerMessages, AnUpdateWithTheSameBundleIdUpdatesTheReferral) {
  Conversation c;
  const std::string correlationId = newUuid();
  std::string requestBundle;
  const std::string id = referral(c, kValidation, correlationId, &requestBundle);
  ASSERT_FALSE(id.empty());
  const std::string before = read("gp", "/ServiceRequest/" + id);
  const std::string update = prepared(c, kRefreq08b, kGpToProvider);
  ASSERT_EQ(at(update, "/id"), requestBundle);
  const Exchange e = send("gp", update, correlationId);
  ASSERT_EQ(e.response.status, 200) << e.response.body;
  const std::string after = read("gp", "/ServiceRequest/" + id);
  EXPECT_NE(at(after, "/meta/versionId"), at(before, "/meta/versionId"));
  EXPECT_EQ(at(after, "/status"), "active");
  // The update's category: a referral (use case a6t1), no longer a validation.
  const std::vector<std::string> category = codings(after, "/category/0");
  EXPECT_NE(std::find(category.begin(), category.end(),
                      "https://fhir.nhs.uk/CodeSystem/usecases-categories-bars|a6t1"),
            category.end())
      << after;
  EXPECT_EQ(at(read("gp", "/Task/" + id + "-task"), "/status"), "requested");
}

// servreq01 has a Bundle.id of its own and no ServiceRequest.id: as the guidance says, the
// sender names the referral by the id the hub returned.
TEST_F(PartnerMessages, ACancellationRevokesTheReferralAndCancelsItsTask) {
  Conversation c;
  const std::string correlationId = newUuid();
  const std::string id = referral(c, kRefreq03, correlationId);
  ASSERT_FALSE(id.empty());
  std::string cancel = prepared(c, kServreq01, kGpToProvider);
  cancel = with(cancel, "/entry/1/resource/id", sp::testing::quoted(id));
  const Exchange e = send("gp", cancel, correlationId);
  ASSERT_EQ(e.response.status, 200) << e.response.body;
  EXPECT_EQ(at(read("gp", "/ServiceRequest/" + id), "/status"), "revoked");
  const std::string task = read("gp", "/Task/" + id + "-task");
  EXPECT_EQ(at(task, "/status"), "cancelled") << task;
  EXPECT_FALSE(at(task, "/statusReason/text").empty());
  expectProviderToldOfCancel(correlationId, id, "revoked");
}

// servreq02 (reason `delete`, entered-in-error) reuses the referral's Bundle.id (the BaRS
// convention for updates and cancels of one referral).
TEST_F(PartnerMessages, ADeleteMarksTheReferralEnteredInErrorAndCancelsItsTask) {
  Conversation c;
  const std::string correlationId = newUuid();
  std::string requestBundle;
  const std::string id = referral(c, kRefreq03, correlationId, &requestBundle);
  ASSERT_FALSE(id.empty());
  std::string cancel = prepared(c, kServreq02, kGpToProvider);
  cancel = with(cancel, "/id", sp::testing::quoted(requestBundle));
  const Exchange e = send("gp", cancel, correlationId);
  ASSERT_EQ(e.response.status, 200) << e.response.body;
  EXPECT_EQ(at(read("gp", "/ServiceRequest/" + id), "/status"), "entered-in-error");
  EXPECT_EQ(at(read("gp", "/Task/" + id + "-task"), "/status"), "cancelled");
  // Cancelled once: a second cancel of the same referral is refused.
  std::string again = prepared(c, kServreq02, kGpToProvider);
  again = with(again, "/id", sp::testing::quoted(requestBundle));
  const Exchange twice = send("gp", again, correlationId);
  EXPECT_EQ(twice.response.status, 422) << twice.response.body;
  // The receiver hears of the cancellation as the referral is revoked with its Task; that the
  // sender then marks it entered-in-error is the sender's record, not news for the receiver.
  expectProviderToldOfCancel(correlationId, id, "revoked");
}

// The GP hears the referral's news in its conversation, naming its request.
void expectToldGp(const std::vector<ReceivedRequest>& got, const std::string& requestBundle,
                  const std::string& referralId, const std::string& taskStatus) {
  ASSERT_FALSE(got.empty());
  const ReceivedRequest& last = got.back();
  rapidjson::Document message = parse(last.body);
  EXPECT_EQ(at(message, "/entry/0/resource/eventCoding/code"), "servicerequest-response");
  EXPECT_EQ(at(message, "/entry/0/resource/response/identifier"), requestBundle);
  // The reply address as the GP gave it, its system in the canonical spelling.
  EXPECT_EQ(at(message, "/entry/0/resource/destination/0/endpoint"),
            kServiceIds + "|" + kGpService);
  const rapidjson::Value* sr = entryOfType(message, "ServiceRequest");
  ASSERT_NE(sr, nullptr) << last.body;
  EXPECT_EQ(at(*sr, "/id"), referralId);
  const rapidjson::Value* task = entryOfType(message, "Task");
  ASSERT_NE(task, nullptr) << last.body;
  EXPECT_EQ(at(*task, "/status"), taskStatus) << last.body;
}

// refresp01: the receiver's did-not-attend feedback (Appointment noshow) on refreq01, which it
// names by its Bundle.id as the examples do. The booked appointment implies the referral was
// taken on: the Task is accepted, then failed with businessStatus did-not-attend.
TEST_F(PartnerMessages, DidNotAttendFeedbackFailsTheTaskAndTheGpIsTold) {
  Conversation c;
  const std::string correlationId = newUuid();
  std::string requestBundle;
  const std::string id = referral(c, kRefreq01, correlationId, &requestBundle);
  ASSERT_FALSE(id.empty());
  const std::string feedback = prepared(c, kRefresp01, kProviderToGp);
  ASSERT_EQ(at(feedback, "/entry/0/resource/response/identifier"), requestBundle);
  const Exchange e = send("linkworker", feedback, correlationId);
  ASSERT_EQ(e.response.status, 200) << e.response.body;
  const std::string task = read("gp", "/Task/" + id + "-task");
  EXPECT_EQ(at(task, "/status"), "failed") << task;
  EXPECT_EQ(codings(task, "/businessStatus"),
            (std::vector<std::string>{kBusinessStatus + "|did-not-attend"}));
  EXPECT_FALSE(at(task, "/statusReason/text").empty()) << task;
  const auto got = awaitGp(correlationId, 2);  // accepted, then did not attend
  ASSERT_GE(got.size(), 2u) << server_->log();
  expectToldGp(got, requestBundle, id, "failed");
  for (const auto& r : got) expectValidR4(r.body);
}

// refresp02: a short rejection (the receiver's cancelled Encounter with its reason), linked to
// the GP's refreq03 (its response.identifier names a request not among the examples).
TEST_F(PartnerMessages, ARejectionByACancelledEncounterRejectsTheTaskAndTheGpIsTold) {
  Conversation c;
  const std::string correlationId = newUuid();
  std::string requestBundle;
  const std::string id = referral(c, kRefreq03, correlationId, &requestBundle);
  ASSERT_FALSE(id.empty());
  std::string rejection = prepared(c, kRefresp02, kProviderToGp);
  rejection =
      with(rejection, "/entry/0/resource/response/identifier", sp::testing::quoted(requestBundle));
  const Exchange e = send("linkworker", rejection, correlationId);
  ASSERT_EQ(e.response.status, 200) << e.response.body;
  const std::string task = read("gp", "/Task/" + id + "-task");
  EXPECT_EQ(at(task, "/status"), "rejected") << task;
  EXPECT_EQ(
      codings(task, "/statusReason"),
      (std::vector<std::string>{"https://fhir.nhs.uk/CodeSystem/rejected-reasons-bars|RRNA"}));
  EXPECT_EQ(at(task, "/statusReason/text"), "We have a paramedic but not available for 30 mins");
  const auto got = awaitGp(correlationId, 1);
  ASSERT_EQ(got.size(), 1u) << server_->log();
  expectToldGp(got, requestBundle, id, "rejected");
  for (const auto& r : got) expectValidR4(r.body);
}

// valresp04: the rejection of the validation request, naming it by the shared Bundle.id.
TEST_F(PartnerMessages, AValidationRejectionRejectsTheTaskAndTheGpIsTold) {
  Conversation c;
  const std::string correlationId = newUuid();
  std::string requestBundle;
  const std::string id = referral(c, kValidation, correlationId, &requestBundle);
  ASSERT_FALSE(id.empty());
  const std::string rejection = prepared(c, kValresp04, kProviderToGp);
  ASSERT_EQ(at(rejection, "/entry/0/resource/response/identifier"), requestBundle);
  const Exchange e = send("linkworker", rejection, correlationId);
  ASSERT_EQ(e.response.status, 200) << e.response.body;
  const std::string task = read("gp", "/Task/" + id + "-task");
  EXPECT_EQ(at(task, "/status"), "rejected") << task;
  EXPECT_EQ(codings(task, "/statusReason"),
            (std::vector<std::string>{"https://fhir.nhs.uk/CodeSystem/rejected-reasons-bars|FC"}));
  const auto got = awaitGp(correlationId, 1);
  ASSERT_EQ(got.size(), 1u) << server_->log();
  expectToldGp(got, requestBundle, id, "rejected");
  for (const auto& r : got) expectValidR4(r.body);
}

// A refused message names the issues of every failing entry, each located, and writes nothing.
TEST_F(PartnerMessages, ARefusedMessageNamesEveryFailingEntryAndWritesNothing) {
  Conversation c;
  std::string message = prepared(c, kRefreq03, kGpToProvider);
  message = with(
      message, "/entry/5/resource/clinicalStatus",
      R"({"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"robot"}]})");
  message = with(message, "/entry/16/resource/status", sp::testing::quoted("robot"));
  const std::string before = footprint();
  const Exchange e = send("gp", message, newUuid());
  EXPECT_EQ(e.response.status, 422) << e.response.body;
  EXPECT_EQ(at(e.response.body, "/issue/0/details/coding/0/system"), kErrorCodes);
  EXPECT_EQ(at(e.response.body, "/issue/0/details/coding/0/code"), "REC_UNPROCESSABLE_ENTITY");
  const auto where = expressions(e.response.body);
  EXPECT_TRUE(anyStartsWith(where, "Bundle.entry[5].resource.clinicalStatus")) << e.response.body;
  EXPECT_TRUE(anyStartsWith(where, "Bundle.entry[16].resource.status")) << e.response.body;
  EXPECT_EQ(footprint(), before);
}

TEST_F(PartnerMessages, StructurallyInvalidR4IsRefusedWithTheElementLocated) {
  Conversation c;
  std::string message = prepared(c, kRefreq01, kGpToProvider);
  message = with(message, "/entry/5/resource/birthDate", "19840412");  // a number, not a date
  const std::string before = footprint();
  const Exchange e = send("gp", message, newUuid());
  EXPECT_GE(e.response.status, 400) << e.response.body;
  EXPECT_LT(e.response.status, 500) << e.response.body;
  EXPECT_EQ(at(e.response.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(e.response.body, "/issue/0/details/coding/0/system"), kErrorCodes);
  EXPECT_TRUE(anyStartsWith(expressions(e.response.body), "Bundle.entry[5].resource.birthDate"))
      << e.response.body;
  EXPECT_EQ(footprint(), before);
}

TEST_F(PartnerMessages, AMessageToAnUnknownDestinationIsRefused) {
  Conversation c;
  const Parties elsewhere{kGpOds, kGpService, "X99999", "9999999917"};
  const std::string before = footprint();
  const Exchange e = send("gp", prepared(c, kRefreq03, elsewhere), newUuid());
  EXPECT_EQ(e.response.status, 422) << e.response.body;
  EXPECT_EQ(at(e.response.body, "/issue/0/code"), "not-found");
  EXPECT_EQ(at(e.response.body, "/issue/0/details/coding/0/system"), kErrorCodes);
  EXPECT_EQ(at(e.response.body, "/issue/0/details/coding/0/code"), "REC_UNPROCESSABLE_ENTITY");
  EXPECT_EQ(at(e.response.body, "/issue/0/expression/0").rfind("MessageHeader.destination", 0), 0u)
      << e.response.body;
  EXPECT_EQ(footprint(), before);
}

TEST_F(PartnerMessages, ASenderThatIsNotTheCertificatesOrganisationIsRefused) {
  Conversation c;
  const std::string before = footprint();
  // The GP's referral, sent with the link worker service's certificate.
  const Exchange e = send("linkworker", prepared(c, kRefreq01, kGpToProvider), newUuid());
  EXPECT_EQ(e.response.status, 403) << e.response.body;
  EXPECT_EQ(at(e.response.body, "/issue/0/code"), "forbidden");
  EXPECT_EQ(at(e.response.body, "/issue/0/details/coding/0/system"), kErrorCodes);
  EXPECT_EQ(at(e.response.body, "/issue/0/details/coding/0/code"), "REC_FORBIDDEN");
  EXPECT_EQ(at(e.response.body, "/issue/0/expression/0"), "MessageHeader.sender");
  EXPECT_EQ(footprint(), before);
}

}  // namespace
}  // namespace sp::testing
