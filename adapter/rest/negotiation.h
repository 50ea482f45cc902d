// HTTP content negotiation and preferences for FHIR JSON. Pure functions.
#pragma once

#include <string>

#include "rest/rest_types.h"

namespace sp::rest {

enum class ReturnPreference { kRepresentation, kMinimal, kOperationOutcome };

// The Content-Type to answer with, from `_format` (which wins) or Accept. Throws
// FhirError(kNotAcceptable) when only non-JSON formats, or a FHIR version parameter whose
// major version is not 1, are acceptable.
std::string negotiateResponseType(const RestRequest& request);

// Checks the request body's Content-Type: FHIR JSON or JSON for resources, JSON Patch for
// PATCH. Throws FhirError(kUnsupportedMediaType).
void requireBodyType(const RestRequest& request, bool isPatch);

ReturnPreference returnPreference(const RestRequest& request);

}  // namespace sp::rest
