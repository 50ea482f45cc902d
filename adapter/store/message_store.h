// Storage of FHIR messaging state (issue 6), seen from inside a StoreTransaction.
//
// - Conversation: for each referral created by a message, who sent it and where replies go.
//   The delivery side (outbox) reads it with StoreTransaction::conversationFor.
// - Message claims: the de-duplication keys of received messages (BaRS: sender + X-Request-Id;
//   FHIR: sender + MessageHeader.id or Bundle.identifier) with their state, so a repeat is
//   answered from the stored outcome and a repeat still in flight is told to wait. A claim is
//   inserted in its own short transaction before the message is processed, which makes the
//   in-flight state visible to every server process sharing the database.
// - Message log: one row per processed message (headers, event, sender, time, stored Bundles).
// Data and an interface only; store/pg implements it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fhir/errors.h"

namespace sp::store {

// The conversation a referral belongs to. partnerKind is "bars" or "fhir"; requestBundleId is
// the Bundle.id the sender gave the request (not the id of the stored copy); replyEndpoint is
// MessageHeader.source.endpoint as given. referralVersion is the ServiceRequest version the
// sender's latest message wrote (0: unknown), so a later update can tell the sender's own changes
// from changes made here (messaging/update_conflict.h).
struct Conversation {
  std::string serviceRequestId, senderOrganisation, replyEndpoint, correlationId, partnerKind,
      requestBundleId;
  std::int64_t referralVersion = 0;
};

// What identifies one received message: keyKind is "x-request-id", "message-id" or
// "bundle-identifier".
struct MessageKey {
  std::string sender;
  std::string keyKind;
  std::string key;
};

enum class ClaimState { kClaimed, kInFlight, kProcessed, kFailed };

// The outcome of trying to claim a message key. For kProcessed and kFailed, the stored answer.
struct MessageClaim {
  ClaimState state = ClaimState::kClaimed;
  int httpStatus = 0;
  std::string responseBody;
};

// One processed message, for the audit trail and reading back.
struct MessageLogEntry {
  std::string sender;
  std::string xRequestId;
  std::string correlationId;
  std::string event;        // system|code of MessageHeader.eventCoding
  std::string partnerKind;  // "bars" or "fhir"
  std::string requestBundleId;
  std::string responseBundleId;
  int httpStatus = 200;
  std::string nhsdHeaders;  // JSON object of the NHSD-* headers as received
};

// Operations on the message tables; StoreTransaction inherits them, so they take part in the
// caller's transaction. The defaults describe a store without messaging support.
class MessageTransaction {
 public:
  virtual ~MessageTransaction() = default;

  // The conversation of a referral created by a message; nullopt when it came another way.
  virtual std::optional<Conversation> conversationFor(const std::string& serviceRequestId) {
    (void)serviceRequestId;
    return std::nullopt;
  }
  // The conversation of the referral made by the message whose Bundle.id or MessageHeader.id
  // is `requestId` (BaRS updates, cancels and responses name their request so).
  virtual std::optional<Conversation> conversationForRequest(const std::string& requestId) {
    (void)requestId;
    return std::nullopt;
  }
  // Records a referral's conversation; `requestMessageId` is the request's MessageHeader.id
  // (often empty). A referral keeps its first conversation.
  virtual void recordConversation(const Conversation& conversation,
                                  const std::string& requestMessageId) {
    (void)conversation;
    (void)requestMessageId;
    unsupported();
  }

  // Records the ServiceRequest version a later message of the referral's sender wrote.
  virtual void noteReferralVersion(const std::string& serviceRequestId, std::int64_t version) {
    (void)serviceRequestId;
    (void)version;
    unsupported();
  }

  // Inserts the key as in flight, or reports the state it already has. A claim left in flight
  // longer than `staleAfterSeconds` (its process died) is taken over. Its commit is
  // asynchronous (the later processing commit makes it durable), and so is that of any
  // transaction it runs in: run it on its own (ResourceStore::inAutocommit).
  virtual MessageClaim claimMessage(const MessageKey& key, int staleAfterSeconds) {
    (void)key;
    (void)staleAfterSeconds;
    unsupported();
  }
  // Records the answer of a claimed message: processed (2xx) or failed (any other status).
  virtual void finishMessage(const MessageKey& key, int httpStatus, const std::string& body) {
    (void)key;
    (void)httpStatus;
    (void)body;
    unsupported();
  }
  // Forgets a claim, so a retry is processed afresh (after a transient failure).
  virtual void releaseMessage(const MessageKey& key) {
    (void)key;
    unsupported();
  }

  virtual void logMessage(const MessageLogEntry& entry) {
    (void)entry;
    unsupported();
  }

 private:
  [[noreturn]] static void unsupported() {
    throw fhir::FhirError(fhir::ErrorKind::kNotImplemented, "not-supported",
                          "This store does not support messaging");
  }
};

}  // namespace sp::store
