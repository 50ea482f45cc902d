#include "messaging/message_key.h"

namespace sp::messaging {

store::MessageKey messageKey(PartnerKind partner, const std::string& sender,
                             const TransportHeaders& headers, const IncomingMessage& message) {
  if (partner == PartnerKind::kFhir) {
    if (!message.messageHeaderId.empty()) return {sender, "message-id", message.messageHeaderId};
    if (!message.bundleIdentifier.empty()) {
      return {sender, "bundle-identifier", message.bundleIdentifier};
    }
  }
  return {sender, "x-request-id", headers.requestId};
}

}  // namespace sp::messaging
