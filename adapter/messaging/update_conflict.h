// Whether a BaRS referral update was written without seeing the referral's latest change here
// (MESSAGING.md: "updates must not silently overwrite data that was changed locally since",
// 409 conflict). Pure.
//
// The sender's copy of the ServiceRequest may say what it last saw in two ways:
//  - meta.versionId, when the copy has the id the adapter assigned (the sender read it back with
//    GET /ServiceRequest/{id}): it must be the version held now, as an If-Match would;
//  - meta.lastUpdated, the sender's own time of its copy: the update is stale when the referral
//    was changed here, by anyone but the sender's own messages, after that time.
// A copy with neither cannot be checked and is accepted.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>

#include "fhir/ids.h"

namespace sp::messaging {

// What the sender's copy says it last saw.
struct SenderCopy {
  bool hasHeldId = false;                      // its id is the one the adapter assigned
  std::optional<std::int64_t> versionId;       // meta.versionId, when a whole number
  std::optional<fhir::TimePoint> lastUpdated;  // meta.lastUpdated, when a valid instant
};

// The referral as held here.
struct HeldReferral {
  std::int64_t versionId = 0;
  fhir::TimePoint lastUpdated;
  // The version the sender's own latest message wrote (0: unknown, e.g. a referral made by REST).
  std::int64_t versionWrittenBySender = 0;
};

// Reads the sender's copy of the ServiceRequest; `heldId` is the id of the referral held here.
SenderCopy senderCopyOf(const rapidjson::Value& serviceRequest, const std::string& heldId);

// Why the update must be refused as a conflict (a short, patient-free diagnostic), or nullopt.
std::optional<std::string> staleUpdate(const SenderCopy& copy, const HeldReferral& held);

}  // namespace sp::messaging
