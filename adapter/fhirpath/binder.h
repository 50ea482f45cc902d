// Checks a parsed tree against the function table and prepares it for evaluation.
//
// Contract: every function name must exist with an allowed number of arguments; a function that
// takes a type (is, as, ofType) gets its argument as a TypeSpecifier; a literal pattern of
// matches()/replaceMatches() is compiled once (ECMAScript syntax). Throws FhirPathSyntaxError
// naming the offset.
#pragma once

#include "fhirpath/ast.h"

namespace sp::fhirpath {

void bind(AstNode& root);

}  // namespace sp::fhirpath
