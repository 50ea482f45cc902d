#include "delivery/endpoints.h"

#include "fhir/json.h"

namespace sp::delivery {

std::string messagingAddressOf(const rapidjson::Value& endpoint) {
  if (!endpoint.IsObject()) return "";
  const std::string status = fhir::getString(endpoint, "status");
  if (!status.empty() && status != "active") return "";
  const rapidjson::Value* type = fhir::findMember(endpoint, "connectionType");
  if (!type || !type->IsObject() || fhir::getString(*type, "code") != kFhirMessaging) return "";
  const std::string system = fhir::getString(*type, "system");
  if (!system.empty() && system != kConnectionTypeSystem) return "";
  return fhir::getString(endpoint, "address");
}

bool acceptsEvent(const rapidjson::Value& endpoint, const char* eventSystem,
                  const char* eventCode) {
  if (!endpoint.IsObject()) return false;
  const rapidjson::Value* types = fhir::findMember(endpoint, "payloadType");
  if (!types || !types->IsArray()) return false;
  for (const auto& type : types->GetArray()) {
    const rapidjson::Value* codings = type.IsObject() ? fhir::findMember(type, "coding") : nullptr;
    if (!codings || !codings->IsArray()) continue;
    for (const auto& coding : codings->GetArray()) {
      if (coding.IsObject() && fhir::getString(coding, "system") == eventSystem &&
          fhir::getString(coding, "code") == eventCode) {
        return true;
      }
    }
  }
  return false;
}

ReplyAddress parseReplyAddress(const std::string& text) {
  ReplyAddress out;
  if (text.rfind("https://", 0) == 0 || text.rfind("http://", 0) == 0) {
    const std::size_t bar = text.find('|');
    if (bar == std::string::npos) {
      out.url = text;
      return out;
    }
    out.system = text.substr(0, bar);  // a service id whose system is a URL
    out.value = text.substr(bar + 1);
    return out;
  }
  const std::size_t bar = text.find('|');
  if (bar != std::string::npos && bar + 1 < text.size()) {
    out.system = text.substr(0, bar);
    out.value = text.substr(bar + 1);
  }
  return out;
}

}  // namespace sp::delivery
