// Equality (=), equivalence (~) and ordering (< > <= >=) of FHIRPath items and collections.
//
// Contract, following the specification:
// - Numbers compare by value (1 = 1.0). Strings compare exactly for `=`; for `~` case and
//   white space are ignored. Decimals are `~` when equal at the lesser precision.
// - Dates and times compare component by component after time-zone normalisation; when they
//   agree up to the coarser precision but the precisions differ, `=` and the comparisons are
//   empty and `~` is false. A string meeting a date/time is read as one.
// - Two JSON objects are `=` when they have the same members with `=` values (deep, order of
//   members ignored, order of array items kept); for `~` strings inside compare loosely.
// - Quantities compare in a shared dimension (see quantity.h); otherwise `=` is empty.
// - Ordering two untyped JSON strings that both read as dates compares them as dates.
// - Items of different kinds are never `=`; ordering them throws FhirPathEvaluationError.
#pragma once

#include <optional>
#include <string>

#include "fhirpath/node.h"

namespace sp::fhirpath {

// nullopt: the comparison is empty.
std::optional<bool> itemsEqual(const Node& a, const Node& b);
bool itemsEquivalent(const Node& a, const Node& b);
// -1, 0 or 1; nullopt when uncertain (partial dates) or the quantities are not comparable.
std::optional<int> compareItems(const Node& a, const Node& b);

// `=` on collections: empty when either side is empty; false when sizes differ; item by item.
std::optional<bool> collectionsEqual(const Collection& a, const Collection& b);
// `~` on collections: both empty is true; order does not matter.
bool collectionsEquivalent(const Collection& a, const Collection& b);

// A string that is the same for items that are `=` (within one kind), for distinct(), union and
// the other set functions.
std::string equalityKey(const Node& node);

}  // namespace sp::fhirpath
