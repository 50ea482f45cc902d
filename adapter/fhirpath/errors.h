// The two ways a FHIRPath expression fails.
//
// FhirPathSyntaxError: the text is not a valid expression, or names a function this engine does
// not know or calls it with the wrong number of arguments. The message names the byte offset.
// FhirPathEvaluationError: evaluation hit a case the specification calls an error (a singleton
// was expected but the collection holds several items, operands of incompatible types, an
// unknown external constant, arithmetic overflow).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace sp::fhirpath {

class FhirPathSyntaxError : public std::runtime_error {
 public:
  FhirPathSyntaxError(std::size_t offset, const std::string& what);
  std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_;
};

class FhirPathEvaluationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sp::fhirpath
