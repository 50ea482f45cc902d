// Turns FHIR search parameters into a store::SearchRequest, driven by the SearchParameter
// definitions (no per-type code). Pure: no SQL, no HTTP.
//
// Understood: every parameter type (token, string, reference, date, number, quantity, uri),
// their modifiers (:missing for all; :not :text for tokens; :exact :contains for strings;
// :Type :identifier for references; :above :below for uris), prefixes (eq ne gt lt ge le sa eb
// ap), comma = OR and repetition = AND, _id, _lastUpdated, _tag, _profile, _security, chains
// (a:T.b=...), _has, _include/_revinclude (:iterate), _sort, _count, _total, _summary,
// _elements, near (Location; HealthcareService through its locations) and the paging cursor.
// Unknown parameters are listed in `ignored` (or, when strict, refused).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "fhir/errors.h"
#include "search/index_extractor.h"
#include "store/search_request.h"

namespace sp::search {

struct SearchLimits {
  int defaultCount = 50;
  int maxCount = 500;
  std::size_t maxParameters = 50;
  // The server's base URL: absolute references under it name local resources; others are
  // matched only as written.
  std::string localBase;
};

struct ParsedSearch {
  store::SearchRequest request;
  std::vector<fhir::Issue> ignored;  // unknown parameters, as warnings
  std::string summary;               // "", "true", "text", "data", "count", "false"
  std::vector<std::string> elements;
  // The query again without the paging cursor, for self/next/previous links.
  std::vector<std::pair<std::string, std::string>> linkParams;
};

// `type` empty means a system-level search (types from _type). Throws FhirError(kInvalid)
// for malformed values, unknown modifiers, and (strict) unknown parameters.
ParsedSearch parseSearch(const std::string& type,
                         const std::vector<std::pair<std::string, std::string>>& params,
                         const IndexExtractor& parameters, const SearchLimits& limits, bool strict);

// The paging cursor as text for a link, and back. decodeCursor throws FhirError(kInvalid).
std::string encodeCursor(const store::Cursor& cursor);
store::Cursor decodeCursor(const std::string& text);

}  // namespace sp::search
