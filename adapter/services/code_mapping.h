// The mapping tables (adapter/mapping) on the FHIR API: the write rule that translates partner
// codes on every write, and the partner's own words added to what it reads.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "mapping/mapping_set.h"
#include "rest/interactions.h"
#include "rest/read_view.h"
#include "rest/write_rules.h"
#include "store/resource_store.h"

namespace sp::services {

// Runs mapping::normaliseInbound on every written resource, for the caller's organisation:
// notes become the answer's warnings; codes that a refusing map cannot translate throw one
// FhirError kUnprocessable (issue code `code-invalid`) with every such code, each naming the code,
// the map and its location. Register it for "*" so it runs before type-specific rules (the Task
// workflow then sees the translated status). Thread-safe: the MappingSet is read-only.
class CodeMappingRule : public rest::WriteRule {
 public:
  explicit CodeMappingRule(const mapping::MappingSet& set) : set_(set) {}
  void beforeWrite(rapidjson::Document& resource, rest::WriteContext& context) const override;

 private:
  bool hasInboundRules(const mapping::Sender& sender, const std::string& type) const;

  const mapping::MappingSet& set_;
};

// The read view (read and vread answers): when the caller's partner entry declares its own
// vocabulary for this resource type, its own codings are added beside the canonical ones in
// `version.body`. Nothing happens for a caller without an organisation, or for deleted
// versions. The stored resource, its version and ETag are unchanged. Thread-safe.
class PartnerReadView : public rest::ReadView {
 public:
  explicit PartnerReadView(const mapping::MappingSet& set) : set_(set) {}
  void present(const security::Caller& caller, store::ResourceVersion& version) const override;

 private:
  const mapping::MappingSet& set_;
};

}  // namespace sp::services
