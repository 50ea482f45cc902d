// delivery/outgoing_message.h, delivery/subscription.h and delivery/endpoints.h: which Task
// moves are news for the referrer, the message Bundle's shape, the rest-hook channel and its
// id-only notification, and partners' addresses.
#include <gtest/gtest.h>

#include "delivery/endpoints.h"
#include "delivery/outgoing_message.h"
#include "delivery/subscription.h"
#include "fhir/json.h"
#include "fhir/project_urls.h"
#include "workflow_test_support.h"

namespace sp::delivery {
namespace {

using workflow::testing::json;
using workflow::testing::task;

const std::string kBusiness =
    R"(,"businessStatus":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-business-status","code":"CODE"}]})";

std::string withBusiness(const std::string& status, const std::string& code) {
  std::string more = kBusiness;
  more.replace(more.find("CODE"), 4, code);
  return task(status, "Organization/prov", more);
}

std::optional<ReferrerNews> news(const std::string& before, const std::string& after) {
  auto b = before.empty() ? rapidjson::Document() : json(before);
  auto a = json(after);
  return referrerNewsOf(before.empty() ? nullptr : &b, a);
}

TEST(ReferrerNews, AcceptRejectCompleteAndNonAttendanceAreNews) {
  EXPECT_EQ(news(task("requested"), task("accepted")), ReferrerNews::kAccepted);
  EXPECT_EQ(news(task("received"), task("rejected")), ReferrerNews::kRejected);
  EXPECT_EQ(news(task("in-progress"), task("completed")), ReferrerNews::kCompleted);
  EXPECT_EQ(news(task("in-progress"), withBusiness("failed", "did-not-attend")),
            ReferrerNews::kDidNotAttend);
  EXPECT_EQ(news(task("accepted"), withBusiness("accepted", "did-not-attend")),
            ReferrerNews::kDidNotAttend);
  EXPECT_EQ(news("", task("accepted")), ReferrerNews::kAccepted);  // recorded after the fact
}

TEST(ReferrerNews, OtherMovesAndRepeatsAreNot) {
  EXPECT_FALSE(news("", task("requested")));
  EXPECT_FALSE(news(task("requested"), task("received")));
  EXPECT_FALSE(news(task("accepted"), task("in-progress")));
  EXPECT_FALSE(news(task("accepted"), task("accepted")));
  EXPECT_FALSE(news(task("in-progress"), task("cancelled")));
  EXPECT_FALSE(
      news(withBusiness("accepted", "did-not-attend"), withBusiness("accepted", "did-not-attend")));
  // The sender's Task completed as handed over, and the handover Task itself.
  EXPECT_FALSE(news(task("in-progress"), withBusiness("completed", "handed-over")));
  const std::string handover =
      R"({"resourceType":"Task","status":"accepted","intent":"order",)"
      R"("code":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-code","code":"warm-handover"}]}})";
  EXPECT_FALSE(news(task("requested"), handover));
}

TEST(ReferrerNews, TheNewProvidersActsOnAWarmHandoverAreNews) {
  const auto handover = [](const std::string& status, const std::string& business = "") {
    return R"({"resourceType":"Task","status":")" + status + R"(","intent":"order",)" +
           (business.empty() ? ""
                             : R"("businessStatus":{"coding":[{"system":")" +
                                   std::string(fhir::kBusinessStatusSystem) + R"(","code":")" +
                                   business + R"("}]},)") +
           R"("code":{"coding":[{"system":")" + std::string(fhir::kTaskCodeSystem) +
           R"(","code":"warm-handover"}]}})";
  };
  EXPECT_FALSE(news(handover("requested"), handover("accepted")));  // the handover itself
  EXPECT_FALSE(news(handover("requested"), handover("rejected")));
  EXPECT_EQ(news(handover("in-progress"), handover("completed")), ReferrerNews::kCompleted);
  EXPECT_EQ(news(handover("accepted"), handover("accepted", "did-not-attend")),
            ReferrerNews::kDidNotAttend);
}

