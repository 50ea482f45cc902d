#include "delivery/delivery_worker.h"

#include <iostream>

#include "fhir/errors.h"

namespace sp::delivery {

using store::DeliveryOutcome;

namespace {

// Delivered messages deleted per idle turn at most: a large backlog goes over several turns
// without one long transaction.
constexpr std::size_t kPurgeBatch = 1000;

}  // namespace

DeliveryWorker::DeliveryWorker(store::OutboxStore& outbox, MessageSender& sender,
                               fhir::IdGenerator& ids, UndeliveredReporter* reporter,
                               WorkerSettings settings)
    : outbox_(outbox), sender_(sender), ids_(ids), reporter_(reporter), settings_(settings) {}

DeliveryWorker::~DeliveryWorker() { stop(); }

void DeliveryWorker::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    for (;;) {
      bool delivered = false;
      try {
        delivered = workOnce();
      } catch (const std::exception& e) {  // the database is away: wait and try again
        std::cerr << "delivery: " << e.what() << "\n";
      }
      std::unique_lock<std::mutex> lock(mutex_);
      if (stopping_) return;
      if (!delivered) wake_.wait_for(lock, settings_.pollInterval, [this] { return stopping_; });
      if (stopping_) return;
    }
  });
}

void DeliveryWorker::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool DeliveryWorker::deliverOnce() {
  return outbox_.processNext([this](const store::OutboxEntry& entry) { return attempt(entry); });
}

bool DeliveryWorker::workOnce() {
  if (deliverOnce()) return true;
  const std::size_t purged = outbox_.purgeDelivered(settings_.retention, kPurgeBatch);
  if (purged > 0) std::cerr << "delivery: purged " << purged << " delivered outbox messages\n";
  return false;
}

DeliveryOutcome DeliveryWorker::attempt(const store::OutboxEntry& entry) {
  DeliveryOutcome outcome;
  outcome.requestId = ids_.newId();
  OutgoingRequest request;
  request.url = entry.message.url;
  request.body = entry.message.body;
  request.headers = {{"Content-Type", entry.message.contentType},
                     {"Accept", "application/fhir+json"},
                     {"X-Request-Id", outcome.requestId},
                     {"X-Correlation-Id", entry.message.correlationId}};
  const SendResult result = sender_.post(request);
  outcome.httpStatus = result.status;
  const int attemptNumber = entry.attempts + 1;
  const Verdict verdict = classify(result);
  std::cerr << "delivery: outbox " << entry.id << " (" << entry.message.kind << ") to "
            << entry.message.url << " attempt " << attemptNumber << ": "
            << (result.status ? "HTTP " + std::to_string(result.status) : "no answer")
            << " request " << outcome.requestId << "\n";
  if (verdict == Verdict::kDelivered) {
    outcome.state = DeliveryOutcome::State::kDelivered;
    return outcome;
  }
  outcome.error = describeFailure(result);
  if (verdict == Verdict::kRetry && attemptNumber < settings_.retry.maxAttempts) {
    outcome.state = DeliveryOutcome::State::kRetryLater;
    outcome.retryAfter = backoffDelay(settings_.retry, attemptNumber);
    return outcome;
  }
  const std::string reason = verdict == Verdict::kRefused
                                 ? "refused by the receiver (" + outcome.error + ")"
                                 : "no success after " + std::to_string(attemptNumber) +
                                       " attempts (last: " + outcome.error + ")";
  if (reporter_) {
    try {
      reporter_->reportUndelivered(entry, attemptNumber, reason);
    } catch (const std::exception& e) {
      // Keep it pending: the report is tried again with the next attempt.
      std::cerr << "delivery: cannot report outbox " << entry.id << " as undelivered: " << e.what()
                << "\n";
      outcome.state = DeliveryOutcome::State::kRetryLater;
      outcome.retryAfter = settings_.retry.firstDelay;
      return outcome;
    }
  }
  outcome.state = DeliveryOutcome::State::kUndelivered;
  outcome.error = reason;
  return outcome;
}

}  // namespace sp::delivery
