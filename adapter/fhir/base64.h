// Base64 (RFC 4648, standard alphabet, padding required) for FHIR base64Binary. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sp::fhir {

// nullopt when `text` is not valid padded base64 (whitespace is not allowed).
std::optional<std::string> base64Decode(std::string_view text);
std::string base64Encode(std::string_view bytes);

}  // namespace sp::fhir
