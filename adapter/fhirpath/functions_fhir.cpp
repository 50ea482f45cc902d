// FHIR additions to FHIRPath (FHIR R4 "FHIRPath" page): extension(url) resolve() memberOf(url)
// conformsTo(url) htmlChecks() hasValue() getValue().
//
// conformsTo() and htmlChecks() always return true: profile validation and XHTML checking
// belong to the validator, not to this engine. memberOf() asks Environment::memberOf and is
// empty without it.
#include <cctype>

#include "fhir/ids.h"
#include "fhir/json.h"
#include "fhirpath/function_registry.h"
#include "fhirpath/navigation.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath {
namespace {

Collection extension(const CallContext& c) {
  const auto url = c.stringArg(0);
  if (!url) return {};
  Collection all;
  for (const Node& n : c.input) appendMember(n, "extension", c.evaluator.env().types, all);
  Collection out;
  for (Node& e : all) {
    if (e.value && e.value->IsObject() && fhir::getString(*e.value, "url") == *url) {
      out.push_back(std::move(e));
    }
  }
  return out;
}

// The reference text of a Reference object or a uri/canonical string.
std::optional<std::string> referenceText(const Node& n) {
  if (const auto text = stringView(n)) return std::string(*text);
  if (n.value && n.value->IsObject()) {
    const rapidjson::Value* ref = fhir::findMember(*n.value, "reference");
    if (ref && ref->IsString()) return std::string(ref->GetString(), ref->GetStringLength());
  }
  return std::nullopt;
}

std::optional<Node> findContained(const Node& resource, const std::string& id) {
  if (!resource.value || !resource.value->IsObject()) return std::nullopt;
  const rapidjson::Value* contained = fhir::findMember(*resource.value, "contained");
  if (!contained || !contained->IsArray()) return std::nullopt;
  for (const auto& r : contained->GetArray()) {
    if (r.IsObject() && fhir::getString(r, "id") == id) return resourceNode(r);
  }
  return std::nullopt;
}

// "Type/id" at the end of a relative or absolute reference (a /_history/v suffix dropped).
std::optional<std::pair<std::string, std::string>> typeAndId(std::string ref) {
  const auto history = ref.find("/_history/");
  if (history != std::string::npos) ref.resize(history);
  const auto slash = ref.rfind('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  const auto typeStart = ref.rfind('/', slash - 1);
  const std::string type = ref.substr(typeStart == std::string::npos ? 0 : typeStart + 1,
                                      slash - (typeStart == std::string::npos ? 0 : typeStart + 1));
  const std::string id = ref.substr(slash + 1);
  if (type.empty() || std::isupper(static_cast<unsigned char>(type.front())) == 0) {
    return std::nullopt;
  }
  for (const char ch : type) {
    if (std::isalnum(static_cast<unsigned char>(ch)) == 0) return std::nullopt;
  }
  if (!fhir::isValidId(id)) return std::nullopt;
  return std::make_pair(type, id);
}

std::optional<Node> findInBundle(const Node& bundle, const std::string& ref) {
  if (bundle.type != "Bundle" || !bundle.value) return std::nullopt;
  const rapidjson::Value* entries = fhir::findMember(*bundle.value, "entry");
  if (!entries || !entries->IsArray()) return std::nullopt;
  const auto relative = typeAndId(ref);
  for (const auto& entry : entries->GetArray()) {
    if (!entry.IsObject()) continue;
    const rapidjson::Value* resource = fhir::findMember(entry, "resource");
    if (!resource || !resource->IsObject()) continue;
    const std::string fullUrl = fhir::getString(entry, "fullUrl");
    if (!fullUrl.empty() && fullUrl == ref) return resourceNode(*resource);
    if (relative && ref.find("://") == std::string::npos &&
        fhir::getString(*resource, "resourceType") == relative->first &&
        fhir::getString(*resource, "id") == relative->second) {
      return resourceNode(*resource);
    }
  }
  return std::nullopt;
}

std::optional<Node> resolveBuiltIn(const CallContext& c, const std::string& ref) {
  const Node& root = c.evaluator.rootResource();
  if (!ref.empty() && ref.front() == '#') {
    if (auto n = findContained(c.evaluator.resource(), ref.substr(1))) return n;
    return findContained(root, ref.substr(1));
  }
  if (auto n = findInBundle(root, ref)) return n;
  if (const auto parsed = typeAndId(ref)) return typedNode(parsed->first);
  return std::nullopt;
}

Collection resolve(const CallContext& c) {
  Collection out;
  for (const Node& n : c.input) {
    const auto ref = referenceText(n);
    if (!ref) continue;
    std::optional<Node> target;
    if (c.evaluator.env().resolve) target = c.evaluator.env().resolve(*ref);
    if (!target) target = resolveBuiltIn(c, *ref);
    if (target) out.push_back(std::move(*target));
  }
  return out;
}

Collection memberOf(const CallContext& c) {
  const Node* item = c.singleInput();
  const auto url = c.stringArg(0);
  if (!item || !url || !c.evaluator.env().memberOf) return {};
  const auto member = c.evaluator.env().memberOf(*item, *url);
  if (!member) return {};
  return {booleanNode(*member)};
}

Collection alwaysTrue(const CallContext&) { return {booleanNode(true)}; }

bool isPrimitiveWithValue(const Node& n) {
  if (n.isComputed()) return true;
  return n.value && !n.value->IsObject() && !n.value->IsArray() && !n.value->IsNull();
}

Collection hasValue(const CallContext& c) {
  return {booleanNode(c.input.size() == 1 && isPrimitiveWithValue(c.input.front()))};
}

Collection getValue(const CallContext& c) {
  if (c.input.size() != 1 || !isPrimitiveWithValue(c.input.front())) return {};
  return single(systemValue(c.input.front()));
}

}  // namespace

const std::vector<FunctionDef>& fhirFunctions() {
  static const std::vector<FunctionDef> kFunctions = {
      {"extension", 1, 1, extension},   {"resolve", 0, 0, resolve},
      {"memberOf", 1, 1, memberOf},     {"conformsTo", 1, 1, alwaysTrue},
      {"htmlChecks", 0, 0, alwaysTrue}, {"hasValue", 0, 0, hasValue},
      {"getValue", 0, 0, getValue},
  };
  return kFunctions;
}

}  // namespace sp::fhirpath
