// StructureDefinitions as data: the snapshot elements the validator walks, indexed by element
// id, with children and slices precomputed. Built once at start-up, read-only afterwards.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sp::fhir {

struct TypeRef {
  std::string code;  // FHIR type name: "string", "CodeableConcept", "Reference", "Resource", ...
  std::vector<std::string> profiles;        // canonical URLs (extension definitions for slices)
  std::vector<std::string> targetProfiles;  // Reference/canonical targets
};

struct Constraint {
  std::string key;
  std::string severity;  // error | warning
  std::string human;
  std::string expression;  // FHIRPath
};

struct Binding {
  std::string strength;  // required | extensible | preferred | example
  std::string valueSet;  // canonical, without |version
};

struct ElementDefinition {
  std::string id;    // "ServiceRequest.extension:route.url"
  std::string path;  // "ServiceRequest.extension.url"
  std::string name;  // last path segment: "url", "value[x]"
  std::string sliceName;
  int min = 0;
  int max = -1;         // -1: unbounded
  bool hasMin = false;  // whether min/max were stated (a differential states only changes)
  bool hasMax = false;
  bool isArray = false;    // from the base definition's max: the JSON shape
  bool isSummary = false;  // part of the _summary=true view
  std::vector<TypeRef> types;
  std::string contentReference;  // "#Questionnaire.item": children are those of that id
  Binding binding;
  std::vector<Constraint> constraints;
  // fixed[x] / pattern[x] value, as JSON (null when absent).
  std::shared_ptr<const rapidjson::Document> fixed;
  std::shared_ptr<const rapidjson::Document> pattern;
  bool isChoice() const { return name.size() > 3 && name.compare(name.size() - 3, 3, "[x]") == 0; }
  std::string choicePrefix() const { return isChoice() ? name.substr(0, name.size() - 3) : name; }
};

class StructureDefinition {
 public:
  StructureDefinition() = default;
  StructureDefinition(StructureDefinition&&) = default;  // moving keeps element addresses
  StructureDefinition& operator=(StructureDefinition&&) = default;
  StructureDefinition(const StructureDefinition&) = delete;  // indexes point into elements_
  StructureDefinition& operator=(const StructureDefinition&) = delete;

  std::string url;
  std::string name;
  std::string type;  // the type it defines or constrains
  std::string kind;  // resource | complex-type | primitive-type | logical
  std::string baseDefinition;
  std::string derivation;  // specialization | constraint
  bool isAbstract = false;

  const std::vector<ElementDefinition>& elements() const { return elements_; }
  const ElementDefinition* element(const std::string& id) const;
  const ElementDefinition& root() const { return elements_.front(); }
  // Direct children of an element (not slices), in definition order.
  const std::vector<const ElementDefinition*>& children(const std::string& id) const;
  // Slices defined on an element (its id without sliceName), in definition order.
  const std::vector<const ElementDefinition*>& slices(const std::string& id) const;

  // Replaces the elements and rebuilds the indexes. Elements must start with the root.
  void setElements(std::vector<ElementDefinition> elements);

 private:
  std::vector<ElementDefinition> elements_;
  std::unordered_map<std::string, std::size_t> byId_;
  std::unordered_map<std::string, std::vector<const ElementDefinition*>> children_;
  std::unordered_map<std::string, std::vector<const ElementDefinition*>> slices_;
};

// Reads one element of a snapshot or differential. Throws std::runtime_error when malformed.
ElementDefinition parseElement(const rapidjson::Value& json);
// Reads the header fields and `elementsMember` ("snapshot" or "differential") elements.
StructureDefinition parseStructureDefinition(const rapidjson::Value& json,
                                             const char* elementsMember);

}  // namespace sp::fhir
