#include "fhir/structure_definition.h"

#include <stdexcept>

#include "fhir/canonical.h"
#include "fhir/json.h"

namespace sp::fhir {
namespace {

const std::vector<const ElementDefinition*> kNone;

// The FHIR type of a snapshot type code: System.* codes carry it in an extension.
std::string fhirTypeCode(const rapidjson::Value& type) {
  std::string code = getString(type, "code");
  if (code.rfind("http://hl7.org/fhirpath/System.", 0) != 0) return code;
  if (const auto* ext = findMember(type, "extension"); ext && ext->IsArray()) {
    for (const auto& e : ext->GetArray()) {
      const std::string v = getString(e, "valueUrl");
      if (!v.empty()) return v;
    }
  }
  return "string";
}

int parseMax(const std::string& text) {
  if (text.empty() || text == "*") return -1;
  return std::stoi(text);
}

}  // namespace

const ElementDefinition* StructureDefinition::element(const std::string& id) const {
  auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : &elements_[it->second];
}

const std::vector<const ElementDefinition*>& StructureDefinition::children(
    const std::string& id) const {
  auto it = children_.find(id);
  return it == children_.end() ? kNone : it->second;
}

const std::vector<const ElementDefinition*>& StructureDefinition::slices(
    const std::string& id) const {
  auto it = slices_.find(id);
  return it == slices_.end() ? kNone : it->second;
}

void StructureDefinition::setElements(std::vector<ElementDefinition> elements) {
  elements_ = std::move(elements);
  byId_.clear();
  children_.clear();
  slices_.clear();
  for (std::size_t i = 0; i < elements_.size(); ++i) byId_[elements_[i].id] = i;
  for (const ElementDefinition& e : elements_) {
    const std::string& id = e.id;
    if (!e.sliceName.empty() && id.size() > e.sliceName.size() + 1 &&
        id.compare(id.size() - e.sliceName.size() - 1, std::string::npos, ":" + e.sliceName) == 0) {
      slices_[id.substr(0, id.size() - e.sliceName.size() - 1)].push_back(&e);
      continue;
    }
    const auto dot = id.rfind('.');
    if (dot == std::string::npos) continue;  // the root
    children_[id.substr(0, dot)].push_back(&e);
  }
}

ElementDefinition parseElement(const rapidjson::Value& json) {
  ElementDefinition e;
  e.path = getString(json, "path");
  e.id = getString(json, "id");
  if (e.id.empty()) e.id = e.path;
  if (e.path.empty()) throw std::runtime_error("element without path");
  e.name = e.path.substr(e.path.rfind('.') + 1);
  e.sliceName = getString(json, "sliceName");
  if (const auto* min = findMember(json, "min"); min && min->IsInt64()) {
    e.min = static_cast<int>(min->GetInt64());
    e.hasMin = true;
  }
  e.max = parseMax(getString(json, "max"));
  e.hasMax = findMember(json, "max") != nullptr;
  int baseMax = e.max;
  if (const auto* base = findMember(json, "base"); base && base->IsObject()) {
    baseMax = parseMax(getString(*base, "max"));
  }
  e.isArray = baseMax != 1 && baseMax != 0;
  if (const auto* types = findMember(json, "type"); types && types->IsArray()) {
    for (const auto& t : types->GetArray()) {
      e.types.push_back(
          TypeRef{fhirTypeCode(t), getStrings(t, "profile"), getStrings(t, "targetProfile")});
    }
  }
  // Resource.id is an `id` (the snapshot only says System.String).
  const rapidjson::Value* base = findMember(json, "base");
  if (base && getString(*base, "path") == "Resource.id" && e.types.size() == 1) {
    e.types.front().code = "id";
  }
  e.contentReference = getString(json, "contentReference");
  if (const auto* summary = findMember(json, "isSummary"); summary && summary->IsBool()) {
    e.isSummary = summary->GetBool();
  }
  if (const auto* binding = findMember(json, "binding"); binding && binding->IsObject()) {
    e.binding =
        Binding{getString(*binding, "strength"), stripVersion(getString(*binding, "valueSet"))};
  }
  if (const auto* constraints = findMember(json, "constraint");
      constraints && constraints->IsArray()) {
    for (const auto& c : constraints->GetArray()) {
      const std::string expression = getString(c, "expression");
      if (expression.empty()) continue;
      e.constraints.push_back(Constraint{getString(c, "key"), getString(c, "severity"),
                                         getString(c, "human"), expression});
    }
  }
  for (const auto& m : json.GetObject()) {
    const std::string name = m.name.GetString();
    const bool isFixed = name.rfind("fixed", 0) == 0;
    if (!isFixed && name.rfind("pattern", 0) != 0) continue;
    auto doc = std::make_shared<rapidjson::Document>();
    doc->CopyFrom(m.value, doc->GetAllocator());
    (isFixed ? e.fixed : e.pattern) = std::move(doc);
  }
  return e;
}

StructureDefinition parseStructureDefinition(const rapidjson::Value& json,
                                             const char* elementsMember) {
  StructureDefinition sd;
  sd.url = getString(json, "url");
  sd.name = getString(json, "name");
  sd.type = getString(json, "type");
  sd.kind = getString(json, "kind");
  sd.baseDefinition = getString(json, "baseDefinition");
  sd.derivation = getString(json, "derivation");
  if (const auto* abstract = findMember(json, "abstract"); abstract && abstract->IsBool()) {
    sd.isAbstract = abstract->GetBool();
  }
  std::vector<ElementDefinition> elements;
  const auto* holder = findMember(json, elementsMember);
  const auto* list = holder ? findMember(*holder, "element") : nullptr;
  if (list && list->IsArray()) {
    for (const auto& e : list->GetArray()) elements.push_back(parseElement(e));
  }
  sd.setElements(std::move(elements));
  return sd;
}

}  // namespace sp::fhir
