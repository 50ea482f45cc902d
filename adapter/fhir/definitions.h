// The registry of FHIR definitions loaded from fhir-profiles/ at start-up.
//
// Loaded once, read-only afterwards, so it is safe to share between threads. What the server
// supports (resource types now; elements, bindings and search parameters as they are used) comes
// from these files, not from lists in the code.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace sp::fhir {

class Definitions {
 public:
  // Reads `<profilesDir>/r4/profiles-resources.json`. Throws std::runtime_error naming the file
  // when it is missing or malformed.
  static Definitions load(const std::string& profilesDir);
  // For unit tests: a registry that knows exactly these resource types.
  static Definitions withResourceTypes(std::set<std::string> types);

  bool isResourceType(const std::string& type) const { return resourceTypes_.count(type) > 0; }
  // Concrete resource types, sorted.
  const std::set<std::string>& resourceTypes() const { return resourceTypes_; }
  const std::string& fhirVersion() const { return fhirVersion_; }

 private:
  std::set<std::string> resourceTypes_;
  std::string fhirVersion_ = "4.0.1";
};

}  // namespace sp::fhir
