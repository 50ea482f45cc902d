// The canonical URLs and codes the workflow reads and writes. They come from the project's
// conformance resources in fhir-profiles/sp/ and never change (they are written into stored data).
#pragma once

namespace sp::workflow {

inline constexpr const char* kProjectBase = "https://fhir.social-prescribing.example.org";

// CodeSystems
inline constexpr const char* kTaskCodeSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/task-code";
inline constexpr const char* kBusinessStatusSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/task-business-status";
inline constexpr const char* kCapacityStatusSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/capacity-status";
inline constexpr const char* kReferralRouteSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/referral-route";
inline constexpr const char* kPriorityCohortSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort";

// Task.code
inline constexpr const char* kFulfillReferral = "fulfill-referral";
inline constexpr const char* kWarmHandover = "warm-handover";

// Task.businessStatus codes the adapter sets itself during a warm handover.
inline constexpr const char* kHandoverPending = "handover-pending";
inline constexpr const char* kHandedOver = "handed-over";

// Extensions
inline constexpr const char* kCapacityExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/capacity";
inline constexpr const char* kCohortsServedExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/cohorts-served";
inline constexpr const char* kReferralRouteExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/referral-route";

// Profiles
inline constexpr const char* kReferralTaskProfile =
    "https://fhir.social-prescribing.example.org/StructureDefinition/sp-referral-task";

// Referral routes with rules of their own.
inline constexpr const char* kRouteReAccess = "re-access";

// Who created a Task: a meta.tag the adapter stamps on create (code: the creator's ODS code).
inline constexpr const char* kCreatedByTagSystem =
    "https://fhir.social-prescribing.example.org/tag/created-by";

// Organisations are identified by ODS code.
inline constexpr const char* kOdsSystem = "https://fhir.nhs.uk/Id/ods-organization-code";

}  // namespace sp::workflow
