// delivery/retry_policy.h: what each answer means for an outbox message, and the backoff.
#include <gtest/gtest.h>

#include "delivery/retry_policy.h"

namespace sp::delivery {
namespace {

const std::string kDuplicate =
    R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"duplicate"}]})";
const std::string kConflict =
    R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"conflict"}]})";

SendResult answer(int status, const std::string& body = "") { return SendResult{status, body, ""}; }

TEST(RetryPolicy, EachAnswerHasItsVerdict) {
  EXPECT_EQ(classify(answer(200)), Verdict::kDelivered);
  EXPECT_EQ(classify(answer(201)), Verdict::kDelivered);
  EXPECT_EQ(classify(answer(204)), Verdict::kDelivered);
  EXPECT_EQ(classify(answer(409, kDuplicate)), Verdict::kDelivered);
  EXPECT_EQ(classify(SendResult{0, "", "connection refused"}), Verdict::kRetry);
  EXPECT_EQ(classify(answer(408)), Verdict::kRetry);
  EXPECT_EQ(classify(answer(429)), Verdict::kRetry);
  EXPECT_EQ(classify(answer(500)), Verdict::kRetry);
  EXPECT_EQ(classify(answer(503)), Verdict::kRetry);
  EXPECT_EQ(classify(answer(400)), Verdict::kRefused);
  EXPECT_EQ(classify(answer(404)), Verdict::kRefused);
  EXPECT_EQ(classify(answer(409, kConflict)), Verdict::kRefused);
  EXPECT_EQ(classify(answer(422)), Verdict::kRefused);
  EXPECT_EQ(classify(answer(301)), Verdict::kRefused);
}

TEST(RetryPolicy, OnlyA409WithADuplicateIssueIsADuplicate) {
  EXPECT_TRUE(isDuplicateAnswer(409, kDuplicate));
  EXPECT_FALSE(isDuplicateAnswer(200, kDuplicate));
  EXPECT_FALSE(isDuplicateAnswer(409, kConflict));
  EXPECT_FALSE(isDuplicateAnswer(409, "duplicate"));
  EXPECT_FALSE(isDuplicateAnswer(409, ""));
  EXPECT_FALSE(
      isDuplicateAnswer(409, R"({"resourceType":"Bundle","issue":[{"code":"duplicate"}]})"));
  EXPECT_TRUE(isDuplicateAnswer(
      409,
      R"({"resourceType":"OperationOutcome","issue":[{"code":"invalid"},{"code":"duplicate"}]})"));
}

TEST(RetryPolicy, BackoffDoublesUpToTheLimit) {
  RetrySchedule s;
  s.firstDelay = std::chrono::milliseconds(100);
  s.maxDelay = std::chrono::milliseconds(1000);
  EXPECT_EQ(backoffDelay(s, 1).count(), 100);
  EXPECT_EQ(backoffDelay(s, 2).count(), 200);
  EXPECT_EQ(backoffDelay(s, 3).count(), 400);
  EXPECT_EQ(backoffDelay(s, 4).count(), 800);
  EXPECT_EQ(backoffDelay(s, 5).count(), 1000);
  EXPECT_EQ(backoffDelay(s, 500).count(), 1000);
}

TEST(RetryPolicy, FailuresAreDescribed) {
  EXPECT_EQ(describeFailure(answer(503)), "HTTP 503");
  EXPECT_EQ(describeFailure(SendResult{0, "", "timed out"}), "no answer: timed out");
}

}  // namespace
}  // namespace sp::delivery
