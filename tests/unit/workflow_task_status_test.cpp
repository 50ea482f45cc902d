// The Task state machine: exactly the moves of the issue, who makes each, which need a reason.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "workflow/task_status.h"

namespace sp::workflow {
namespace {

using S = TaskStatus;

const std::vector<S> kAll = {S::kDraft,    S::kRequested, S::kReceived,  S::kAccepted,
                             S::kRejected, S::kReady,     S::kCancelled, S::kInProgress,
                             S::kOnHold,   S::kFailed,    S::kCompleted, S::kEnteredInError};

TEST(WorkflowTaskStatus, CodesRoundTrip) {
  for (S s : kAll) EXPECT_EQ(parseTaskStatus(statusCode(s)), s) << statusCode(s);
  EXPECT_FALSE(parseTaskStatus("open"));
  EXPECT_FALSE(parseTaskStatus(""));
  EXPECT_FALSE(parseTaskStatus("Completed"));
}

// Every pair of statuses: the move exists exactly when the issue lists it, with its mover.
TEST(WorkflowTaskStatus, EveryPairOfStatuses) {
  std::map<std::pair<S, S>, Mover> expected = {
      {{S::kDraft, S::kRequested}, Mover::kRequester},
      {{S::kRequested, S::kReceived}, Mover::kOwner},
      {{S::kRequested, S::kAccepted}, Mover::kOwner},
      {{S::kRequested, S::kRejected}, Mover::kOwner},
      {{S::kReceived, S::kAccepted}, Mover::kOwner},
      {{S::kReceived, S::kRejected}, Mover::kOwner},
      {{S::kAccepted, S::kInProgress}, Mover::kOwner},
      {{S::kAccepted, S::kOnHold}, Mover::kOwner},
      {{S::kAccepted, S::kCompleted}, Mover::kOwner},
      {{S::kAccepted, S::kFailed}, Mover::kOwner},
      {{S::kInProgress, S::kOnHold}, Mover::kOwner},
      {{S::kInProgress, S::kCompleted}, Mover::kOwner},
      {{S::kInProgress, S::kFailed}, Mover::kOwner},
      {{S::kOnHold, S::kInProgress}, Mover::kOwner},
  };
  for (S from : {S::kDraft, S::kRequested, S::kReceived, S::kAccepted, S::kReady, S::kInProgress,
                 S::kOnHold}) {
    expected[{from, S::kCancelled}] = Mover::kEitherSide;  // not finished
  }
  for (S from : kAll) {
    if (from != S::kEnteredInError) expected[{from, S::kEnteredInError}] = Mover::kCreator;
  }
  int moves = 0;
  for (S from : kAll) {
    for (S to : kAll) {
      SCOPED_TRACE(std::string(statusCode(from)) + " -> " + statusCode(to));
      const auto move = findMove(from, to);
      const auto it = expected.find({from, to});
      ASSERT_EQ(move.has_value(), it != expected.end());
      if (move) {
        EXPECT_EQ(move->who, it->second);
        ++moves;
      }
    }
  }
  EXPECT_EQ(moves, static_cast<int>(expected.size()));
}

TEST(WorkflowTaskStatus, FinishedActiveAndPlaces) {
  const std::set<S> finished = {S::kCompleted, S::kFailed, S::kRejected, S::kCancelled,
                                S::kEnteredInError};
  const std::set<S> active = {S::kRequested, S::kReceived, S::kAccepted, S::kInProgress,
                              S::kOnHold};
  const std::set<S> holding = {S::kAccepted, S::kInProgress, S::kOnHold};
  const std::set<S> reasons = {S::kRejected, S::kCancelled, S::kOnHold, S::kFailed};
  for (S s : kAll) {
    SCOPED_TRACE(statusCode(s));
    EXPECT_EQ(isFinished(s), finished.count(s) > 0);
    EXPECT_EQ(isActive(s), active.count(s) > 0);
    EXPECT_EQ(holdsPlace(s), holding.count(s) > 0);
    EXPECT_EQ(needsReason(s), reasons.count(s) > 0);
  }
}

TEST(WorkflowTaskStatus, WhoMayMove) {
  const Roles requester{true, false, false};
  const Roles owner{false, true, false};
  const Roles creator{false, false, true};
  EXPECT_TRUE(mayMove(Mover::kRequester, requester));
  EXPECT_FALSE(mayMove(Mover::kRequester, owner));
  EXPECT_TRUE(mayMove(Mover::kOwner, owner));
  EXPECT_FALSE(mayMove(Mover::kOwner, requester));
  EXPECT_TRUE(mayMove(Mover::kEitherSide, requester));
  EXPECT_TRUE(mayMove(Mover::kEitherSide, owner));
  EXPECT_FALSE(mayMove(Mover::kEitherSide, creator));
  EXPECT_TRUE(mayMove(Mover::kCreator, creator));
  EXPECT_FALSE(mayMove(Mover::kCreator, requester));
  EXPECT_FALSE(mayMove(Mover::kOwner, Roles{}));
  EXPECT_TRUE(mayMove(Mover::kOwner, Roles::all()));
}

TEST(WorkflowTaskStatus, DescribesTheMovesFromAStatus) {
  EXPECT_EQ(describeMovesFrom(S::kRequested),
            "From requested the allowed moves are: received (by the owner), accepted (by the "
            "owner), rejected (by the owner, with a statusReason), cancelled (by the requester "
            "or the owner, with a statusReason), entered-in-error (by whoever created the Task)");
  EXPECT_EQ(describeMovesFrom(S::kCompleted),
            "From completed the allowed moves are: entered-in-error (by whoever created the "
            "Task)");
  EXPECT_EQ(describeMovesFrom(S::kEnteredInError),
            "entered-in-error is final: no move is allowed from it");
}

TEST(WorkflowTaskStatus, StatusesATaskIsCreatedIn) {
  EXPECT_EQ(creatorOf(S::kDraft), Mover::kRequester);
  EXPECT_EQ(creatorOf(S::kRequested), Mover::kRequester);
  for (S s : {S::kReceived, S::kAccepted, S::kInProgress, S::kOnHold, S::kCompleted, S::kFailed}) {
    EXPECT_EQ(creatorOf(s), Mover::kOwner) << statusCode(s);
  }
  for (S s : {S::kRejected, S::kCancelled, S::kEnteredInError, S::kReady}) {
    EXPECT_FALSE(creatorOf(s)) << statusCode(s);
  }
}

}  // namespace
}  // namespace sp::workflow
