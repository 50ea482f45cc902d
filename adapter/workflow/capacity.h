// Places at a HealthcareService, read from and written to the project's capacity extension
// (sub-extensions total, free and status; status codes map onto Gravity SDOH's capacity-status).
//
// No waiting lists: accepting a Task for a service takes a place; completing, failing or
// cancelling it (or marking it entered-in-error) gives the place back. A service has room when
// it has a free place and its status is neither no-capacity nor waitlist. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>

#include "workflow/task_status.h"

namespace sp::workflow {

struct Capacity {
  std::int64_t total = 0;
  std::int64_t free = 0;
  std::string status;  // capacity | no-capacity | waitlist | additional-assessment-required | ""
};

// The service's capacity extension; nullopt when it has none (the service is not counted).
std::optional<Capacity> readCapacity(const rapidjson::Value& service);
// Writes total, free and status (status only when not empty) into the service's capacity
// extension, adding what is missing.
void writeCapacity(rapidjson::Value& service, const Capacity& capacity,
                   rapidjson::Document::AllocatorType& alloc);

bool hasRoom(const Capacity& capacity);
// "0 of 15 places free, status no-capacity"
std::string describeCapacity(const Capacity& capacity);

// One place taken: free goes down; taking the last place turns status capacity into no-capacity.
Capacity takePlace(Capacity capacity);
// One place given back: free goes up (never above total); the first free place turns status
// no-capacity back into capacity (a status the directory set otherwise is left alone).
Capacity giveBackPlace(Capacity capacity);

enum class PlaceEffect { kNone, kTake, kGiveBack };
// What a Task's move does to its service's places (`before` absent for a create).
PlaceEffect placeEffect(std::optional<TaskStatus> before, TaskStatus after);

// A partner's update of a service, and the stored version it replaces. The adapter keeps the
// free count so that concurrent acceptances are never lost: a full update (PUT) keeps the
// stored free places, moved by the change in total; a patch, which applies to the stored
// version under its lock, may set free places explicitly. Free never leaves 0..total.
// `changed` is set when the client's free value was not kept.
Capacity reconcileCapacity(const Capacity& stored, const Capacity& incoming, bool explicitFree,
                           bool& changed);

}  // namespace sp::workflow
