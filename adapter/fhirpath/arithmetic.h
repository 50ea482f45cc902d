// The math operators: + - * / div mod & and unary minus.
//
// Contract: an empty operand gives empty (except `&`, which reads empty as ''); an operand with
// several items, or operand types the operator does not take, throws FhirPathEvaluationError.
// Integer + - * stay Integer (overflow is an error); `/` always gives a Decimal; division by zero
// gives empty. `+` also concatenates strings, adds quantities of one dimension and adds a
// calendar duration to a date/time; `-` subtracts them.
#pragma once

#include "fhirpath/ast.h"
#include "fhirpath/node.h"

namespace sp::fhirpath {

Collection arithmetic(Op op, const Collection& left, const Collection& right);
Collection negate(const Collection& operand);

}  // namespace sp::fhirpath
