// Narrows the expression of a search parameter shared by several resource types to the part
// written for one of them.
//
// R4 writes such a parameter as one union with a branch per base type ("AllergyIntolerance.patient
// | CarePlan.subject.where(resolve() is Patient) | ..."). The branches for other types find
// nothing on a resource of `type`, but evaluating them (up to 31 for `patient`) costs more than
// the rest of an extraction, so the extractor drops them once, at start-up.
//
// Contract: purely lexical and conservative. The text is split at the `|` operators outside
// brackets, and only when no operator that binds more loosely than `|` (comparison, equality,
// membership, and/or/xor/implies) appears outside brackets. A branch is dropped when it starts
// with another resource type's name followed by `.`, alone or as the first thing inside a
// leading parenthesis that holds no `|` of its own ("(DeviceRequest.code as CodeableConcept)").
// Anything else is kept, and text that does not tokenise is returned unchanged. The kept
// branches come back joined by " | "; the result is empty when every branch was dropped.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace sp::search {

std::string narrowToType(std::string_view expression, const std::string& type,
                         const std::function<bool(const std::string&)>& isResourceType);

}  // namespace sp::search
