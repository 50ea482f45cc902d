#include "services/publish_resources.h"

#include <stdexcept>

#include "fhir/errors.h"
#include "fhir/json.h"

namespace sp::services {

using fhir::FhirError;

namespace {

rest::RestRequest mappingRequest(const std::string& method, const std::string& path) {
  rest::RestRequest r;
  r.method = method;
  r.path = path;
  r.headers["accept"] = "application/fhir+json";
  return r;
}

// The resource without the members the server sets, for comparing stored and file content.
rapidjson::Document comparable(const std::string& json) {
  rapidjson::Document doc;
  fhir::parseJson(json, doc);
  if (doc.IsObject()) fhir::removeMember(doc, "meta");
  return doc;
}

std::string headerOf(const rest::RestResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

std::string diagnosticsOf(const rest::RestResponse& response) {
  rapidjson::Document doc;
  try {
    fhir::parseJson(response.body, doc);
  } catch (const FhirError&) {
    return response.body;
  }
  std::string text;
  if (const auto* issues = doc.IsObject() ? fhir::findMember(doc, "issue") : nullptr;
      issues && issues->IsArray()) {
    for (const auto& issue : issues->GetArray()) {
      std::string where;
      if (const auto* e = fhir::findMember(issue, "expression"); e && e->IsArray() && !e->Empty()) {
        where = std::string((*e)[0].GetString()) + ": ";
      }
      text += "\n  - " + where + fhir::getString(issue, "diagnostics");
    }
  }
  return text.empty() ? response.body : text;
}

}  // namespace

PublishCounts publishMappingResources(rest::FhirApi& api, const mapping::MappingSet& set) {
  return publishResources(api, set.resources());
}

PublishCounts publishResources(rest::FhirApi& api,
                               const std::vector<mapping::MappingSet::Resource>& resources) {
  PublishCounts counts;
  for (const auto& resource : resources) {
    const std::string path = "/" + resource.type + "/" + resource.id;
    const rapidjson::Document wanted = comparable(resource.json);
    bool done = false;
    for (int attempt = 0; attempt < 5 && !done; ++attempt) {
      const rest::RestResponse current = api.handle(mappingRequest("GET", path));
      rest::RestRequest put = mappingRequest("PUT", path);
      put.headers["content-type"] = "application/fhir+json";
      put.headers["prefer"] = "return=minimal";
      put.body = resource.json;
      if (current.status == 200) {
        if (comparable(current.body) == wanted) {
          ++counts.unchanged;
          done = true;
          break;
        }
        put.headers["if-match"] = headerOf(current, "ETag");
      } else if (current.status != 404 && current.status != 410) {
        throw std::runtime_error("cannot read " + path + " to store mapping file " + resource.file +
                                 ": HTTP " + std::to_string(current.status) +
                                 diagnosticsOf(current));
      }
      const rest::RestResponse written = api.handle(put);
      if (written.status == 412) continue;  // another process wrote it meanwhile: look again
      if (written.status != 200 && written.status != 201) {
        throw std::runtime_error("mapping file " + resource.file + " was refused as " + path +
                                 ": HTTP " + std::to_string(written.status) +
                                 diagnosticsOf(written));
      }
      ++(written.status == 201 ? counts.created : counts.updated);
      done = true;
    }
    if (!done) {
      throw std::runtime_error("mapping file " + resource.file + ": " + path +
                               " kept changing while it was being stored");
    }
  }
  return counts;
}

}  // namespace sp::services
