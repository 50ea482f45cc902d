#include "rest/request_screen.h"

#include <string>

#include "fhir/errors.h"
#include "fhir/utf8.h"

namespace sp::rest {
namespace {

// Control characters (C0 and DEL); a tab is allowed in header values only.
bool hasControlCharacter(std::string_view text, bool allowTab) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && !(allowTab && c == '\t')) || c == 0x7F) return true;
  }
  return false;
}

void requireClean(std::string_view text, const std::string& where, bool allowTab = false) {
  if (hasControlCharacter(text, allowTab)) {
    throw fhir::FhirError(fhir::ErrorKind::kInvalid, "invalid",
                          "The " + where + " contains a NUL or other control character");
  }
  if (!fhir::isValidUtf8(text)) {
    throw fhir::FhirError(fhir::ErrorKind::kInvalid, "invalid",
                          "The " + where + " is not valid UTF-8");
  }
}

}  // namespace

void screenQueryParams(const QueryParams& params) {
  for (const auto& [name, value] : params) {
    requireClean(name, "name of a query parameter");
    requireClean(value, "value of query parameter '" + name + "'");
  }
}

void screenRequestText(const RestRequest& request) {
  requireClean(request.path, "request path");
  screenQueryParams(request.query);
  for (const auto& [name, value] : request.headers) {
    requireClean(name, "name of a header");
    requireClean(value, "value of header '" + name + "'", true);
  }
}

}  // namespace sp::rest
