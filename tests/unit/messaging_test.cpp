// Message semantics (adapter/messaging): the envelope read from a Bundle, the event triple
// classified (BaRS through the project's ConceptMap), transport headers, de-duplication keys,
// receiver codes, and the two kinds of answer.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <string>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "mapping/mapping_set.h"
#include "messaging/event_classifier.h"
#include "messaging/incoming_message.h"
#include "messaging/message_answer.h"
#include "messaging/message_key.h"
#include "messaging/receiver_codes.h"
#include "messaging/transport_headers.h"
#include "messaging/vocabulary.h"

namespace sp::messaging {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

// A small BaRS referral: MessageHeader, ServiceRequest, sender and receiver Organizations.
const char* kReferral = R"({
  "resourceType": "Bundle", "id": "b-1", "type": "message",
  "entry": [
    {"fullUrl": "urn:uuid:h", "resource": {"resourceType": "MessageHeader",
      "eventCoding": {"system": "https://fhir.nhs.uk/CodeSystem/message-events-bars",
                      "code": "servicerequest-request"},
      "reason": {"coding": [{"system": "https://fhir.nhs.uk/CodeSystem/message-reason-bars",
                             "code": "new"}]},
      "destination": [{"endpoint": "https://fhir.nhs.uk/Id/dos-service-id|111",
                       "receiver": {"reference": "urn:uuid:to"}}],
      "sender": {"reference": "urn:uuid:role"},
      "source": {"endpoint": "https://fhir.nhs.uk/Id/dos-service-id|222"},
      "focus": [{"reference": "urn:uuid:sr"}]}},
    {"fullUrl": "urn:uuid:sr", "resource": {"resourceType": "ServiceRequest", "status": "active"}},
    {"fullUrl": "urn:uuid:role", "resource": {"resourceType": "PractitionerRole",
      "organization": {"reference": "urn:uuid:from"}}},
    {"fullUrl": "urn:uuid:from", "resource": {"resourceType": "Organization",
      "identifier": [{"system": "https://fhir.nhs.uk/id/ods-organization-code", "value": "A81001"}]}},
    {"fullUrl": "urn:uuid:to", "resource": {"resourceType": "Organization",
      "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "SPR0001"}]}}
  ]})";

rapidjson::Document parsed(const std::string& json) {
  rapidjson::Document doc;
  fhir::parseJson(json, doc);
  return doc;
}

rapidjson::Document referralWith(const char* pointer, const std::string& jsonValue) {
  rapidjson::Document doc = parsed(kReferral);
  rapidjson::Document value = parsed(jsonValue);
  rapidjson::Value copy;
  copy.CopyFrom(value, doc.GetAllocator());
  rapidjson::Pointer(pointer).Set(doc, copy);
  return doc;
}

// The issue code of the FhirError `work` throws ("" when it throws none).
template <typename Work>
std::string refusal(Work work, ErrorKind expectedKind = ErrorKind::kInvalid) {
  try {
    work();
  } catch (const FhirError& e) {
    EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(expectedKind));
    return e.issues().front().code;
  }
  return "";
}

const mapping::ConceptMap* barsMap() {
  static const mapping::MappingSet set =
      mapping::MappingSet::load(std::string(SP_SOURCE_DIR) + "/mappings", nullptr);
  return set.conceptMap(kBarsEventMap);
}

TEST(IncomingMessage, ReadsTheEnvelopeAndResolvesSenderAndReceiverInsideTheBundle) {
  const IncomingMessage m = readIncomingMessage(parsed(kReferral));
  EXPECT_EQ(m.bundleId, "b-1");
  EXPECT_EQ(m.event.code, "servicerequest-request");
  ASSERT_EQ(m.reasons.size(), 1u);
  EXPECT_EQ(m.reasons[0].code, "new");
  EXPECT_EQ(m.focusEntry, 1u);
  EXPECT_EQ(m.focusType, "ServiceRequest");
  EXPECT_EQ(m.focusStatus, "active");
  // The sender is a PractitionerRole: its organisation's ODS code, lower-case "id" tolerated.
  EXPECT_EQ(m.senderOds, std::vector<std::string>{"A81001"});
  EXPECT_EQ(m.receiverOds, std::vector<std::string>{"SPR0001"});
  EXPECT_EQ(m.sourceEndpoint, "https://fhir.nhs.uk/Id/dos-service-id|222");
  EXPECT_EQ(m.destinationEndpoint, "https://fhir.nhs.uk/Id/dos-service-id|111");
}

