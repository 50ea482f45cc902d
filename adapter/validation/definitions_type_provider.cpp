#include "validation/definitions_type_provider.h"

#include <cctype>

namespace sp::validation {

const fhir::StructureDefinition* DefinitionsTypeProvider::definitionOf(
    const std::string& parentType) const {
  return defs_.typeDefinition(parentType.substr(0, parentType.find('.')));
}

std::string DefinitionsTypeProvider::elementType(const std::string& parentType,
                                                 const std::string& name) const {
  const fhir::StructureDefinition* sd = definitionOf(parentType);
  if (!sd) return "";
  for (const fhir::ElementDefinition* c : sd->children(parentType)) {
    if (c->name == name) {
      if (!sd->children(c->id).empty()) return c->id;  // a backbone element
      if (!c->contentReference.empty()) return c->contentReference.substr(1);
      return c->types.size() == 1 ? c->types.front().code : "";
    }
    if (c->isChoice()) {
      const std::string prefix = c->choicePrefix();
      if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string suffix = name.substr(prefix.size());
      for (const auto& t : c->types) {
        std::string capitalised = t.code;
        capitalised[0] =
            static_cast<char>(std::toupper(static_cast<unsigned char>(capitalised[0])));
        if (capitalised == suffix) return t.code;
      }
    }
  }
  return "";
}

bool DefinitionsTypeProvider::isChoice(const std::string& parentType,
                                       const std::string& name) const {
  const fhir::StructureDefinition* sd = definitionOf(parentType);
  return sd && sd->element(parentType + "." + name + "[x]") != nullptr;
}

}  // namespace sp::validation
