// The StructureDefinition-driven validator.
//
// Checks a resource against its core definition and any profiles: unknown elements,
// cardinality at every depth, choice types, JSON shapes and primitive formats, nested complex
// types, contained and inline resources, reference target types, extensions against their own
// definitions, required (error) and extensible (warning) bindings, fixed and pattern values,
// slices (by discriminator value or pattern), and invariants through FHIRPath. Every problem
// is reported, each with a FHIRPath location such as `Task.input[1].type.coding[0].code`.
//
// Thread-safe after construction: validate() only reads the definitions and parsed invariants.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "fhir/definitions.h"
#include "fhir/errors.h"

namespace sp::validation {

class InvariantEngine;

class Validator {
 public:
  explicit Validator(const fhir::Definitions& definitions);
  ~Validator();

  // Issues found validating `resource` against its core type and `profiles` (canonical URLs,
  // which must be known). The resource's own meta.profile entries are checked as well; when
  // the server requires profiles of its type (fhir-profiles/required-profiles.json) and it
  // declares none of them, it must conform to at least one.
  std::vector<fhir::Issue> validate(const rapidjson::Value& resource,
                                    const std::vector<std::string>& profiles = {}) const;

  // Issues found validating `resource` against its core R4 definition alone (no profile, not
  // even a required one): whether it is structurally valid R4. For copies of resources that are
  // read, not written (a message's copy of a directory entry held here).
  std::vector<fhir::Issue> validateCore(const rapidjson::Value& resource) const;

  // True when the issues hold an error or fatal issue.
  static bool hasErrors(const std::vector<fhir::Issue>& issues);
  // Invariants that are not evaluated (not parseable by the FHIRPath engine), "key: reason".
  const std::vector<std::string>& skippedInvariants() const;

 private:
  std::vector<fhir::Issue> validateAgainst(const rapidjson::Value& resource,
                                           const fhir::StructureDefinition& sd) const;
  // The core definition of resource type `type`, or null when R4 has no such resource type.
  const fhir::StructureDefinition* coreDefinition(const std::string& type) const;

  const fhir::Definitions& defs_;
  std::unique_ptr<InvariantEngine> invariants_;
};

}  // namespace sp::validation