TEST(IncomingMessage, RefusesAMalformedEnvelope) {
  EXPECT_EQ(refusal([] { readIncomingMessage(parsed(R"({"resourceType":"Patient"})")); }),
            "structure");
  EXPECT_EQ(refusal([] { readIncomingMessage(referralWith("/type", "\"batch\"")); }), "invalid");
  EXPECT_EQ(refusal([] { readIncomingMessage(referralWith("/entry", "[]")); }), "required");
  EXPECT_EQ(refusal([] {
              rapidjson::Document doc = parsed(kReferral);
              std::swap(doc["entry"][0], doc["entry"][1]);
              readIncomingMessage(doc);
            }),
            "invalid");
  EXPECT_EQ(refusal([] { readIncomingMessage(referralWith("/entry/0/resource/focus", "[]")); }),
            "required");
  EXPECT_EQ(refusal([] {
              readIncomingMessage(
                  referralWith("/entry/0/resource/focus/0/reference", "\"urn:uuid:nowhere\""));
            }),
            "not-found");
  EXPECT_EQ(
      refusal([] { readIncomingMessage(referralWith("/entry/0/resource/eventCoding", "{}")); }),
      "required");
}

TEST(EventClassifier, BarsTriplesMeanReferralUpdateCancelAndFeedback) {
  auto classify = [](const rapidjson::Document& doc) {
    return classifyMessage(readIncomingMessage(doc), barsMap());
  };
  const Classification referral = classify(parsed(kReferral));
  EXPECT_EQ(referral.partner, PartnerKind::kBars);
  EXPECT_EQ(referral.action, MessageAction::kReferral);
  EXPECT_EQ(referral.projectEvent, "referral-request");

  rapidjson::Document update = referralWith("/entry/0/resource/reason/coding/0/code", "\"update\"");
  EXPECT_EQ(classify(update).action, MessageAction::kReferralUpdate);
  for (const char* status : {"\"revoked\"", "\"entered-in-error\""}) {
    rapidjson::Document cancel =
        referralWith("/entry/0/resource/reason/coding/0/code", "\"update\"");
    rapidjson::Pointer("/entry/1/resource/status")
        .Set(cancel, parsed(status), cancel.GetAllocator());
    EXPECT_EQ(classify(cancel).action, MessageAction::kCancel) << status;
  }
  rapidjson::Document response =
      referralWith("/entry/0/resource/eventCoding/code", "\"servicerequest-response\"");
  rapidjson::Pointer("/entry/0/resource/response")
      .Set(response, parsed(R"({"identifier":"b-0","code":"ok"})"), response.GetAllocator());
  EXPECT_EQ(classify(response).action, MessageAction::kFeedback);
}

TEST(EventClassifier, MeaninglessCombinationsAreInvariantFailures) {
  auto code = [](const rapidjson::Document& doc) {
    return refusal([&] { classifyMessage(readIncomingMessage(doc), barsMap()); });
  };
  // A new referral that is already revoked; feedback that names no request; an unknown event;
  // an unknown code system.
  EXPECT_EQ(code(referralWith("/entry/1/resource/status", "\"revoked\"")), "invariant");
  EXPECT_EQ(code(referralWith("/entry/0/resource/eventCoding/code", "\"servicerequest-response\"")),
            "invariant");
  EXPECT_EQ(code(referralWith("/entry/0/resource/eventCoding/code", "\"booking-request\"")),
            "invariant");
  EXPECT_EQ(code(referralWith("/entry/0/resource/eventCoding/system", "\"urn:x\"")), "invariant");
  // Without the ConceptMap, BaRS events cannot be understood.
  EXPECT_EQ(refusal([] { classifyMessage(readIncomingMessage(parsed(kReferral)), nullptr); }),
            "invariant");
}

