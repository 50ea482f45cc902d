// The mapping tables (adapter/mapping) at the REST layer: the write rule that translates partner
// codes on every write, the partner's own words added to what it reads, and the start-up step
// that stores the tables as FHIR resources.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "mapping/mapping_set.h"
#include "rest/interactions.h"
#include "rest/write_rules.h"
#include "store/resource_store.h"


namespace sp::rest {

class FhirApi;

// Runs mapping::normaliseInbound on every written resource, for the caller's organisation:
// notes become the answer's warnings; codes that a refusing map cannot translate throw one
// FhirError kUnprocessable (issue code `code-invalid`) with every such code, each naming the code,
// the map and its location. Register it for "*" so it runs before type-specific rules (the Task
// workflow then sees the translated status). Thread-safe: the MappingSet is read-only.
class CodeMappingRule : public WriteRule {
 public:
  explicit CodeMappingRule(const mapping::MappingSet& set) : set_(set) {}
  void beforeWrite(rapidjson::Document& resource, WriteContext& context) const override;

 private:
  bool hasInboundRules(const mapping::Sender& sender, const std::string& type) const;

  const mapping::MappingSet& set_;
};

// The read view (read and vread answers): when the caller's partner entry declares its own
// vocabulary for this resource type, its own codings are added beside the canonical ones in
// `version.body`. Nothing happens without ctx.mappings, without a caller, or for deleted
// versions. The stored resource, its version and ETag are unchanged.
void presentToCaller(const ApiContext& ctx, const std::string& callerOrganisation,
                     store::ResourceVersion& version);

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
PublishCounts publishMappingResources(FhirApi& api, const mapping::MappingSet& set);

// The same for any conformance resources (the MessageDefinitions of fhir-profiles/sp/).
PublishCounts publishResources(FhirApi& api,
                               const std::vector<mapping::MappingSet::Resource>& resources);

}  // namespace sp::rest
