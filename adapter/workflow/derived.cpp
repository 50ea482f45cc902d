#include "workflow/derived.h"

#include "fhir/json.h"
#include "fhir/project_urls.h"

namespace sp::workflow {

namespace {

const rapidjson::Value* tagsOf(const rapidjson::Value& resource) {
  const rapidjson::Value* meta = fhir::findMember(resource, "meta");
  if (!meta || !meta->IsObject()) return nullptr;
  const rapidjson::Value* tags = fhir::findMember(*meta, "tag");
  return tags && tags->IsArray() ? tags : nullptr;
}

}  // namespace

bool wasDerived(const rapidjson::Value& resource, const char* code) {
  const rapidjson::Value* tags = tagsOf(resource);
  if (!tags) return false;
  for (const auto& tag : tags->GetArray()) {
    if (tag.IsObject() && fhir::getString(tag, "system") == fhir::kHubDerivedSystem &&
        fhir::getString(tag, "code") == code) {
      return true;
    }
  }
  return false;
}

fhir::Issue recordDerived(rapidjson::Document& resource, const char* code, const std::string& what,
                          const std::string& expression) {
  fhir::Issue issue{fhir::Severity::kInformation, "informational", "Derived by the hub: " + what,
                    expression};
  if (!resource.IsObject() || wasDerived(resource, code)) return issue;
  auto& a = resource.GetAllocator();
  rapidjson::Value& meta = fhir::memberOfType(resource, "meta", rapidjson::kObjectType, a);
  rapidjson::Value tag(rapidjson::kObjectType);
  tag.AddMember("system", fhir::makeString(fhir::kHubDerivedSystem, a), a);
  tag.AddMember("code", fhir::makeString(code, a), a);
  fhir::memberOfType(meta, "tag", rapidjson::kArrayType, a).PushBack(tag, a);
  return issue;
}

bool forgetDerived(rapidjson::Value& resource, const char* code) {
  if (!wasDerived(resource, code)) return false;
  rapidjson::Value& meta = resource["meta"];
  rapidjson::Value& tags = meta["tag"];
  for (auto it = tags.Begin(); it != tags.End();) {
    if (it->IsObject() && fhir::getString(*it, "system") == fhir::kHubDerivedSystem &&
        fhir::getString(*it, "code") == code) {
      it = tags.Erase(it);
    } else {
      ++it;
    }
  }
  if (tags.Empty()) fhir::removeMember(meta, "tag");
  if (meta.ObjectEmpty()) fhir::removeMember(resource, "meta");  // R4 allows no empty object
  return true;
}

}  // namespace sp::workflow
