// Hostile-input screening of what a request says outside its JSON body: the decoded path,
// query parameter names and values (also those of a POST _search form body) and header values.
//
// Text that reaches ids, search values or SQL parameters must be valid UTF-8 without NUL or
// other control characters: PostgreSQL refuses both (a 500 if it got that far), and neither has
// a meaning in a FHIR id, path or search value. The JSON body is checked by fhir::parseJson.
// Pure and thread-safe; each check throws fhir::FhirError(kInvalid) naming where the bad byte
// is, never the text itself (it may be patient data).
#pragma once

#include "rest/rest_types.h"

namespace sp::rest {

// Path, query and header values of a request.
void screenRequestText(const RestRequest& request);

// Query parameters from any source (URL or form body).
void screenQueryParams(const QueryParams& params);

}  // namespace sp::rest