TEST(OutgoingMessage, IsAMessageBundleWithTheHeaderFirst) {
  const auto referral = json(R"({"resourceType":"ServiceRequest","id":"sr1","status":"active"})");
  const auto t = json(task("accepted"));
  const auto owner = json(R"({"reference":"Organization/prov"})");
  const auto receiver = json(R"({"reference":"Organization/gp"})");
  MessageParts parts;
  parts.bundleId = "b1";
  parts.messageId = "m1";
  parts.timestamp = "2026-11-25T12:00:00.000Z";
  parts.baseUrl = "https://hub.example/fhir";
  parts.eventCode = "servicerequest-response";
  parts.destinationEndpoint = "https://fhir.nhs.uk/Id/dos-service-id|2222";
  parts.sender = &owner;
  parts.receiver = &receiver;
  parts.respondsTo = "request-bundle-1";
  parts.resources = {{"ServiceRequest", "sr1", &referral}, {"Task", "sr1-task", &t}};
  const auto bundle = json(buildMessage(parts));
  EXPECT_EQ(fhir::getString(bundle, "type"), "message");
  EXPECT_EQ(fhir::getString(bundle, "id"), "b1");
  const auto& entries = bundle["entry"];
  ASSERT_EQ(entries.Size(), 3u);
  const auto& header = entries[0]["resource"];
  EXPECT_EQ(fhir::getString(entries[0], "fullUrl"), "urn:uuid:m1");
  EXPECT_EQ(fhir::getString(header, "resourceType"), "MessageHeader");
  EXPECT_EQ(fhir::getString(header["eventCoding"], "system"), kBarsEventSystem);
  EXPECT_EQ(fhir::getString(header["eventCoding"], "code"), "servicerequest-response");
  EXPECT_EQ(fhir::getString(header["destination"][0], "endpoint"),
            "https://fhir.nhs.uk/Id/dos-service-id|2222");
  EXPECT_EQ(fhir::getString(header["destination"][0]["receiver"], "reference"), "Organization/gp");
  EXPECT_EQ(fhir::getString(header["sender"], "reference"), "Organization/prov");
  EXPECT_EQ(fhir::getString(header["source"], "endpoint"),
            "https://hub.example/fhir/$process-message");
  EXPECT_EQ(fhir::getString(header["response"], "identifier"), "request-bundle-1");
  EXPECT_EQ(fhir::getString(header["response"], "code"), "ok");
  EXPECT_FALSE(header.HasMember("reason"));
  EXPECT_EQ(fhir::getString(header["focus"][0], "reference"),
            "https://hub.example/fhir/ServiceRequest/sr1");
  EXPECT_EQ(fhir::getString(entries[1], "fullUrl"), "https://hub.example/fhir/ServiceRequest/sr1");
  EXPECT_EQ(fhir::getString(entries[2]["resource"], "status"), "accepted");
}

TEST(OutgoingMessage, WithoutARequestItHasNoResponseAndAReasonWhenGiven) {
  const auto referral = json(R"({"resourceType":"ServiceRequest","id":"sr1","status":"revoked"})");
  MessageParts parts;
  parts.bundleId = "b1";
  parts.messageId = "m1";
  parts.timestamp = "2026-11-25T12:00:00.000Z";
  parts.baseUrl = "https://hub.example/fhir";
  parts.eventCode = "servicerequest-request";
  parts.reasonCode = "update";
  parts.destinationEndpoint = "https://provider.example/msg";
  parts.resources = {{"ServiceRequest", "sr1", &referral}};
  const auto bundle = json(buildMessage(parts));
  const auto& header = bundle["entry"][0]["resource"];
  EXPECT_FALSE(header.HasMember("response"));
  EXPECT_FALSE(header.HasMember("sender"));
  EXPECT_EQ(fhir::getString(header["reason"]["coding"][0], "system"), kBarsReasonSystem);
  EXPECT_EQ(fhir::getString(header["reason"]["coding"][0], "code"), "update");
}

const char* kSubscription =
    R"({"resourceType":"Subscription","status":"requested","reason":"r",)"
    R"("criteria":"Task?owner=Organization/x&status=requested",)"
    R"("channel":{"type":"rest-hook","endpoint":"https://p.example/hook","payload":"application/fhir+json"}})";

TEST(Subscription, RestHookIsRead) {
  std::vector<std::string> problems;
  const auto hook = readRestHook(json(kSubscription), problems);
  ASSERT_TRUE(hook);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(hook->criteriaType, "Task");
  EXPECT_EQ(hook->criteriaQuery, "owner=Organization/x&status=requested");
  EXPECT_EQ(hook->endpoint, "https://p.example/hook");
  EXPECT_EQ(hook->payload, "application/fhir+json");
}

