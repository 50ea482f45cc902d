// The impact report's codes as bits, read back (store/pg/report_bits.h).
#include <gtest/gtest.h>

#include "store/pg/report_bits.h"

namespace sp::store::pg {
namespace {

std::int64_t bit(int position) { return std::int64_t{1} << position; }

ReportQuery query() {
  ReportQuery q;
  q.taskStatuses = {"requested", "accepted", "rejected", "completed"};
  q.rejectionReasons = {"no-capacity", "not-eligible", "declined-by-person"};
  q.cohorts = {"mental-health-wellbeing", "carers", "long-term-conditions"};
  return q;
}

TEST(StoreReportBitsTest, AStatusIsItsPositionAndOthersAreNotReported) {
  const ReportQuery q = query();
  EXPECT_EQ(taskState(bit(1), q), bit(1));                            // accepted
  EXPECT_EQ(taskState(bit(0) | bit(kTokenStatusReason), q), bit(0));  // a reason needs rejected
  EXPECT_EQ(taskState(bit(7), q), 0);  // a position past the reported statuses
  EXPECT_EQ(taskState(0, q), 0);       // no status token
  EXPECT_EQ(taskState(bit(kTokenHandover), q), 0);
}

TEST(StoreReportBitsTest, CompletedByAWarmHandoverIsItsOwnState) {
  const ReportQuery q = query();
  EXPECT_EQ(taskState(bit(3), q), bit(3));
  EXPECT_EQ(taskState(bit(3) | bit(kTokenHandedOver), q), bit(kHandedOverBit));
  EXPECT_EQ(taskState(bit(1) | bit(kTokenHandedOver), q), bit(1));  // only when completed
  EXPECT_TRUE(isWarmHandover(bit(1) | bit(kTokenHandover)));
  EXPECT_FALSE(isWarmHandover(bit(1) | bit(kTokenHandedOver)));
}

TEST(StoreReportBitsTest, ARejectionGivesItsFirstReasonStatusReasonFirst) {
  const ReportQuery q = query();
  const std::int64_t rejected = bit(2);
  // statusReason not-eligible (position 1) wins over businessStatus no-capacity (position 0).
  EXPECT_EQ(taskState(rejected | bit(kTokenStatusReason + 1) | bit(kTokenBusinessReason), q),
            rejected | bit(kReasonBit + 2));
  // Several statusReasons: the first in the report's list.
  EXPECT_EQ(taskState(rejected | bit(kTokenStatusReason + 2) | bit(kTokenStatusReason + 1), q),
            rejected | bit(kReasonBit + 2));
  EXPECT_EQ(taskState(rejected | bit(kTokenBusinessReason + 2), q), rejected | bit(kReasonBit + 3));
  EXPECT_EQ(taskState(rejected, q), rejected | bit(kReasonBit));  // other
}

TEST(StoreReportBitsTest, TheUnionOfStatesGivesEachStateOnce) {
  const ReportQuery q = query();
  const std::int64_t states = taskState(bit(2) | bit(kTokenStatusReason), q) |
                              taskState(bit(2), q) | taskState(bit(1), q) |
                              taskState(bit(3) | bit(kTokenHandedOver), q) | taskState(bit(1), q);
  const std::vector<TaskFact> tasks = decodeTasks(states, q);
  ASSERT_EQ(tasks.size(), 4u);
  EXPECT_EQ(tasks[0].status, "accepted");
  EXPECT_EQ(tasks[1].status, "rejected");
  EXPECT_EQ(tasks[1].rejectionReason, "other");
  EXPECT_EQ(tasks[2].status, "rejected");
  EXPECT_EQ(tasks[2].rejectionReason, "no-capacity");
  EXPECT_EQ(tasks[3].status, "completed");
  EXPECT_TRUE(tasks[3].handedOver);
  EXPECT_TRUE(decodeTasks(0, q).empty());
}

TEST(StoreReportBitsTest, CohortsAreTheirCodesSorted) {
  const ReportQuery q = query();
  EXPECT_EQ(decodeCohorts(bit(0) | bit(1), q),
            (std::vector<std::string>{"carers", "mental-health-wellbeing"}));
  EXPECT_TRUE(decodeCohorts(0, q).empty());
  EXPECT_TRUE(decodeCohorts(bit(5), q).empty());  // past the list
}

}  // namespace
}  // namespace sp::store::pg
