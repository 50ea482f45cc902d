// What a received message asks for: its partner kind (BaRS or FHIR, by the event's code
// system) and the action its event, reason and focus status mean together (MESSAGING.md: BaRS
// drives workflow by the triple event + reason + status). BaRS events are translated to the
// project's events through the ConceptMap in mappings/ (ConceptMap-bars-message-event.json),
// with the reason and the ServiceRequest status as its dependsOn properties.
//
// An unknown event, or a combination that means nothing, throws fhir::FhirError kInvalid with
// issue code `invariant` (400 REC_BAD_REQUEST). Pure.
#pragma once

#include <string>

#include "messaging/incoming_message.h"

namespace sp::mapping {
struct ConceptMap;
}

namespace sp::messaging {

enum class PartnerKind { kBars, kFhir };

enum class MessageAction {
  kReferral,          // a new referral: the receiver's Task is made with it
  kReferralUpdate,    // BaRS update of an active referral (same Bundle.id as the referral)
  kCancel,            // the referral is revoked or entered-in-error
  kFeedback,          // BaRS servicerequest-response: feedback on an earlier request
  kTaskStatusUpdate,  // the owner of a Task reports its new status
  kHandoverRequest,   // a warm handover Task is offered
  kHandoverResponse,  // the handover Task is accepted or rejected
  kOutcomeReport,     // the provider completes its Task with the outcome
};

struct Classification {
  PartnerKind partner = PartnerKind::kFhir;
  MessageAction action = MessageAction::kReferral;
  std::string projectEvent;  // the project's event code (message-event CodeSystem)
};

// `barsEvents` is the BaRS event ConceptMap; null: BaRS messages are refused as unknown.
Classification classifyMessage(const IncomingMessage& message,
                               const mapping::ConceptMap* barsEvents);

const char* partnerKindCode(PartnerKind kind);  // "bars" or "fhir"

}  // namespace sp::messaging
