#include "rest/negotiation.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "fhir/errors.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

constexpr const char* kFhirJson = "application/fhir+json; charset=utf-8";

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(
        trim(s.substr(start, end == std::string::npos ? std::string::npos : end - start)));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

// A media range with its parameters: "application/fhir+json; version=1.0.0; q=0.9".
struct MediaRange {
  std::string type;
  std::string fhirVersion;
  double quality = 1.0;
};

MediaRange parseMediaRange(const std::string& text) {
  const auto parts = split(text, ';');
  MediaRange r;
  r.type = lower(parts[0]);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::size_t eq = parts[i].find('=');
    if (eq == std::string::npos) continue;
    const std::string name = lower(trim(parts[i].substr(0, eq)));
    const std::string value = trim(parts[i].substr(eq + 1));
    if (name == "version" || name == "fhirversion") r.fhirVersion = value;
    if (name == "q") r.quality = std::atof(value.c_str());
  }
  return r;
}

bool isJsonType(const std::string& type) {
  return type == "application/fhir+json" || type == "application/json" || type == "json" ||
         type == "text/json";
}

bool acceptsJson(const MediaRange& r) {
  return r.quality > 0 && (isJsonType(r.type) || r.type == "*/*" || r.type == "application/*");
}

bool majorVersionSupported(const std::string& version) {
  return version.empty() || version == "1" || version.rfind("1.", 0) == 0 ||
         version.rfind("4.0", 0) == 0;
}

}  // namespace

std::string negotiateResponseType(const RestRequest& request) {
  for (const auto& [name, value] : request.query) {
    if (name != "_format") continue;
    const MediaRange r = parseMediaRange(value);
    if (!isJsonType(r.type)) {
      throw FhirError(ErrorKind::kNotAcceptable, "not-supported",
                      "This server answers in JSON only; _format '" + value + "' is not served");
    }
    return r.type == "application/json" ? "application/json; charset=utf-8" : kFhirJson;
  }
  const std::string accept = request.header("accept");
  if (accept.empty()) return kFhirJson;
  bool sawVersionMismatch = false;
  for (const std::string& part : split(accept, ',')) {
    const MediaRange r = parseMediaRange(part);
    if (!acceptsJson(r)) continue;
    if (!majorVersionSupported(r.fhirVersion)) {
      sawVersionMismatch = true;
      continue;
    }
    return r.type == "application/json" ? "application/json; charset=utf-8" : kFhirJson;
  }
  throw FhirError(
      ErrorKind::kNotAcceptable, "not-supported",
      sawVersionMismatch
          ? "The requested API version is not served; version 1 is"
          : "This server answers in application/fhir+json only; Accept was '" + accept + "'");
}

void requireBodyType(const RestRequest& request, bool isPatch) {
  const std::string header = request.header("content-type");
  const std::string type = parseMediaRange(header).type;
  if (isPatch) {
    if (type == "application/json-patch+json") return;
    throw FhirError(ErrorKind::kUnsupportedMediaType, "not-supported",
                    "PATCH needs Content-Type application/json-patch+json");
  }
  if (type == "application/fhir+json" || type == "application/json") return;
  throw FhirError(
      ErrorKind::kUnsupportedMediaType, "not-supported",
      header.empty() ? "The request needs Content-Type application/fhir+json"
                     : "Content-Type '" + header + "' is not supported; use application/fhir+json");
}

ReturnPreference returnPreference(const RestRequest& request) {
  for (const std::string& part : split(request.header("prefer"), ',')) {
    const std::string p = lower(part);
    if (p == "return=minimal") return ReturnPreference::kMinimal;
    if (p == "return=operationoutcome") return ReturnPreference::kOperationOutcome;
    if (p == "return=representation") return ReturnPreference::kRepresentation;
  }
  return ReturnPreference::kRepresentation;
}

}  // namespace sp::rest
