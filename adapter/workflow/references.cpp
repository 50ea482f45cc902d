#include "workflow/references.h"

#include <algorithm>
#include <cctype>

#include "fhir/json.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {

LocalReference parseReference(const std::string& reference) {
  std::string text = reference;
  if (const auto history = text.find("/_history/"); history != std::string::npos) {
    text = text.substr(0, history);
  }
  if (text.empty() || text[0] == '#' || text.rfind("urn:", 0) == 0) return {};
  const auto slash = text.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) return {};
  const auto before = text.rfind('/', slash - 1);
  const std::string type = text.substr(before == std::string::npos ? 0 : before + 1,
                                       slash - (before == std::string::npos ? 0 : before + 1));
  const std::string id = text.substr(slash + 1);
  if (type.empty() || !std::isupper(static_cast<unsigned char>(type[0]))) return {};
  return {type, id};
}

LocalReference localReference(const rapidjson::Value* reference) {
  if (!reference || !reference->IsObject()) return {};
  return parseReference(fhir::getString(*reference, "reference"));
}

std::string referenceKey(const rapidjson::Value* reference) {
  if (!reference || !reference->IsObject()) return "";
  std::string key = fhir::getString(*reference, "reference");
  if (const auto* identifier = fhir::findMember(*reference, "identifier");
      identifier && identifier->IsObject()) {
    key +=
        "|" + fhir::getString(*identifier, "system") + "|" + fhir::getString(*identifier, "value");
  }
  return key;
}

std::optional<std::string> odsCodeOf(const rapidjson::Value* reference) {
  if (!reference || !reference->IsObject()) return std::nullopt;
  const auto* identifier = fhir::findMember(*reference, "identifier");
  if (!identifier || !identifier->IsObject()) return std::nullopt;
  if (fhir::getString(*identifier, "system") != kOdsSystem) return std::nullopt;
  const std::string value = fhir::getString(*identifier, "value");
  if (value.empty()) return std::nullopt;
  return value;
}

std::set<std::string> odsIdentifiers(const rapidjson::Value& resource) {
  std::set<std::string> codes;
  for (const rapidjson::Value* identifier : elements(resource, "identifier")) {
    if (fhir::getString(*identifier, "system") != kOdsSystem) continue;
    const std::string value = fhir::getString(*identifier, "value");
    if (!value.empty()) codes.insert(value);
  }
  return codes;
}

std::set<std::string> conceptTokens(const rapidjson::Value* concept) {
  std::set<std::string> tokens;
  if (!concept || !concept->IsObject()) return tokens;
  for (const rapidjson::Value* coding : elements(*concept, "coding")) {
    const std::string code = fhir::getString(*coding, "code");
    if (!code.empty()) tokens.insert(fhir::getString(*coding, "system") + "|" + code);
  }
  if (tokens.empty()) {
    std::string text = fhir::getString(*concept, "text");
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!text.empty()) tokens.insert("text:" + text);
  }
  return tokens;
}

std::string codeIn(const rapidjson::Value* concept, const char* system) {
  if (!concept || !concept->IsObject()) return "";
  for (const rapidjson::Value* coding : elements(*concept, "coding")) {
    if (fhir::getString(*coding, "system") == system) return fhir::getString(*coding, "code");
  }
  return "";
}

bool hasContent(const rapidjson::Value* concept) {
  if (!concept || !concept->IsObject()) return false;
  if (!fhir::getString(*concept, "text").empty()) return true;
  for (const rapidjson::Value* coding : elements(*concept, "coding")) {
    if (!fhir::getString(*coding, "code").empty() || !fhir::getString(*coding, "display").empty())
      return true;
  }
  return false;
}

std::vector<const rapidjson::Value*> elements(const rapidjson::Value& object, const char* name) {
  std::vector<const rapidjson::Value*> out;
  if (!object.IsObject()) return out;
  const rapidjson::Value* member = fhir::findMember(object, name);
  if (!member) return out;
  if (member->IsArray()) {
    for (const auto& one : member->GetArray()) {
      if (one.IsObject()) out.push_back(&one);
    }
  } else if (member->IsObject()) {
    out.push_back(member);
  }
  return out;
}

std::vector<const rapidjson::Value*> extensionsWithUrl(const rapidjson::Value& object,
                                                       const char* url) {
  std::vector<const rapidjson::Value*> out;
  for (const rapidjson::Value* extension : elements(object, "extension")) {
    if (fhir::getString(*extension, "url") == url) out.push_back(extension);
  }
  return out;
}

std::optional<double> numberValue(const rapidjson::Value* value) {
  if (!value) return std::nullopt;
  if (value->IsInt64()) return static_cast<double>(value->GetInt64());
  if (value->IsNumber()) return value->GetDouble();
  const std::string text = fhir::numberText(*value);
  if (text.empty()) return std::nullopt;
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

rapidjson::Value makeReference(const std::string& reference,
                               rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value ref(rapidjson::kObjectType);
  ref.AddMember("reference", fhir::makeString(reference, alloc), alloc);
  return ref;
}

}  // namespace sp::workflow