TEST(EventClassifier, ProjectEventsNeedTheRightFocusAndStatus) {
  auto project = [](const std::string& event, const std::string& focus) {
    rapidjson::Document doc = referralWith(
        "/entry/0/resource/eventCoding",
        R"({"system":")" + std::string(kProjectEvents) + R"(","code":")" + event + R"("})");
    rapidjson::Pointer("/entry/1/resource").Set(doc, parsed(focus), doc.GetAllocator());
    return classifyMessage(readIncomingMessage(doc), barsMap());
  };
  const std::string task = R"({"resourceType":"Task","status":"accepted"})";
  EXPECT_EQ(project("task-status-update", task).action, MessageAction::kTaskStatusUpdate);
  EXPECT_EQ(project("task-status-update", task).partner, PartnerKind::kFhir);
  EXPECT_EQ(project("handover-response", task).action, MessageAction::kHandoverResponse);
  EXPECT_EQ(project("handover-request", R"({"resourceType":"Task","status":"requested"})").action,
            MessageAction::kHandoverRequest);
  EXPECT_EQ(project("outcome-report", R"({"resourceType":"Task","status":"completed"})").action,
            MessageAction::kOutcomeReport);
  EXPECT_EQ(
      project("cancellation", R"({"resourceType":"ServiceRequest","status":"revoked"})").action,
      MessageAction::kCancel);
  EXPECT_EQ(refusal([&] { project("outcome-report", task); }), "invariant");
  EXPECT_EQ(refusal([&] {
              project("referral-request", R"({"resourceType":"Task","status":"requested"})");
            }),
            "invariant");
}

TEST(TransportHeaders, ReadsIdsTargetAndNhsdHeaders) {
  const TransportHeaders h = readTransportHeaders(
      {{"x-request-id", "60a4ae5e-6b35-4f1c-9a4b-3c0c1a0e7d11"},
       {"x-correlation-id", "70a4ae5e-6b35-4f1c-9a4b-3c0c1a0e7d12"},
       {"nhsd-target-identifier",
        // {"system":"https://fhir.nhs.uk/Id/dos-service-id","value":"111"}
        "eyJzeXN0ZW0iOiJodHRwczovL2ZoaXIubmhzLnVrL0lkL2Rvcy1zZXJ2aWNlLWlkIiwidmFsdWUiOiIxMTEifQ=="},
       {"nhsd-end-user-organisation", "e30="},
       {"accept", "application/fhir+json"}});
  EXPECT_EQ(h.requestId, "60a4ae5e-6b35-4f1c-9a4b-3c0c1a0e7d11");
  EXPECT_EQ(h.correlationId, "70a4ae5e-6b35-4f1c-9a4b-3c0c1a0e7d12");
  ASSERT_TRUE(h.target);
  EXPECT_EQ(h.target->system, kDosServiceId);
  EXPECT_EQ(h.target->value, "111");
  EXPECT_NE(h.nhsdHeadersJson.find("nhsd-end-user-organisation"), std::string::npos);
  EXPECT_EQ(h.nhsdHeadersJson.find("accept"), std::string::npos);
}

TEST(TransportHeaders, RefusesMalformedAndMissingIdsAndCompletesThemForFhirPartners) {
  EXPECT_EQ(refusal([] { readTransportHeaders({{"x-request-id", "42"}}); }), "value");
  EXPECT_EQ(refusal([] { readTransportHeaders({{"nhsd-target-identifier", "!!"}}); }), "value");
  TransportHeaders none = readTransportHeaders({});
  EXPECT_EQ(refusal([&] { requireBarsHeaders(none); }), "required");
  completeIds(none, "r", "c");
  EXPECT_EQ(none.requestId, "r");
  EXPECT_EQ(none.correlationId, "c");
  ASSERT_TRUE(parseServiceIdentifier("https://fhir.nhs.uk/Id/dos-service-id|2222"));
  EXPECT_EQ(parseServiceIdentifier("https://fhir.nhs.uk/Id/dos-service-id|2222")->value, "2222");
  EXPECT_FALSE(parseServiceIdentifier("https://spor.example.nhs.uk/fhir"));
}

