// The registry of FHIR definitions loaded from fhir-profiles/ at start-up.
//
// Loaded once, read-only afterwards, so it is safe to share between threads. What the server
// supports comes from these files, not from lists in the code: resource types and data types
// (r4/ StructureDefinitions), the project's profiles and extensions (sp/, snapshots generated
// from their differentials), ValueSets and CodeSystems, and SearchParameters. Adding a profile,
// extension, ValueSet or SearchParameter is dropping a JSON file into fhir-profiles/sp/.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "fhir/structure_definition.h"
#include "fhir/terminology.h"

namespace sp::fhir {

struct SearchParameterDefinition {
  std::string url;
  std::string code;
  std::string type;  // number | date | string | token | reference | composite | quantity | uri
  std::string expression;
  std::vector<std::string> bases;
  std::vector<std::string> targets;
};

class Definitions {
 public:
  // Reads `<profilesDir>/r4/*.json` and every `<profilesDir>/sp/*.json`. Throws
  // std::runtime_error naming the file when one is missing, malformed or inconsistent.
  static Definitions load(const std::string& profilesDir);
  // For unit tests: a registry that knows exactly these resource types and nothing else.
  static Definitions withResourceTypes(std::set<std::string> types);

  Definitions() = default;
  Definitions(Definitions&&) = default;
  Definitions& operator=(Definitions&&) = default;

  bool isResourceType(const std::string& type) const { return resourceTypes_.count(type) > 0; }
  // Concrete resource types, sorted.
  const std::set<std::string>& resourceTypes() const { return resourceTypes_; }
  const std::string& fhirVersion() const { return fhirVersion_; }

  // By canonical URL (core, project profiles and extensions); null when unknown.
  const StructureDefinition* structureDefinition(const std::string& url) const;
  // Every loaded StructureDefinition (core, profiles, extensions), in no particular order.
  std::vector<const StructureDefinition*> allStructureDefinitions() const;
  // The core definition of a resource or data type by name ("Task", "CodeableConcept").
  const StructureDefinition* typeDefinition(const std::string& type) const;
  // The project's profiles on resources (derivation constraint, kind resource).
  const std::vector<const StructureDefinition*>& profiles() const { return profiles_; }
  const Terminology& terminology() const { return terminology_; }
  const std::vector<SearchParameterDefinition>& searchParameters() const { return searchParams_; }
  // The project's own conformance resources as JSON text (to publish them), keyed by file name.
  const std::vector<std::string>& projectResources() const { return projectResources_; }
  // Profiles every resource of `type` must meet one of (fhir-profiles/required-profiles.json).
  const std::vector<std::string>& requiredProfiles(const std::string& type) const;

 private:
  void addStructureDefinition(std::unique_ptr<StructureDefinition> sd);

  std::set<std::string> resourceTypes_;
  std::string fhirVersion_ = "4.0.1";
  std::unordered_map<std::string, std::unique_ptr<StructureDefinition>> byUrl_;
  std::unordered_map<std::string, const StructureDefinition*> byType_;
  std::vector<const StructureDefinition*> profiles_;
  Terminology terminology_;
  std::vector<SearchParameterDefinition> searchParams_;
  std::vector<std::string> projectResources_;
  std::unordered_map<std::string, std::vector<std::string>> requiredProfiles_;
};

}  // namespace sp::fhir
