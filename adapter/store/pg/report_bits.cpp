#include "store/pg/report_bits.h"

#include <algorithm>

namespace sp::store::pg {
namespace {

constexpr std::int64_t kTenBits = (1 << 10) - 1;

std::int64_t bit(int position) { return std::int64_t{1} << position; }

// The position of the lowest bit set, -1 for none.
int lowestBit(std::int64_t bits) {
  for (int i = 0; i < 63; ++i) {
    if (bits & bit(i)) return i;
  }
  return -1;
}

}  // namespace

std::int64_t taskState(std::int64_t tokens, const ReportQuery& q) {
  const int status = lowestBit(tokens & (bit(kTokenHandover) - 1));
  if (status < 0 || static_cast<std::size_t>(status) >= q.taskStatuses.size()) return 0;
  const std::string& name = q.taskStatuses[status];
  if (name == "completed" && (tokens & bit(kTokenHandedOver))) return bit(kHandedOverBit);
  std::int64_t state = bit(status);
  if (name == "rejected") {
    int reason = lowestBit(tokens >> kTokenStatusReason & kTenBits);
    if (reason < 0) reason = lowestBit(tokens >> kTokenBusinessReason & kTenBits);
    state |= bit(kReasonBit + 1 + reason);  // reason -1: kReasonBit alone, "other"
  }
  return state;
}

bool isWarmHandover(std::int64_t tokens) { return (tokens & bit(kTokenHandover)) != 0; }

std::vector<TaskFact> decodeTasks(std::int64_t states, const ReportQuery& q) {
  std::vector<TaskFact> tasks;
  for (std::size_t i = 0; i < q.taskStatuses.size() && i < kHandedOverBit; ++i) {
    if (!(states & bit(static_cast<int>(i)))) continue;
    if (q.taskStatuses[i] == "rejected") {
      for (std::size_t r = 0; r <= q.rejectionReasons.size(); ++r) {
        if (!(states & bit(kReasonBit + static_cast<int>(r)))) continue;
        tasks.push_back({"rejected", false, r == 0 ? "other" : q.rejectionReasons[r - 1]});
      }
      continue;
    }
    tasks.push_back({q.taskStatuses[i], false, ""});
  }
  if (states & bit(kHandedOverBit)) tasks.push_back({"completed", true, ""});
  return tasks;
}

std::vector<std::string> decodeCohorts(std::int64_t bits, const ReportQuery& q) {
  std::vector<std::string> cohorts;
  for (std::size_t i = 0; i < q.cohorts.size() && i < 62; ++i) {
    if (bits & bit(static_cast<int>(i))) cohorts.push_back(q.cohorts[i]);
  }
  std::sort(cohorts.begin(), cohorts.end());
  return cohorts;
}

}  // namespace sp::store::pg
