// delivery/delivery_worker.h over an in-memory outbox and a scripted sender: headers of each
// attempt, delivered, retried with backoff, undelivered after the last attempt or a refusal, and
// a report that fails keeps the message pending; an idle turn purges old delivered messages.
#include "delivery/delivery_worker.h"

#include <gtest/gtest.h>

#include <deque>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sp::delivery {
namespace {

using store::DeliveryOutcome;
using store::OutboxEntry;

class OneMessageOutbox : public store::OutboxStore {
 public:
  explicit OneMessageOutbox(OutboxEntry entry) : entry_(std::move(entry)) {}
  bool processNext(const std::function<DeliveryOutcome(const OutboxEntry&)>& deliver) override {
    if (finished) return false;
    last = deliver(entry_);
    ++entry_.attempts;
    finished = last.state != DeliveryOutcome::State::kRetryLater;
    return true;
  }
  std::size_t purgeDelivered(std::chrono::seconds retention, std::size_t limit) override {
    purges.emplace_back(retention, limit);
    return 0;
  }
  std::vector<std::pair<std::chrono::seconds, std::size_t>> purges;
  bool finished = false;
  DeliveryOutcome last;

 private:
  OutboxEntry entry_;
};

class ScriptedSender : public MessageSender {
 public:
  SendResult post(const OutgoingRequest& request) override {
    requests.push_back(request);
    if (answers.empty()) return SendResult{200, "", ""};
    SendResult r = answers.front();
    answers.pop_front();
    return r;
  }
  std::deque<SendResult> answers;
  std::vector<OutgoingRequest> requests;
};

class CountingIds : public fhir::IdGenerator {
 public:
  std::string newId() override { return "id-" + std::to_string(++n_); }

