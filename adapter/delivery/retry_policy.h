// What an attempt's answer means for an outbox message, and how long to wait before the next
// attempt. Pure; thread-safe.
//
//   2xx                                       delivered
//   409 whose OperationOutcome has an issue   delivered (the receiver already has it: BaRS
//       with code `duplicate`                 answers a repeat of a processed message so)
//   no answer, 408, 429, 5xx                  retried with exponential backoff
//   any other status                          undelivered at once: sending it again cannot help
//
// A retried message becomes undelivered when it has had `maxAttempts` attempts.
#pragma once

#include <chrono>
#include <string>

#include "delivery/message_sender.h"

namespace sp::delivery {

enum class Verdict { kDelivered, kRetry, kRefused };

Verdict classify(const SendResult& result);

// True for a 409 answer whose body is an OperationOutcome with an issue of code `duplicate`.
bool isDuplicateAnswer(int status, const std::string& body);

struct RetrySchedule {
  int maxAttempts = 8;
  std::chrono::milliseconds firstDelay{1000};
  std::chrono::milliseconds maxDelay{std::chrono::minutes(10)};
};

// The wait after attempt number `attempt` (1 for the first): firstDelay * 2^(attempt-1), at
// most maxDelay.
std::chrono::milliseconds backoffDelay(const RetrySchedule& schedule, int attempt);

// A short description of a failed attempt for the record ("HTTP 503", "no answer: ...").
std::string describeFailure(const SendResult& result);

}  // namespace sp::delivery
