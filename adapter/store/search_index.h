// Search index rows of one resource version: what the search parameters found in it, typed by
// parameter kind. Computed by the search/ layer on every write (from the SearchParameter
// FHIRPath expressions) and stored beside the version by the store, replacing the previous
// rows of the resource. Data only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sp::store {

struct TokenRow {
  std::string param;
  std::string system;  // empty when the value has none
  std::string code;    // code, identifier value, boolean "true"/"false", id, ...
  std::string text;    // display / CodeableConcept.text / Identifier.type.text, lower-cased
};

struct StringRow {
  std::string param;
  std::string normalised;  // lower case, accents removed: for prefix and :contains
  std::string exact;       // as written: for :exact
};

struct ReferenceRow {
  std::string param;
  std::string targetType;        // "Patient" (empty when not a literal Type/id reference)
  std::string targetId;          // "123"
  std::string url;               // the reference as written (absolute URLs, canonicals)
  std::string identifierSystem;  // Reference.identifier, for :identifier
  std::string identifierValue;
};

struct DateRow {
  std::string param;
  std::int64_t low;   // epoch milliseconds, inclusive; INT64_MIN when open
  std::int64_t high;  // epoch milliseconds, exclusive; INT64_MAX when open
};

struct NumberRow {
  std::string param;
  double value;
  std::string system;  // quantities: unit system and code; empty for plain numbers
  std::string code;
};

struct UriRow {
  std::string param;
  std::string uri;
};

struct GeoRow {  // Location.position, for `near`
  std::string param;
  double latitude;
  double longitude;
};

struct SearchIndex {
  std::vector<TokenRow> tokens;
  std::vector<StringRow> strings;
  std::vector<ReferenceRow> references;
  std::vector<DateRow> dates;
  std::vector<NumberRow> numbers;  // number and quantity parameters
  std::vector<UriRow> uris;
  std::vector<GeoRow> geo;
};

}  // namespace sp::store
