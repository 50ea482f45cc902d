// UTF-8 well-formedness, for text that arrives from outside (request lines, JSON strings after
// their escapes are decoded). Pure and thread-safe.
#pragma once

#include <string_view>

namespace sp::fhir {

// True when `text` is well-formed UTF-8: no stray continuation bytes, no overlong forms, no
// UTF-16 surrogates (U+D800..U+DFFF), nothing past U+10FFFF.
bool isValidUtf8(std::string_view text);

}  // namespace sp::fhir
