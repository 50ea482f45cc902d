// The _summary and _elements views of a resource in a search result. Pure.
#pragma once

#include <string>
#include <vector>

#include "fhir/definitions.h"

namespace sp::search {

// `summary` is "", "false", "true", "text" or "data"; `elements` the _elements list. Returns
// the resource JSON unchanged when no view applies; otherwise the reduced resource, marked with
// the SUBSETTED tag in meta.tag.
std::string resultView(const std::string& resourceJson, const std::string& summary,
                       const std::vector<std::string>& elements,
                       const fhir::Definitions& definitions);

}  // namespace sp::search
