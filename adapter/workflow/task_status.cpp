#include "workflow/task_status.h"

#include <array>
#include <utility>

namespace sp::workflow {
namespace {

using S = TaskStatus;

constexpr std::array<std::pair<S, const char*>, 12> kCodes = {{
    {S::kDraft, "draft"},
    {S::kRequested, "requested"},
    {S::kReceived, "received"},
    {S::kAccepted, "accepted"},
    {S::kRejected, "rejected"},
    {S::kReady, "ready"},
    {S::kCancelled, "cancelled"},
    {S::kInProgress, "in-progress"},
    {S::kOnHold, "on-hold"},
    {S::kFailed, "failed"},
    {S::kCompleted, "completed"},
    {S::kEnteredInError, "entered-in-error"},
}};

// The explicit moves; cancellation and entered-in-error are added by movesFrom for every
// status they apply to, so the table stays readable.
const std::vector<Move>& explicitMoves() {
  static const std::vector<Move> kMoves = {
      {S::kDraft, S::kRequested, Mover::kRequester}, {S::kRequested, S::kReceived, Mover::kOwner},
      {S::kRequested, S::kAccepted, Mover::kOwner},  {S::kRequested, S::kRejected, Mover::kOwner},
      {S::kReceived, S::kAccepted, Mover::kOwner},   {S::kReceived, S::kRejected, Mover::kOwner},
      {S::kAccepted, S::kInProgress, Mover::kOwner}, {S::kAccepted, S::kOnHold, Mover::kOwner},
      {S::kAccepted, S::kCompleted, Mover::kOwner},  {S::kAccepted, S::kFailed, Mover::kOwner},
      {S::kInProgress, S::kOnHold, Mover::kOwner},   {S::kInProgress, S::kCompleted, Mover::kOwner},
      {S::kInProgress, S::kFailed, Mover::kOwner},   {S::kOnHold, S::kInProgress, Mover::kOwner},
  };
  return kMoves;
}

}  // namespace

std::optional<TaskStatus> parseTaskStatus(std::string_view code) {
  for (const auto& [status, text] : kCodes) {
    if (code == text) return status;
  }
  return std::nullopt;
}

const char* statusCode(TaskStatus status) {
  for (const auto& [s, text] : kCodes) {
    if (s == status) return text;
  }
  return "";
}

bool isFinished(TaskStatus s) {
  return s == S::kCompleted || s == S::kFailed || s == S::kRejected || s == S::kCancelled ||
         s == S::kEnteredInError;
}

bool isActive(TaskStatus s) { return s == S::kRequested || s == S::kReceived || holdsPlace(s); }

bool holdsPlace(TaskStatus s) {
  return s == S::kAccepted || s == S::kInProgress || s == S::kOnHold;
}

bool needsReason(TaskStatus s) {
  return s == S::kRejected || s == S::kCancelled || s == S::kOnHold || s == S::kFailed;
}

const char* describeMover(Mover mover) {
  switch (mover) {
    case Mover::kRequester:
      return "the requester";
    case Mover::kOwner:
      return "the owner";
    case Mover::kEitherSide:
      return "the requester or the owner";
    case Mover::kCreator:
      return "whoever created the Task";
  }
  return "";
}

bool mayMove(Mover who, const Roles& roles) {
  switch (who) {
    case Mover::kRequester:
      return roles.requester;
    case Mover::kOwner:
      return roles.owner;
    case Mover::kEitherSide:
      return roles.requester || roles.owner;
    case Mover::kCreator:
      return roles.creator;
  }
  return false;
}

std::vector<Move> movesFrom(TaskStatus from) {
  std::vector<Move> out;
  for (const Move& m : explicitMoves()) {
    if (m.from == from) out.push_back(m);
  }
  if (!isFinished(from)) out.push_back({from, S::kCancelled, Mover::kEitherSide});
  if (from != S::kEnteredInError) out.push_back({from, S::kEnteredInError, Mover::kCreator});
  return out;
}

std::optional<Move> findMove(TaskStatus from, TaskStatus to) {
  for (const Move& m : movesFrom(from)) {
    if (m.to == to) return m;
  }
  return std::nullopt;
}

std::string describeMovesFrom(TaskStatus from) {
  const std::vector<Move> moves = movesFrom(from);
  if (moves.empty()) return std::string(statusCode(from)) + " is final: no move is allowed from it";
  std::string text = std::string("From ") + statusCode(from) + " the allowed moves are: ";
  for (std::size_t i = 0; i < moves.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::string(statusCode(moves[i].to)) + " (by " + describeMover(moves[i].who);
    if (needsReason(moves[i].to)) text += ", with a statusReason";
    text += ")";
  }
  return text;
}

std::optional<Mover> creatorOf(TaskStatus status) {
  switch (status) {
    case S::kDraft:
    case S::kRequested:
      return Mover::kRequester;
    case S::kReceived:
    case S::kAccepted:
    case S::kInProgress:
    case S::kOnHold:
    case S::kCompleted:
    case S::kFailed:
      return Mover::kOwner;
    default:
      return std::nullopt;
  }
}

std::string describeCreatableStatuses() {
  return "a Task is created as draft or requested (by its requester), or, by its owner recording "
         "its own work, as received, accepted, in-progress, on-hold, completed or failed";
}

}  // namespace sp::workflow