TEST(Subscription, AnActiveOneGoesToErrorWithTheReasonOnce) {
  EXPECT_FALSE(subscriptionInError(json(kSubscription), "x"));  // requested: not served yet
  rapidjson::Document active = json(kSubscription);
  active["status"].SetString("active");
  const auto failed = subscriptionInError(active, "no success after 8 attempts");
  ASSERT_TRUE(failed);
  EXPECT_EQ(fhir::getString(*failed, "status"), "error");
  EXPECT_EQ(fhir::getString(*failed, "error"), "no success after 8 attempts");
  EXPECT_EQ(fhir::getString(*failed, "criteria"), "Task?owner=Organization/x&status=requested");
  EXPECT_FALSE(subscriptionInError(*failed, "again"));  // already in error: nothing to change
}

TEST(Subscription, WhatCannotBeServedIsNamed) {
  const auto problemsOf = [](const std::string& text) {
    std::vector<std::string> problems;
    readRestHook(json(text), problems);
    return problems;
  };
  EXPECT_EQ(problemsOf(R"({"resourceType":"Subscription","criteria":"Task"})").size(), 1u);
  const auto email = problemsOf(
      R"({"resourceType":"Subscription","criteria":"Task","channel":{"type":"email","endpoint":"mailto:a@b"}})");
  ASSERT_EQ(email.size(), 2u);
  EXPECT_NE(email[0].find("rest-hook"), std::string::npos);
  EXPECT_NE(email[1].find("endpoint"), std::string::npos);
  EXPECT_EQ(
      problemsOf(
          R"({"resourceType":"Subscription","criteria":"Task/1","channel":{"type":"rest-hook","endpoint":"http://a"}})")
          .size(),
      1u);
  EXPECT_EQ(
      problemsOf(
          R"({"resourceType":"Subscription","criteria":"Task","channel":{"type":"rest-hook","endpoint":"http://a","payload":"application/xml"}})")
          .size(),
      1u);
  EXPECT_TRUE(
      problemsOf(
          R"({"resourceType":"Subscription","criteria":"Task","channel":{"type":"rest-hook","endpoint":"http://a"}})")
          .empty());
}

TEST(Subscription, NotificationIsAnIdOnlyHistoryBundle) {
  NotificationParts parts;
  parts.bundleId = "n1";
  parts.timestamp = "2026-11-25T12:00:00.000Z";
  parts.baseUrl = "https://hub.example/fhir";
  parts.subscriptionId = "s1";
  parts.focusType = "Task";
  parts.focusId = "t1";
  parts.created = false;
  parts.versionId = 3;
  parts.lastModified = "2026-11-25T11:59:59.000Z";
  const auto bundle = json(buildNotification(parts));
  EXPECT_EQ(fhir::getString(bundle, "type"), "history");
  const auto& status = bundle["entry"][0]["resource"];
  EXPECT_EQ(fhir::getString(status, "resourceType"), "Parameters");
  EXPECT_EQ(fhir::getString(status["parameter"][0]["valueReference"], "reference"),
            "Subscription/s1");
  EXPECT_EQ(fhir::getString(status["parameter"][2], "valueCode"), "event-notification");
  EXPECT_EQ(fhir::getString(status["parameter"][3]["part"][0]["valueReference"], "reference"),
            "Task/t1");
  const auto& focus = bundle["entry"][1];
  EXPECT_EQ(fhir::getString(focus, "fullUrl"), "https://hub.example/fhir/Task/t1");
  EXPECT_EQ(fhir::getString(focus["request"], "method"), "PUT");
  EXPECT_EQ(fhir::getString(focus["request"], "url"), "Task/t1");
  EXPECT_FALSE(focus.HasMember("resource"));
  // R4 bdl-3 and bdl-4: every entry of a history Bundle has a request and a response.
  for (const auto& entry : bundle["entry"].GetArray()) {
    EXPECT_TRUE(entry.HasMember("request"));
    ASSERT_TRUE(entry.HasMember("response"));
    EXPECT_FALSE(fhir::getString(entry["response"], "status").empty());
  }
  EXPECT_EQ(fhir::getString(focus["response"], "status"), "200 OK");
  EXPECT_EQ(fhir::getString(focus["response"], "etag"), "W/\"3\"");
  EXPECT_EQ(fhir::getString(focus["response"], "location"), "Task/t1/_history/3");
  EXPECT_EQ(fhir::getString(focus["response"], "lastModified"), "2026-11-25T11:59:59.000Z");
  parts.created = true;
  const auto created = json(buildNotification(parts));
  EXPECT_EQ(fhir::getString(created["entry"][1]["request"], "method"), "POST");
  EXPECT_EQ(fhir::getString(created["entry"][1]["response"], "status"), "201 Created");
}

TEST(Endpoints, OnlyActiveMessagingEndpointsHaveAnAddress) {
  const std::string type =
      R"("connectionType":{"system":"http://terminology.hl7.org/CodeSystem/endpoint-connection-type","code":"CODE"})";
  const auto endpoint = [&](const std::string& status, const std::string& code) {
    std::string t = type;
    t.replace(t.find("CODE"), 4, code);
    return json(R"({"resourceType":"Endpoint","status":")" + status + R"(",)" + t +
                R"(,"address":"https://gp.example/msg"})");
  };
  EXPECT_EQ(messagingAddressOf(endpoint("active", "hl7-fhir-msg")), "https://gp.example/msg");
  EXPECT_EQ(messagingAddressOf(endpoint("off", "hl7-fhir-msg")), "");
  EXPECT_EQ(messagingAddressOf(endpoint("active", "hl7-fhir-rest")), "");
}

TEST(Endpoints, ReplyAddressesAreUrlsOrServiceIds) {
  EXPECT_EQ(parseReplyAddress("https://gp.example/msg").url, "https://gp.example/msg");
  const auto id = parseReplyAddress("https://fhir.nhs.uk/Id/dos-service-id|2222222222");
  EXPECT_EQ(id.url, "");
  EXPECT_EQ(id.system, "https://fhir.nhs.uk/Id/dos-service-id");
  EXPECT_EQ(id.value, "2222222222");
  EXPECT_TRUE(parseReplyAddress("nonsense").empty());
  EXPECT_TRUE(parseReplyAddress("").empty());
}

TEST(ReferralPush, NewAndCancelledReferralsArePushed) {
  const auto sr = [](const std::string& status) {
    return json(R"({"resourceType":"ServiceRequest","status":")" + status + R"("})");
  };
  const auto push = [&](const char* before, const char* after) {
    if (!before) return referralPushOf(nullptr, sr(after));
    const auto b = sr(before);
    return referralPushOf(&b, sr(after));
  };
  EXPECT_EQ(push(nullptr, "active"), ReferralPush::kNew);
  EXPECT_EQ(push("draft", "active"), ReferralPush::kNew);
  EXPECT_EQ(push("active", "revoked"), ReferralPush::kCancel);
  EXPECT_EQ(push("on-hold", "entered-in-error"), ReferralPush::kCancel);
  EXPECT_FALSE(push(nullptr, "draft"));
  EXPECT_FALSE(push("active", "active"));
  EXPECT_FALSE(push("active", "completed"));
  EXPECT_FALSE(push("draft", "revoked"));  // never sent, so nothing to cancel
  EXPECT_STREQ(reasonCode(ReferralPush::kNew), "new");
  EXPECT_STREQ(reasonCode(ReferralPush::kCancel), "update");
}

TEST(Endpoints, APartnerAsksForPushedEventsInPayloadType) {
  const auto endpoint =
      json(R"({"resourceType":"Endpoint","payloadType":[{"text":"FHIR"},{"coding":[{"system":")" +
           std::string(kBarsEventSystem) + R"(","code":"servicerequest-request"}]}]})");
  EXPECT_TRUE(acceptsEvent(endpoint, kBarsEventSystem, "servicerequest-request"));
  EXPECT_FALSE(acceptsEvent(endpoint, kBarsEventSystem, "servicerequest-response"));
  EXPECT_FALSE(acceptsEvent(json(R"({"resourceType":"Endpoint"})"), kBarsEventSystem,
                            "servicerequest-request"));
}

}  // namespace
}  // namespace sp::delivery
