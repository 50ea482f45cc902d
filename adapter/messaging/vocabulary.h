// The code systems and identifier systems of FHIR messaging, BaRS and the project, as messaging
// names them. The project's URLs and the ODS system live in fhir/project_urls.h.
#pragma once

#include "fhir/project_urls.h"

namespace sp::messaging {

inline constexpr const char* kBarsEvents = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
inline constexpr const char* kBarsReasons = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
inline constexpr const char* kProjectEvents = fhir::kMessageEventSystem;
inline constexpr const char* kBarsEventMap = fhir::kBarsMessageEventMap;
// BaRS spells it with a lower-case "s"; ".../CodeSystem/http-error-codes" is understood too.
inline constexpr const char* kHttpErrorCodes = "https://fhir.nhs.uk/Codesystem/http-error-codes";
inline constexpr const char* kOdsCode = fhir::kOdsOrganisationSystem;
inline constexpr const char* kDosServiceId = "https://fhir.nhs.uk/Id/dos-service-id";

// meta.tag systems on stored message Bundles, so that `_tag` finds them.
inline constexpr const char* kTagRequestId = fhir::kMessageRequestIdTagSystem;
inline constexpr const char* kTagCorrelationId = fhir::kMessageCorrelationIdTagSystem;
inline constexpr const char* kTagSender = fhir::kMessageSenderTagSystem;
inline constexpr const char* kTagDirection = fhir::kMessageDirectionTagSystem;
// The message-direction code of a referral request the adapter pushed to a receiver; such a
// request is stored as Bundle/<its Bundle.id>, so the receiver's BaRS response can name it.
inline constexpr const char* kDirectionPushed = "pushed";
// The short reference the receiver gives a referral (the planned Encounter's identifier).
inline constexpr const char* kReferralReference = fhir::kReferralReferenceSystem;

}  // namespace sp::messaging
