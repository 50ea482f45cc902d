// The start-up step that stores the adapter's own conformance resources (the mapping tables'
// ConceptMaps and NamingSystems, the MessageDefinitions of fhir-profiles/sp/) through the FHIR
// API, so that partners can read and search them like any other resource.
#pragma once

#include <vector>

#include "mapping/mapping_set.h"
#include "rest/fhir_api.h"

namespace sp::services {

struct PublishCounts {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
};

// Stores every resource of the mapping folder (ConceptMap/<id>, NamingSystem/<id>) through
// `api` with PUT, so that they can be read and searched like any other resource. A resource
// stored with the same content is left alone, so restarts make no new versions; an update
// names the version it replaces (If-Match), so two processes starting at once do not both
// write it (the loser re-reads and finds it current). Throws std::runtime_error naming the
// file when the server refuses one (for example when it does not validate).
PublishCounts publishMappingResources(rest::FhirApi& api, const mapping::MappingSet& set);

// The same for any conformance resources (the MessageDefinitions of fhir-profiles/sp/).
PublishCounts publishResources(rest::FhirApi& api,
                               const std::vector<mapping::MappingSet::Resource>& resources);

}  // namespace sp::services