TEST(MessageKey, BarsByRequestIdFhirByHeaderIdThenBundleIdentifier) {
  TransportHeaders h;
  h.requestId = "req";
  IncomingMessage m;
  m.messageHeaderId = "mh";
  m.bundleIdentifier = "sys|b";
  EXPECT_EQ(messageKey(PartnerKind::kBars, "A81001", h, m).keyKind, "x-request-id");
  EXPECT_EQ(messageKey(PartnerKind::kBars, "A81001", h, m).key, "req");
  EXPECT_EQ(messageKey(PartnerKind::kFhir, "A81001", h, m).key, "mh");
  m.messageHeaderId.clear();
  EXPECT_EQ(messageKey(PartnerKind::kFhir, "A81001", h, m).keyKind, "bundle-identifier");
  m.bundleIdentifier.clear();
  EXPECT_EQ(messageKey(PartnerKind::kFhir, "A81001", h, m).key, "req");
  EXPECT_EQ(messageKey(PartnerKind::kFhir, "A81001", h, m).sender, "A81001");
}

TEST(ReceiverCodes, EveryErrorCarriesTheBarsCodeInDetails) {
  EXPECT_EQ(receiverCode(400), "REC_BAD_REQUEST");
  EXPECT_EQ(receiverCode(409), "REC_CONFLICT");
  EXPECT_EQ(receiverCode(425), "REC_TOO_EARLY");
  EXPECT_EQ(receiverCode(503), "REC_SERVICE_UNAVAILABLE");
  EXPECT_EQ(receiverCode(599), "REC_SERVER_ERROR");
  const rapidjson::Document oo = parsed(receiverOutcomeJson(
      409, {fhir::Issue{fhir::Severity::kError, "duplicate", "seen before", ""}}));
  EXPECT_STREQ(oo["issue"][0]["code"].GetString(), "duplicate");
  EXPECT_STREQ(oo["issue"][0]["details"]["coding"][0]["system"].GetString(), kHttpErrorCodes);
  EXPECT_STREQ(oo["issue"][0]["details"]["coding"][0]["code"].GetString(), "REC_CONFLICT");
}

TEST(MessageAnswer, TheReferenceIsShortStableAndReadable) {
  const std::string a = referenceCode("4d3c1b0e-0000-4000-8000-000000000001");
  EXPECT_EQ(a, referenceCode("4d3c1b0e-0000-4000-8000-000000000001"));
  EXPECT_NE(a, referenceCode("4d3c1b0e-0000-4000-8000-000000000002"));
  ASSERT_EQ(a.size(), 12u);
  EXPECT_EQ(a.substr(0, 3), "SP-");
  EXPECT_EQ(a[7], '-');
  EXPECT_EQ(a.find_first_of("01IO"), std::string::npos);
}

TEST(MessageAnswer, BarsAcknowledgementEchoesTheMessageWithAssignedIds) {
  const rapidjson::Document request = parsed(kReferral);
  const std::string sr = R"({"resourceType":"ServiceRequest","id":"77","status":"active"})";
  const std::string encounter =
      plannedEncounterJson("SP-AAAA-BBBB", "Patient/5", "ServiceRequest/77", {"EpisodeOfCare/j"});
  const rapidjson::Document echoed = parsed(barsAcknowledgementJson(
      request, {{1, sr}}, {{"urn:uuid:sr", "ServiceRequest/77"}},
      {R"({"resourceType":"Encounter","id":"e1","status":"planned"})"}, "https://base"));
  EXPECT_STREQ(echoed["id"].GetString(), "b-1");
  EXPECT_STREQ(echoed["entry"][0]["resource"]["focus"][0]["reference"].GetString(),
               "ServiceRequest/77");
  EXPECT_STREQ(echoed["entry"][1]["fullUrl"].GetString(), "https://base/ServiceRequest/77");
  ASSERT_EQ(echoed["entry"].Size(), 6u);
  EXPECT_STREQ(echoed["entry"][5]["resource"]["status"].GetString(), "planned");
  const rapidjson::Document e = parsed(encounter);
  EXPECT_STREQ(e["status"].GetString(), "planned");
  EXPECT_STREQ(e["identifier"][0]["value"].GetString(), "SP-AAAA-BBBB");
  EXPECT_STREQ(e["episodeOfCare"][0]["reference"].GetString(), "EpisodeOfCare/j");
}

