// The outbox: messages for partners, written in the transaction of the change that causes them
// (StoreTransaction::enqueue) and delivered afterwards by a worker (OutboxStore::processNext).
//
// Guarantees the implementation gives (see docs/delivery.md): at-least-once delivery; per
// receiver, messages are offered strictly in the order they were enqueued (a message waiting for
// a retry holds back the later ones to the same receiver); one message is never handed to two
// workers at once, even in several processes sharing the database.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace sp::store {

// What a change wants sent. `receiver` is the ordering key (usually the endpoint address).
struct OutboxMessage {
  std::string receiver;
  std::string url;
  std::string kind;  // bars-response, referral-push, subscription-notification
  std::string contentType = "application/fhir+json";
  std::string body;
  std::string correlationId;
  std::string about;  // the resource it is about, as a reference (Task/123)
  // Whose change caused it, and who should receive it: each a literal reference
  // ("Organization/x", "PractitionerRole/y") or, for a party named only by its ODS code,
  // `https://fhir.nhs.uk/Id/ods-organization-code|<code>`. May be empty.
  std::string origin;
  std::string recipient;
};

// A message claimed for delivery.
struct OutboxEntry {
  std::int64_t id = 0;
  OutboxMessage message;
  int attempts = 0;  // attempts made before this one
};

// What became of one attempt.
struct DeliveryOutcome {
  enum class State { kDelivered, kRetryLater, kUndelivered };
  State state = State::kRetryLater;
  std::chrono::milliseconds retryAfter{0};  // kRetryLater: from now
  int httpStatus = 0;                       // 0: no answer
  std::string error;                        // empty when delivered
  std::string requestId;                    // X-Request-Id of the attempt
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Claims the oldest message that is due and not held back by an older one to its receiver,
  // runs `deliver` while holding it, and records the outcome. Returns false when nothing was
  // due. `deliver` must not throw. Database failures throw fhir::FhirError (kUnavailable when
  // the database cannot be reached, kInternal for a database fault); the claimed message then
  // stays pending and is offered again.
  virtual bool processNext(const std::function<DeliveryOutcome(const OutboxEntry&)>& deliver) = 0;
  // Deletes at most `limit` delivered messages that finished more than `retention` ago, and
  // returns how many. Pending and undelivered messages are kept (the latter are the evidence
  // behind the undelivered Communication). Database failures throw as processNext does.
  virtual std::size_t purgeDelivered(std::chrono::seconds retention, std::size_t limit) = 0;
};

}  // namespace sp::store
