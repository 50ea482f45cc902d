// Rules shared by operators and functions on whole collections.
#pragma once

#include <optional>
#include <string_view>

#include "fhirpath/node.h"

namespace sp::fhirpath {

// Singleton evaluation for a Boolean context: empty -> nullopt; one Boolean item -> its value;
// one item of another kind -> true; several items -> FhirPathEvaluationError naming `where`.
std::optional<bool> singletonBoolean(const Collection& c, std::string_view where);
// Items in first-seen order without `=` duplicates.
Collection distinctItems(const Collection& c);
// a | b: the distinct items of both.
Collection unionOf(const Collection& a, const Collection& b);
// Whether some item of `c` is `=` to `item`.
bool containsItem(const Collection& c, const Node& item);

}  // namespace sp::fhirpath
