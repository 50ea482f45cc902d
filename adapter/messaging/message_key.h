// The de-duplication key of a received message (MESSAGING.md "Duplicates"): BaRS partners by
// (sender, X-Request-Id), because they reuse Bundle.id for updates and usually omit
// MessageHeader.id; FHIR partners by (sender, MessageHeader.id), else (sender,
// Bundle.identifier), else the X-Request-Id. Pure.
#pragma once

#include <string>

#include "messaging/event_classifier.h"
#include "messaging/incoming_message.h"
#include "messaging/transport_headers.h"
#include "store/message_store.h"

namespace sp::messaging {

store::MessageKey messageKey(PartnerKind partner, const std::string& sender,
                             const TransportHeaders& headers, const IncomingMessage& message);

}  // namespace sp::messaging
