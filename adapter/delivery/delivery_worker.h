// The delivery worker: takes messages from the outbox one at a time and POSTs them to their
// partner, on its own thread (start/stop like rest::HandoverSweeper). When nothing is due it
// deletes delivered messages older than the retention, so the outbox does not grow forever.
//
// Each attempt carries a new X-Request-Id and the message's X-Correlation-Id; the answer is
// judged by delivery/retry_policy.h. A message that cannot be delivered (refused, or out of
// attempts) is reported to the UndeliveredReporter before the outbox records it as undelivered,
// so the report happens at least once. Several workers, in one process or many, may share one
// outbox (the OutboxStore guarantees no message goes to two at once).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "delivery/message_sender.h"
#include "delivery/retry_policy.h"
#include "fhir/ids.h"
#include "store/outbox.h"

namespace sp::delivery {

// Makes an undelivered message visible to whoever caused it (services/delivery_rules.h writes a
// Communication). Must be idempotent for one entry (it may be called again after a crash).
// Throws to keep the message pending (it is retried later).
class UndeliveredReporter {
 public:
  virtual ~UndeliveredReporter() = default;
  virtual void reportUndelivered(const store::OutboxEntry& entry, int attempts,
                                 const std::string& reason) = 0;
};

struct WorkerSettings {
  RetrySchedule retry;
  std::chrono::milliseconds pollInterval{500};    // the wait when the outbox has nothing due
  std::chrono::seconds retention{7 * 24 * 3600};  // delivered messages are kept this long
};

class DeliveryWorker {
 public:
  DeliveryWorker(store::OutboxStore& outbox, MessageSender& sender, fhir::IdGenerator& ids,
                 UndeliveredReporter* reporter, WorkerSettings settings);
  ~DeliveryWorker();  // stops the thread
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void start();
  void stop();
  // One attempt at the next due message. Returns false when nothing was due.
  bool deliverOnce();
  // One turn of the thread: an attempt at the next due message, or, when nothing was due, a
  // purge of delivered messages older than the retention. Returns whether a message was due.
  bool workOnce();
  // The outcome of sending `entry` (what deliverOnce records); public for tests.
  store::DeliveryOutcome attempt(const store::OutboxEntry& entry);

 private:
  store::OutboxStore& outbox_;
  MessageSender& sender_;
  fhir::IdGenerator& ids_;
  UndeliveredReporter* reporter_;
  WorkerSettings settings_;
  std::mutex mutex_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sp::delivery
