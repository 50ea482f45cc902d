// The canonical URLs and codes the workflow reads and writes. They come from the project's
// conformance resources in fhir-profiles/sp/ and never change (they are written into stored data).
// The URLs live in fhir/project_urls.h; this names the ones the workflow uses, and its codes.
#pragma once

#include "fhir/project_urls.h"

namespace sp::workflow {

using fhir::kProjectBase;

// CodeSystems
using fhir::kBusinessStatusSystem;
using fhir::kCapacityStatusSystem;
using fhir::kPriorityCohortSystem;
using fhir::kReferralRouteSystem;
using fhir::kTaskCodeSystem;

// Task.code
inline constexpr const char* kFulfillReferral = "fulfill-referral";
inline constexpr const char* kWarmHandover = "warm-handover";

// Task.businessStatus codes the adapter sets itself during a warm handover.
inline constexpr const char* kHandoverPending = "handover-pending";
inline constexpr const char* kHandedOver = "handed-over";

// Extensions
using fhir::kCapacityExtension;
using fhir::kCohortsServedExtension;
using fhir::kGovernanceTierExtension;
using fhir::kLastReviewedExtension;
using fhir::kReferralRouteExtension;

// Profiles
using fhir::kReferralTaskProfile;

// A directory entry held without the hub's quality details (hub-derived code; directory_entry.h).
inline constexpr const char* kDirectoryUnassured = "directory-unassured";

// Referral routes with rules of their own.
inline constexpr const char* kRouteReAccess = "re-access";

// Who created a Task: a meta.tag the adapter stamps on create (code: the creator's ODS code).
using fhir::kCreatedByTagSystem;

// Organisations are identified by ODS code.
inline constexpr const char* kOdsSystem = fhir::kOdsOrganisationSystem;

}  // namespace sp::workflow
