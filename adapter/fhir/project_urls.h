// The project's canonical URLs: the base of its conformance resources (fhir-profiles/sp/) and
// the CodeSystems, extensions, profiles and tags that code reads or writes. They are written
// into stored data and never change. One place for them; workflow/ and reports/ name the ones
// they use from here.
#pragma once

namespace sp::fhir {

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
inline constexpr const char* kOutcomeMeasureSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/outcome-measure";

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

// Who created a Task: a meta.tag the adapter stamps on create (code: the creator's ODS code).
inline constexpr const char* kCreatedByTagSystem =
    "https://fhir.social-prescribing.example.org/tag/created-by";

// The project's operations, each at kOperationBase + its name (HealthcareService-alternatives,
// impact-report).
inline constexpr const char* kOperationBase =
    "https://fhir.social-prescribing.example.org/OperationDefinition/";

}  // namespace sp::fhir
