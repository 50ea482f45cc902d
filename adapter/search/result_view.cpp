#include "search/result_view.h"

#include <set>

#include "fhir/json.h"

namespace sp::search {
namespace {

constexpr const char* kSubsettedSystem =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

// Top-level element names of `type` the view keeps (JSON names; choice elements by prefix).
bool keeps(const std::string& name, const std::string& summary,
           const std::vector<std::string>& elements, const fhir::StructureDefinition* sd) {
  if (name == "resourceType" || name == "id" || name == "meta") return true;
  if (!elements.empty()) {
    for (const auto& e : elements) {
      if (e == name) return true;
    }
    return false;
  }
  if (summary == "data") return name != "text";
  if (!sd) return false;
  for (const fhir::ElementDefinition* c : sd->children(sd->root().id)) {
    const bool matches = c->isChoice() ? name.rfind(c->choicePrefix(), 0) == 0 : c->name == name;
    if (!matches) continue;
    if (summary == "text") return name == "text" || c->min > 0;
    return c->isSummary;  // "true"
  }
  return false;
}

}  // namespace

std::string resultView(const std::string& resourceJson, const std::string& summary,
                       const std::vector<std::string>& elements,
                       const fhir::Definitions& definitions) {
  if (elements.empty() && (summary.empty() || summary == "false")) return resourceJson;
  rapidjson::Document doc;
  fhir::parseJson(resourceJson, doc, fhir::JsonLimits{512});
  const fhir::StructureDefinition* sd =
      definitions.typeDefinition(fhir::getString(doc, "resourceType"));
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  for (const auto& m : doc.GetObject()) {
    if (!keeps(m.name.GetString(), summary, elements, sd)) continue;
    out.AddMember(rapidjson::Value(m.name, a), rapidjson::Value(m.value, a), a);
  }
  rapidjson::Value* meta = nullptr;
  if (auto it = out.FindMember("meta"); it != out.MemberEnd() && it->value.IsObject()) {
    meta = &it->value;
  } else {
    out.AddMember("meta", rapidjson::Value(rapidjson::kObjectType), a);
    meta = &out["meta"];
  }
  if (!meta->HasMember("tag")) meta->AddMember("tag", rapidjson::Value(rapidjson::kArrayType), a);
  rapidjson::Value tag(rapidjson::kObjectType);
  tag.AddMember("system", rapidjson::StringRef(kSubsettedSystem), a);
  tag.AddMember("code", "SUBSETTED", a);
  (*meta)["tag"].PushBack(tag, a);
  return fhir::writeJson(out);
}

}  // namespace sp::search
