// Which status an oversized request head gets.
#include "http/head_limits.h"

#include <gtest/gtest.h>

namespace sp::http {
namespace {

TEST(HeadLimits, WithinTheLimitPasses) {
  EXPECT_EQ(headLimitStatus(20, 400, 8192), 0);
  EXPECT_EQ(headLimitStatus(8192, 8192, 8192), 0);  // the limit itself is allowed
}

TEST(HeadLimits, ATargetOverTheLimitIs414) { EXPECT_EQ(headLimitStatus(8193, 8300, 8192), 414); }

TEST(HeadLimits, HeadersOverTheLimitAre431) {
  EXPECT_EQ(headLimitStatus(20, 8193, 8192), 431);
  EXPECT_EQ(headLimitStatus(8000, 9000, 8192), 431);  // a long target with the headers
}

}  // namespace
}  // namespace sp::http
