// What the libFuzzer targets share: the definitions, validator and search index extractor,
// loaded once from the source tree's fhir-profiles/, and the checks that stand for "the store
// would accept this" (PostgreSQL text is valid UTF-8 without NUL; numbers are finite).
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fhir/definitions.h"
#include "fhir/utf8.h"
#include "search/index_extractor.h"
#include "validation/validator.h"

namespace sp::fuzz {

struct Loaded {
  fhir::Definitions definitions = fhir::Definitions::load(SP_SOURCE_DIR "/fhir-profiles");
  validation::Validator validator{definitions};
  search::IndexExtractor indexer{definitions};
};

inline const Loaded& loaded() {
  static const Loaded instance;
  return instance;
}

// Aborts (a crash libFuzzer reports, with the input) when `text` could not be stored.
inline void requireStorable(const std::string& text, const char* what) {
  if (text.find('\0') != std::string::npos || !fhir::isValidUtf8(text)) {
    std::fprintf(stderr, "not storable as PostgreSQL text: %s\n", what);
    std::abort();
  }
}

inline void requireFinite(double value, const char* what) {
  if (!std::isfinite(value)) {
    std::fprintf(stderr, "not a finite number: %s\n", what);
    std::abort();
  }
}

}  // namespace sp::fuzz