 private:
  int n_ = 0;
};

class RecordingReporter : public UndeliveredReporter {
 public:
  void reportUndelivered(const OutboxEntry& entry, int attempts,
                         const std::string& reason) override {
    if (failNext) {
      failNext = false;
      throw std::runtime_error("database away");
    }
    reports.push_back(std::to_string(entry.id) + " after " + std::to_string(attempts) + ": " +
                      reason);
  }
  bool failNext = false;
  std::vector<std::string> reports;
};

OutboxEntry entry() {
  OutboxEntry e;
  e.id = 7;
  e.message.url = "http://gp.example/fhir/$process-message";
  e.message.body = "{}";
  e.message.correlationId = "conversation-1";
  e.message.kind = "bars-response";
  return e;
}

WorkerSettings settings(int maxAttempts) {
  WorkerSettings s;
  s.retry.maxAttempts = maxAttempts;
  s.retry.firstDelay = std::chrono::milliseconds(10);
  s.retry.maxDelay = std::chrono::milliseconds(35);
  return s;
}

std::string header(const OutgoingRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(DeliveryWorker, EachAttemptHasANewRequestIdAndTheConversationsCorrelationId) {
  OneMessageOutbox outbox(entry());
  ScriptedSender sender;
  sender.answers = {SendResult{503, "", ""}};
  CountingIds ids;
  DeliveryWorker worker(outbox, sender, ids, nullptr, settings(5));
  EXPECT_TRUE(worker.deliverOnce());
  EXPECT_EQ(outbox.last.state, DeliveryOutcome::State::kRetryLater);
  EXPECT_EQ(outbox.last.retryAfter.count(), 10);
  EXPECT_EQ(outbox.last.httpStatus, 503);
  EXPECT_TRUE(worker.deliverOnce());
  EXPECT_EQ(outbox.last.state, DeliveryOutcome::State::kDelivered);
  EXPECT_FALSE(worker.deliverOnce());
  ASSERT_EQ(sender.requests.size(), 2u);
  EXPECT_EQ(header(sender.requests[0], "X-Request-Id"), "id-1");
  EXPECT_EQ(header(sender.requests[1], "X-Request-Id"), "id-2");
  EXPECT_EQ(outbox.last.requestId, "id-2");
  for (const auto& r : sender.requests) {
    EXPECT_EQ(header(r, "X-Correlation-Id"), "conversation-1");
    EXPECT_EQ(header(r, "Content-Type"), "application/fhir+json");
    EXPECT_EQ(r.url, "http://gp.example/fhir/$process-message");
  }
}

TEST(DeliveryWorker, OnlyAnIdleTurnPurgesDeliveredMessagesPastTheRetention) {
  OneMessageOutbox outbox(entry());
  ScriptedSender sender;
  CountingIds ids;
  WorkerSettings s = settings(5);
  s.retention = std::chrono::hours(48);
  DeliveryWorker worker(outbox, sender, ids, nullptr, s);
  EXPECT_TRUE(worker.workOnce());  // a message was due: sent, nothing purged
  EXPECT_TRUE(outbox.purges.empty());
  EXPECT_FALSE(worker.workOnce());  // idle: purged
  ASSERT_EQ(outbox.purges.size(), 1u);
  EXPECT_EQ(outbox.purges[0].first, std::chrono::hours(48));
  EXPECT_GT(outbox.purges[0].second, 0u);
}

TEST(DeliveryWorker, BackoffGrowsAndTheLastAttemptMakesItUndelivered) {
  OneMessageOutbox outbox(entry());
  ScriptedSender sender;
  for (int i = 0; i < 5; ++i) sender.answers.push_back(SendResult{0, "", "connection refused"});
  CountingIds ids;
  RecordingReporter reporter;
  DeliveryWorker worker(outbox, sender, ids, &reporter, settings(4));
  std::vector<long> waits;
  while (worker.deliverOnce()) {
    if (outbox.last.state == DeliveryOutcome::State::kRetryLater) {
      waits.push_back(outbox.last.retryAfter.count());
    }
  }
  EXPECT_EQ(waits, (std::vector<long>{10, 20, 35}));
  EXPECT_EQ(outbox.last.state, DeliveryOutcome::State::kUndelivered);
  EXPECT_EQ(sender.requests.size(), 4u);
  ASSERT_EQ(reporter.reports.size(), 1u);
  EXPECT_EQ(reporter.reports[0],
            "7 after 4: no success after 4 attempts (last: no answer: connection refused)");
}

TEST(DeliveryWorker, ARefusalIsUndeliveredAtOnceAndADuplicateIsDelivered) {
  {
    OneMessageOutbox outbox(entry());
    ScriptedSender sender;
    sender.answers = {SendResult{400, "", ""}};
    CountingIds ids;
    RecordingReporter reporter;
    DeliveryWorker worker(outbox, sender, ids, &reporter, settings(8));
    worker.deliverOnce();
    EXPECT_EQ(outbox.last.state, DeliveryOutcome::State::kUndelivered);
    EXPECT_EQ(reporter.reports.size(), 1u);
  }
  OneMessageOutbox outbox(entry());
  ScriptedSender sender;
  sender.answers = {
      SendResult{409, R"({"resourceType":"OperationOutcome","issue":[{"code":"duplicate"}]})", ""}};
  CountingIds ids;
  DeliveryWorker worker(outbox, sender, ids, nullptr, settings(8));
  worker.deliverOnce();
  EXPECT_EQ(outbox.last.state, DeliveryOutcome::State::kDelivered);
}

TEST(DeliveryWorker, AReportThatFailsKeepsTheMessagePending) {
  OneMessageOutbox outbox(entry());
  ScriptedSender sender;
  sender.answers = {SendResult{400, "", ""}, SendResult{400, "", ""}};
  CountingIds ids;
  RecordingReporter reporter;
  reporter.failNext = true;
  DeliveryWorker worker(outbox, sender, ids, &reporter, settings(8));
  worker.deliverOnce();
  EXPECT_EQ(outbox.last.state, DeliveryOutcome::State::kRetryLater);
  EXPECT_TRUE(reporter.reports.empty());
  worker.deliverOnce();
  EXPECT_EQ(outbox.last.state, DeliveryOutcome::State::kUndelivered);
  EXPECT_EQ(reporter.reports.size(), 1u);
}

}  // namespace
}  // namespace sp::delivery
