// Evaluates the invariants (ElementDefinition.constraint) of an element with FHIRPath.
//
// Every constraint expression of the loaded definitions is parsed once, at construction; those
// the engine cannot parse are listed by skipped() and not evaluated. ele-1 ("all elements have
// a value or children") is checked natively by the validator's empty-value rules, so it is not
// evaluated here. An invariant that evaluates to empty passes (as ref-1 on a display-only
// Reference). Thread-safe after construction.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "fhir/definitions.h"
#include "fhir/errors.h"
#include "fhirpath/fhirpath.h"
#include "validation/definitions_type_provider.h"

namespace sp::validation {

class InvariantEngine {
 public:
  explicit InvariantEngine(const fhir::Definitions& definitions);

  // Appends an `invariant` issue at `location` for each constraint `node` breaks. `type` is
  // the node's FHIR type (or backbone path); `resource` and `root` give %resource and
  // %rootResource.
  void check(const rapidjson::Value& node, const std::string& type,
             const std::vector<fhir::Constraint>& constraints, const std::string& location,
             const rapidjson::Value& resource, const rapidjson::Value& root,
             std::vector<fhir::Issue>& out) const;

  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  DefinitionsTypeProvider types_;
  std::unordered_map<std::string, fhirpath::Expression> parsed_;  // by expression text
  std::vector<std::string> skipped_;
};

}  // namespace sp::validation
