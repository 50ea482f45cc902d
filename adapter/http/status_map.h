// The one table from error kind to HTTP status (and the reason phrases of the statuses the
// server uses). Free of Pistache so that rest/ can fill batch entry responses from it too.
#pragma once

#include <string>

#include "fhir/errors.h"

namespace sp::http {

int statusFor(fhir::ErrorKind kind);
// "404 Not Found" style text, as Bundle.entry.response.status wants it.
std::string statusLine(int status);
const char* reasonPhrase(int status);

}  // namespace sp::http
