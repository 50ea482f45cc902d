#include "messaging/event_classifier.h"

#include <set>

#include "fhir/errors.h"
#include "mapping/translate.h"
#include "messaging/vocabulary.h"

namespace sp::messaging {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

[[noreturn]] void meaningless(const std::string& why) {
  throw FhirError(ErrorKind::kInvalid, "invariant", why, "MessageHeader.eventCoding");
}

bool isOneOf(const std::string& value, const std::set<std::string>& values) {
  return values.count(value) > 0;
}

std::string reasonCode(const IncomingMessage& m) {
  for (const Coding& c : m.reasons) {
    if (c.system == kBarsReasons || c.system.empty()) return c.code;
  }
  return "";
}

// The project event a BaRS message means, or empty when the map gives none.
std::string projectEventOfBars(const IncomingMessage& m, const mapping::ConceptMap& map) {
  mapping::Dependencies context;
  for (const Coding& c : m.reasons) {
    context.byProperty["MessageHeader.reason"].push_back({c.system, c.code, ""});
  }
  if (m.focusType == "ServiceRequest") {
    context.byProperty["ServiceRequest.status"].push_back(
        {"http://hl7.org/fhir/request-status", m.focusStatus, ""});
  }
  mapping::TranslateQuery query;
  query.system = m.event.system;
  query.code = m.event.code;
  query.targetSystem = kProjectEvents;
  query.dependencies = &context;
  for (const mapping::Match& match : mapping::translate(map, query)) {
    if (!match.concept.code.empty() && match.equivalence != mapping::Equivalence::kUnmatched &&
        match.equivalence != mapping::Equivalence::kDisjoint) {
      return match.concept.code;
    }
  }
  return "";
}

Classification classifyBars(const IncomingMessage& m, const mapping::ConceptMap* map) {
  Classification c;
  c.partner = PartnerKind::kBars;
  const std::string reason = reasonCode(m);
  c.projectEvent = map ? projectEventOfBars(m, *map) : "";
  if (m.event.code == "servicerequest-request") {
    if (m.focusType != "ServiceRequest")
      meaningless("A service request's focus is its ServiceRequest");
    if (c.projectEvent == "referral-request" && m.focusStatus == "active") {
      c.action = MessageAction::kReferral;
      return c;
    }
    if (c.projectEvent == "cancellation") {
      c.action = MessageAction::kCancel;
      return c;
    }
    // An update that keeps the referral active is BaRS's own (the project has no event for it).
    if (reason == "update" && m.focusStatus == "active") {
      c.action = MessageAction::kReferralUpdate;
      c.projectEvent = "referral-request";
      return c;
    }
    meaningless("servicerequest-request with reason '" + reason + "' and ServiceRequest status '" +
                m.focusStatus + "' means nothing");
  }
  if (m.event.code == "servicerequest-response" && c.projectEvent == "task-status-update") {
    if (m.responseTo.empty()) {
      meaningless("servicerequest-response needs MessageHeader.response naming the request");
    }
    c.action = MessageAction::kFeedback;
    return c;
  }
  meaningless("BaRS event '" + m.event.code + "' is not supported by this receiver");
}

Classification classifyProject(const IncomingMessage& m) {
  Classification c;
  c.partner = PartnerKind::kFhir;
  c.projectEvent = m.event.code;
  const std::string& e = m.event.code;
  const std::string& status = m.focusStatus;
  const bool serviceRequest = m.focusType == "ServiceRequest";
  const bool task = m.focusType == "Task";
  if (e == "referral-request" && serviceRequest && status == "active") {
    c.action = MessageAction::kReferral;
  } else if (e == "cancellation" && serviceRequest &&
             isOneOf(status, {"revoked", "entered-in-error"})) {
    c.action = MessageAction::kCancel;
  } else if (e == "task-status-update" && task &&
             isOneOf(status, {"received", "accepted", "rejected", "in-progress", "on-hold",
                              "completed", "failed"})) {
    c.action = MessageAction::kTaskStatusUpdate;
  } else if (e == "handover-request" && task && status == "requested") {
    c.action = MessageAction::kHandoverRequest;
  } else if (e == "handover-response" && task && isOneOf(status, {"accepted", "rejected"})) {
    c.action = MessageAction::kHandoverResponse;
  } else if (e == "outcome-report" && task && isOneOf(status, {"completed", "failed"})) {
    c.action = MessageAction::kOutcomeReport;
  } else {
    meaningless("Event '" + e + "' with a " + (m.focusType.empty() ? "missing" : m.focusType) +
                " focus of status '" + status + "' means nothing");
  }
  return c;
}

}  // namespace

Classification classifyMessage(const IncomingMessage& message,
                               const mapping::ConceptMap* barsEvents) {
  if (message.event.system == kBarsEvents) return classifyBars(message, barsEvents);
  if (message.event.system == kProjectEvents) return classifyProject(message);
  meaningless("Unknown message event " + message.event.system + "|" + message.event.code);
}

const char* partnerKindCode(PartnerKind kind) {
  return kind == PartnerKind::kBars ? "bars" : "fhir";
}

}  // namespace sp::messaging
