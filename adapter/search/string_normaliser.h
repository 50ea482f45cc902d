// The normal form that string search compares: lower case, with the accents of Latin letters
// folded away, so that `name=zoe` finds "Zoë" and `name=angstrom` finds "Ångström".
//
// Contract: input is UTF-8. ASCII letters are lower-cased; letters of Latin-1 Supplement and
// Latin Extended-A (plus the Romanian comma letters) become their base letters, ligatures and
// special letters their usual spelling (ß -> ss, æ -> ae, œ -> oe, þ -> th, ĳ -> ij); combining
// diacritical marks (U+0300-U+036F, from decomposed text) are dropped. Every other character,
// and any byte that is not part of valid UTF-8, is copied unchanged. Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sp::search {

std::string normaliseForSearch(std::string_view text);

}  // namespace sp::search
