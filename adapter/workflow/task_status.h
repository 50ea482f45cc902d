// The Task state machine of the referral workflow (aligned with HL7's Gravity SDOH closed-loop
// referral): which status moves exist and which party may make each. Pure; thread-safe.
//
//   requester: draft -> requested
//   owner:     requested -> received | accepted | rejected;  received -> accepted | rejected
//              accepted -> in-progress | on-hold | completed | failed
//              in-progress -> on-hold | completed | failed;  on-hold -> in-progress
//   either:    any unfinished status -> cancelled
//   creator:   any status but entered-in-error -> entered-in-error
//
// rejected, cancelled, on-hold and failed need a statusReason.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::workflow {

enum class TaskStatus {
  kDraft,
  kRequested,
  kReceived,
  kAccepted,
  kRejected,
  kReady,
  kCancelled,
  kInProgress,
  kOnHold,
  kFailed,
  kCompleted,
  kEnteredInError,
};

// nullopt for a code that is not a Task status (the validator reports it).
std::optional<TaskStatus> parseTaskStatus(std::string_view code);
const char* statusCode(TaskStatus status);

// completed, failed, rejected, cancelled, entered-in-error: no work is left.
bool isFinished(TaskStatus status);
// requested, received, accepted, in-progress, on-hold: the Task is live (businessStatus may move).
bool isActive(TaskStatus status);
// accepted, in-progress, on-hold: the owner holds the person (and a place of its service).
bool holdsPlace(TaskStatus status);
// rejected, cancelled, on-hold, failed.
bool needsReason(TaskStatus status);

// Who may make a move.
enum class Mover { kRequester, kOwner, kEitherSide, kCreator };
const char* describeMover(Mover mover);  // "the owner", "the requester or the owner", ...

struct Move {
  TaskStatus from;
  TaskStatus to;
  Mover who;
};

// What the acting organisation is to one Task. Several may hold at once.
struct Roles {
  bool requester = false;
  bool owner = false;
  bool creator = false;
  bool any() const { return requester || owner || creator; }
  static Roles all() { return {true, true, true}; }
};

bool mayMove(Mover who, const Roles& roles);

// The moves from `from` (empty for a status with none), in a stable order.
std::vector<Move> movesFrom(TaskStatus from);
// The move from -> to, if the machine has one.
std::optional<Move> findMove(TaskStatus from, TaskStatus to);

// "From requested the allowed moves are: received (by the owner), accepted (by the owner),
// rejected (by the owner, with a statusReason), ..." or "completed is final: no move is allowed".
std::string describeMovesFrom(TaskStatus from);

// The statuses a Task may be created with, and by whom: draft and requested by anyone (the
// requester side makes a Task); the owner may also record work it took on itself (received,
// accepted, in-progress, on-hold, completed, failed). Never rejected, cancelled or
// entered-in-error, nor ready.
std::optional<Mover> creatorOf(TaskStatus status);
std::string describeCreatableStatuses();

}  // namespace sp::workflow
