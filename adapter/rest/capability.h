// The CapabilityStatement, generated from what the server really supports: the resource types
// of the loaded definitions and the interactions this layer implements.
#pragma once

#include <string>

#include "fhir/definitions.h"
#include "fhir/ids.h"
#include "rest/operations.h"
#include "search/index_extractor.h"

namespace sp::rest {

struct ServerInfo {
  std::string softwareName = "Social Prescribing FHIR Adapter";
  std::string softwareVersion = "0.1.0";
  std::string baseUrl;
};

// With an `indexer`, each type lists its search parameters, _include and _revinclude values,
// and search-type/search-system are declared. Each type lists $validate and the `operations`
// registered for it, and the system its own, those that name an OperationDefinition.
std::string capabilityStatementJson(const fhir::Definitions& definitions, const ServerInfo& info,
                                    fhir::TimePoint date,
                                    const search::IndexExtractor* indexer = nullptr,
                                    const Operations* operations = nullptr);

}  // namespace sp::rest
