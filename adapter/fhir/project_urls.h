// The project's canonical URLs: the base of its conformance resources (fhir-profiles/sp/) and
// the CodeSystems, ConceptMaps, extensions, profiles, tags and identifier systems that code reads
// or writes; and the NHS's ODS code system, which most layers name. They are written into stored
// data and never change. One place for them: the other folders name the ones they use from here
// (workflow/vocabulary.h, messaging/vocabulary.h, reports/vocabulary.h, ...), and SQL gets them
// as parameters (store/pg/report_queries.h).
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
// The events of the project's own FHIR messages (MessageHeader.eventCoding).
inline constexpr const char* kMessageEventSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-event";

// ConceptMaps
// BaRS message events to the project's (kMessageEventSystem).
inline constexpr const char* kBarsMessageEventMap =
    "https://fhir.social-prescribing.example.org/ConceptMap/bars-message-event";

// Extensions
inline constexpr const char* kCapacityExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/capacity";
inline constexpr const char* kCohortsServedExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/cohorts-served";
inline constexpr const char* kReferralRouteExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/referral-route";
inline constexpr const char* kLastReviewedExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/last-reviewed";
inline constexpr const char* kGovernanceTierExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/governance-tier";
// On a partner's lone Coding (not in a CodeableConcept): the project's coding it translates to
// (mapping/normaliser.h).
inline constexpr const char* kCanonicalCodingExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/canonical-coding";

// Profiles
inline constexpr const char* kReferralProfile =
    "https://fhir.social-prescribing.example.org/StructureDefinition/sp-referral";
inline constexpr const char* kReferralTaskProfile =
    "https://fhir.social-prescribing.example.org/StructureDefinition/sp-referral-task";
inline constexpr const char* kHandoverTaskProfile =
    "https://fhir.social-prescribing.example.org/StructureDefinition/sp-handover-task";

// What the hub filled in itself (a meta.tag per derived element; workflow/derived.h).
inline constexpr const char* kHubDerivedSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/hub-derived";

// Who created a Task: a meta.tag the adapter stamps on create (code: the creator's ODS code).
inline constexpr const char* kCreatedByTagSystem =
    "https://fhir.social-prescribing.example.org/tag/created-by";

// meta.tag systems on stored message Bundles, so that `_tag` finds them (messaging/).
inline constexpr const char* kMessageRequestIdTagSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-request-id";
inline constexpr const char* kMessageCorrelationIdTagSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-correlation-id";
inline constexpr const char* kMessageSenderTagSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-sender";
inline constexpr const char* kMessageDirectionTagSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-direction";

// Identifier systems
// The short reference the receiver gives a referral (the planned Encounter's identifier).
inline constexpr const char* kReferralReferenceSystem =
    "https://fhir.social-prescribing.example.org/Id/referral-reference";
// The outbox row of a message that could not be delivered, on the Communication that says so.
inline constexpr const char* kOutboxMessageIdSystem =
    "https://fhir.social-prescribing.example.org/Id/outbox-message";
// The NHS's Organisation Data Service code: how organisations are identified (not the project's).
inline constexpr const char* kOdsOrganisationSystem =
    "https://fhir.nhs.uk/Id/ods-organization-code";

// The project's operations, each at kOperationBase + its name (HealthcareService-alternatives,
// impact-report).
inline constexpr const char* kOperationBase =
    "https://fhir.social-prescribing.example.org/OperationDefinition/";

}  // namespace sp::fhir
