#include "fhirpath/errors.h"

namespace sp::fhirpath {

FhirPathSyntaxError::FhirPathSyntaxError(std::size_t offset, const std::string& what)
    : std::runtime_error("FHIRPath syntax error at offset " + std::to_string(offset) + ": " + what),
      offset_(offset) {}

}  // namespace sp::fhirpath
