#include "services/code_mapping.h"

#include "fhir/errors.h"
#include "fhir/json.h"
#include "mapping/mapping_set.h"
#include "mapping/normaliser.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;

void CodeMappingRule::beforeWrite(rapidjson::Document& resource,
                                  rest::WriteContext& context) const {
  const mapping::Sender sender{context.caller.odsCode, ""};
  // The version being replaced, as this caller read it (with its own words added): what the
  // caller merely kept from it is not a change of its own (normaliser.h).
  rapidjson::Document asRead;
  const bool updating = context.previous && !context.previous->deleted &&
                        !context.caller.odsCode.empty() && hasInboundRules(sender, context.type);
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

void PartnerReadView::present(const security::Caller& caller,
                              store::ResourceVersion& version) const {
  if (caller.odsCode.empty() || version.deleted) return;
  const mapping::Sender reader{caller.odsCode, ""};
  bool relevant = false;  // parse the body only for a reader with its own words for this type
  for (const mapping::Partner* partner : set_.partners().partnersFor(reader)) {
    for (const auto& rule : partner->ownVocabulary) {
      relevant = relevant || rule.element.resourceType == version.type;
    }
  }
  if (!relevant) return;
  rapidjson::Document doc;
  fhir::parseJson(version.body, doc);
  if (mapping::presentTo(set_, doc, reader) > 0) version.body = fhir::writeJson(doc);
}

}  // namespace sp::services
