#include "messaging/transport_headers.h"

#include <rapidjson/document.h>

#include "fhir/base64.h"
#include "fhir/errors.h"
#include "fhir/ids.h"
#include "fhir/json.h"

namespace sp::messaging {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string uuidHeader(const std::map<std::string, std::string>& headers, const char* name,
                       const char* display) {
  auto it = headers.find(name);
  if (it == headers.end()) return "";
  const std::string value = trim(it->second);
  if (!fhir::isUuid(value)) {
    throw FhirError(ErrorKind::kInvalid, "value", std::string(display) + " must be a UUID");
  }
  return value;
}

}  // namespace

std::optional<ServiceIdentifier> parseServiceIdentifier(const std::string& raw) {
  const std::string text = trim(raw);
  if (text.empty()) return std::nullopt;
  const auto bar = text.find('|');
  if (bar != std::string::npos && bar > 0 && bar + 1 < text.size()) {
    return ServiceIdentifier{text.substr(0, bar), text.substr(bar + 1)};
  }
  const auto decoded = fhir::base64Decode(text);
  if (!decoded) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(decoded->c_str(), decoded->size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  ServiceIdentifier id{fhir::getString(doc, "system"), fhir::getString(doc, "value")};
  if (id.value.empty()) return std::nullopt;
  return id;
}

TransportHeaders readTransportHeaders(const std::map<std::string, std::string>& headers) {
  TransportHeaders out;
  out.requestId = uuidHeader(headers, "x-request-id", "X-Request-Id");
  out.correlationId = uuidHeader(headers, "x-correlation-id", "X-Correlation-Id");
  if (auto it = headers.find("nhsd-target-identifier"); it != headers.end()) {
    out.target = parseServiceIdentifier(it->second);
    if (!out.target) {
      throw FhirError(ErrorKind::kInvalid, "value",
                      "NHSD-Target-Identifier is neither system|value nor base64 JSON");
    }
  }
  rapidjson::Document nhsd(rapidjson::kObjectType);
  for (const auto& [name, value] : headers) {
    if (name.rfind("nhsd-", 0) != 0) continue;
    nhsd.AddMember(fhir::makeString(name, nhsd.GetAllocator()),
                   fhir::makeString(value, nhsd.GetAllocator()), nhsd.GetAllocator());
  }
  out.nhsdHeadersJson = fhir::writeJson(nhsd);
  return out;
}

void requireBarsHeaders(const TransportHeaders& headers) {
  if (headers.requestId.empty()) {
    throw FhirError(ErrorKind::kInvalid, "required", "X-Request-Id is required (a UUID)");
  }
  if (headers.correlationId.empty()) {
    throw FhirError(ErrorKind::kInvalid, "required", "X-Correlation-Id is required (a UUID)");
  }
}

void completeIds(TransportHeaders& headers, const std::string& newRequestId,
                 const std::string& newCorrelationId) {
  if (headers.requestId.empty()) headers.requestId = newRequestId;
  if (headers.correlationId.empty()) headers.correlationId = newCorrelationId;
}

}  // namespace sp::messaging
