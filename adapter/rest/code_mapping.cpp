#include "rest/code_mapping.h"

#include <stdexcept>

#include "fhir/errors.h"
#include "fhir/ids.h"
#include "fhir/json.h"
#include "mapping/mapping_set.h"
#include "mapping/normaliser.h"
#include "rest/fhir_api.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

void CodeMappingRule::beforeWrite(rapidjson::Document& resource, WriteContext& context) const {
  const mapping::Sender sender{context.callerOrganisation, ""};
  // The version being replaced, as this caller read it (with its own words added): what the
  // caller merely kept from it is not a change of its own (normaliser.h).
  rapidjson::Document asRead;
  const bool updating = context.previous && !context.previous->deleted &&
                        !context.callerOrganisation.empty() &&
                        hasInboundRules(sender, context.type);
  if (updating) {
    fhir::parseJson(context.previous->body, asRead,
                    fhir::JsonLimits{context.api.limits.maxJsonDepth});
    mapping::presentTo(set_, asRead, sender);
  }
  mapping::Normalisation result =
      mapping::normaliseInbound(set_, resource, sender, nullptr, updating ? &asRead : nullptr);
  for (auto& note : result.notes) context.warnings.push_back(std::move(note));
  if (!result.refusals.empty()) throw FhirError(ErrorKind::kUnprocessable, result.refusals);
}

bool CodeMappingRule::hasInboundRules(const mapping::Sender& sender,
                                      const std::string& type) const {
  for (const mapping::Partner* partner : set_.partners().partnersFor(sender)) {
    for (const auto& rule : partner->inbound) {
      if (rule.element.resourceType == type) return true;
    }
  }
  return false;
}

void presentToCaller(const ApiContext& ctx, const std::string& callerOrganisation,
                     store::ResourceVersion& version) {
  if (!ctx.mappings || callerOrganisation.empty() || version.deleted) return;
  const mapping::Sender reader{callerOrganisation, ""};
  bool relevant = false;  // parse the body only for a reader with its own words for this type
  for (const mapping::Partner* partner : ctx.mappings->partners().partnersFor(reader)) {
    for (const auto& rule : partner->ownVocabulary) {
      relevant = relevant || rule.element.resourceType == version.type;
    }
  }
  if (!relevant) return;
  rapidjson::Document doc;
  fhir::parseJson(version.body, doc, fhir::JsonLimits{ctx.limits.maxJsonDepth});
  if (mapping::presentTo(*ctx.mappings, doc, reader) > 0) version.body = fhir::writeJson(doc);
}

namespace {

RestRequest mappingRequest(const std::string& method, const std::string& path) {
  RestRequest r;
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

std::string headerOf(const RestResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

std::string diagnosticsOf(const RestResponse& response) {
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

PublishCounts publishMappingResources(FhirApi& api, const mapping::MappingSet& set) {
  return publishResources(api, set.resources());
}

PublishCounts publishResources(FhirApi& api,
                               const std::vector<mapping::MappingSet::Resource>& resources) {
  PublishCounts counts;
  for (const auto& resource : resources) {
    const std::string path = "/" + resource.type + "/" + resource.id;
    const rapidjson::Document wanted = comparable(resource.json);
    bool done = false;
    for (int attempt = 0; attempt < 5 && !done; ++attempt) {
      const RestResponse current = api.handle(mappingRequest("GET", path));
      RestRequest put = mappingRequest("PUT", path);
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
      const RestResponse written = api.handle(put);
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

}  // namespace sp::rest
