// The bits in which the impact report's statements (report_queries.h) return codes, read back:
// what a Task's tokens say (kTasks) into its state, the union of a referral's Task states into
// TaskFacts, and a referral's cohort bits (kReferrals) into codes. Each code is a bit by its
// position in the ReportQuery's lists, so a report sends numbers, not strings, for them.
// Pure; no libpqxx.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/report_store.h"

namespace sp::store::pg {

// What a Task's tokens say (report_sql::kTasks): bits 0 to 19 the position of its status in
// ReportQuery::taskStatuses, and these.
constexpr int kTokenHandover = 20;        // code warm-handover
constexpr int kTokenHandedOver = 21;      // businessStatus handed-over
constexpr int kTokenStatusReason = 22;    // + position of a statusReason among the reasons
constexpr int kTokenBusinessReason = 32;  // + position of a businessStatus among the reasons

// A Task's state, as decodeTasks reads it: bit = position of its status, except bit 20 instead
// of "completed" when it completed by a warm handover (handed-over); for a rejection, bit 21 +
// 1 + the position of its reason, or bit 21 alone for any other reason.
constexpr int kHandedOverBit = 20;
constexpr int kReasonBit = 21;

// A Task's state from what its tokens say; 0 when its status is not one reported. A
// rejection's reason is its first statusReason among the reasons, else its first businessStatus
// among them (in the order of ReportQuery::rejectionReasons), else other.
std::int64_t taskState(std::int64_t tokens, const ReportQuery& q);

// Whether the Task is a warm handover's (its acceptance is the receiver's, not the referral's).
bool isWarmHandover(std::int64_t tokens);

// The distinct states of a referral's Tasks, from the union of their states.
std::vector<TaskFact> decodeTasks(std::int64_t states, const ReportQuery& q);

// The cohort codes of a referral (bit = position in ReportQuery::cohorts), sorted.
std::vector<std::string> decodeCohorts(std::int64_t bits, const ReportQuery& q);

}  // namespace sp::store::pg
