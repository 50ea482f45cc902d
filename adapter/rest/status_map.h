// The one table from error kind to HTTP status (FHIR REST is defined in HTTP statuses), and the
// reason phrases of the statuses the server uses. Used by the edge and by Bundle entry responses.
#pragma once

#include <string>

#include "fhir/errors.h"

namespace sp::rest {

int statusFor(fhir::ErrorKind kind);
// "404 Not Found" style text, as Bundle.entry.response.status wants it.
std::string statusLine(int status);
const char* reasonPhrase(int status);

}  // namespace sp::rest
