// Builds the syntax tree of a FHIRPath expression (R4 grammar, normative subset).
//
// Contract: operator precedence, from tightest: `.` `[]`; unary `+ -`; `* / div mod`;
// `+ - &`; `is as`; `|`; `< > <= >=`; `= ~ != !~`; `in contains`; `and`; `or xor`; `implies`;
// all left-associative. Literals: strings, integers, decimals, booleans, `{}`, dates, dateTimes,
// times and quantities (`4 'mg'`, `1 year`). Function names are not checked here (see binder.h).
// Expressions nested deeper than fixed limits (128 levels of brackets, a tree 512 deep) are
// refused, to protect the stack. Throws FhirPathSyntaxError naming the offset.
#pragma once

#include <string_view>

#include "fhirpath/ast.h"

namespace sp::fhirpath {

AstPtr parseAst(std::string_view text);

}  // namespace sp::fhirpath
