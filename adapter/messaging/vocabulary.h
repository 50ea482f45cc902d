// The code systems and identifier systems of FHIR messaging, BaRS and the project, in one place.
#pragma once

namespace sp::messaging {

inline constexpr const char* kBarsEvents = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
inline constexpr const char* kBarsReasons = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
inline constexpr const char* kProjectEvents =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-event";
inline constexpr const char* kBarsEventMap =
    "https://fhir.social-prescribing.example.org/ConceptMap/bars-message-event";
// BaRS spells it with a lower-case "s"; ".../CodeSystem/http-error-codes" is understood too.
inline constexpr const char* kHttpErrorCodes = "https://fhir.nhs.uk/Codesystem/http-error-codes";
inline constexpr const char* kOdsCode = "https://fhir.nhs.uk/Id/ods-organization-code";
inline constexpr const char* kDosServiceId = "https://fhir.nhs.uk/Id/dos-service-id";

// meta.tag systems on stored message Bundles, so that `_tag` finds them.
inline constexpr const char* kTagRequestId =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-request-id";
inline constexpr const char* kTagCorrelationId =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-correlation-id";
inline constexpr const char* kTagSender =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-sender";
inline constexpr const char* kTagDirection =
    "https://fhir.social-prescribing.example.org/CodeSystem/message-direction";
// The message-direction code of a referral request the adapter pushed to a receiver; such a
// request is stored as Bundle/<its Bundle.id>, so the receiver's BaRS response can name it.
inline constexpr const char* kDirectionPushed = "pushed";
// The short reference the receiver gives a referral (the planned Encounter's identifier).
inline constexpr const char* kReferralReference =
    "https://fhir.social-prescribing.example.org/Id/referral-reference";

}  // namespace sp::messaging