TEST(MessageAnswer, FhirResponseNamesTheRequestAndFocusesOnTheTask) {
  IncomingMessage request;
  request.bundleId = "b-1";
  request.messageHeaderId = "mh-1";
  request.event = {kProjectEvents, "referral-request"};
  request.sourceEndpoint = "https://gp.example/fhir";
  ResponseMessage r{
      "resp",         "hdr",     "2026-01-01T00:00:00Z",
      "https://base", "Task/t1", R"({"resourceType":"Task","id":"t1","status":"requested"})"};
  const rapidjson::Document m = parsed(fhirResponseMessageJson(request, r));
  const rapidjson::Value& header = m["entry"][0]["resource"];
  EXPECT_STREQ(m["type"].GetString(), "message");
  EXPECT_STREQ(header["response"]["identifier"].GetString(), "mh-1");
  EXPECT_STREQ(header["response"]["code"].GetString(), "ok");
  EXPECT_STREQ(header["focus"][0]["reference"].GetString(), "Task/t1");
  EXPECT_STREQ(header["destination"][0]["endpoint"].GetString(), "https://gp.example/fhir");
  EXPECT_STREQ(m["entry"][1]["fullUrl"].GetString(), "https://base/Task/t1");
  // Without a MessageHeader.id, the request is named by its Bundle.id.
  request.messageHeaderId.clear();
  EXPECT_STREQ(
      parsed(fhirResponseMessageJson(request, r))["entry"][0]["resource"]["response"]["identifier"]
          .GetString(),
      "b-1");
}

// REFREQ03 carries the sender's own Task for the referral (requested, no focus): that entry,
// not a Task about something else (another focus, a sub-task) or one already under way.
TEST(IncomingMessage, FindsTheSendersOwnTaskForTheReferral) {
  const auto bundle = [](const std::string& task) {
    rapidjson::Document doc;
    fhir::parseJson(R"({"resourceType":"Bundle","type":"message","entry":[
      {"fullUrl":"urn:uuid:h","resource":{"resourceType":"MessageHeader"}},
      {"fullUrl":"urn:uuid:sr","resource":{"resourceType":"ServiceRequest","status":"active"}},
      {"fullUrl":"urn:uuid:c","resource":{"resourceType":"Condition"}},
      {"fullUrl":"urn:uuid:t","resource":)" +
                        task + "}]}",
                    doc);
    return doc;
  };
  const auto own =
      sendersReferralTask(bundle(R"({"resourceType":"Task","status":"requested"})"), 1);
  ASSERT_TRUE(own);
  EXPECT_EQ(*own, 3u);
  EXPECT_TRUE(sendersReferralTask(
      bundle(R"({"resourceType":"Task","status":"draft","focus":{"reference":"urn:uuid:sr"}})"),
      1));
  EXPECT_FALSE(sendersReferralTask(
      bundle(R"({"resourceType":"Task","status":"requested","focus":{"reference":"urn:uuid:c"}})"),
      1));
  EXPECT_FALSE(sendersReferralTask(
      bundle(R"({"resourceType":"Task","status":"requested","partOf":[{"reference":"Task/x"}]})"),
      1));
  EXPECT_FALSE(sendersReferralTask(bundle(R"({"resourceType":"Task","status":"accepted"})"), 1));
  EXPECT_FALSE(sendersReferralTask(bundle(R"({"resourceType":"Flag","status":"active"})"), 1));
}

}  // namespace
}  // namespace sp::messaging
