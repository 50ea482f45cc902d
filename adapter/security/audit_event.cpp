#include "security/audit_event.h"

#include <rapidjson/document.h>

#include <cstring>

#include "fhir/base64.h"
#include "fhir/json.h"
#include "fhir/project_urls.h"

namespace sp::security {
namespace {

using rapidjson::Value;

constexpr const char* kOds = fhir::kOdsOrganisationSystem;

Value coding(const char* system, const std::string& code, rapidjson::Document::AllocatorType& a) {
  Value c(rapidjson::kObjectType);
  c.AddMember("system", Value(system, a), a);
  c.AddMember("code", fhir::makeString(code, a), a);
  return c;
}

Value detail(const char* type, const std::string& value, rapidjson::Document::AllocatorType& a) {
  Value d(rapidjson::kObjectType);
  d.AddMember("type", Value(type, a), a);
  d.AddMember("valueString", fhir::makeString(value, a), a);
  return d;
}

// FHIR AuditEvent.outcome: 0 success, 4 minor failure (the caller's fault), 8 serious failure.
const char* outcomeCode(int status) {
  if (status < 400) return "0";
  return status < 500 ? "4" : "8";
}

}  // namespace

std::string auditAction(const std::string& interaction) {
  if (interaction == "create") return "C";
  if (interaction == "update" || interaction == "patch") return "U";
  if (interaction == "delete") return "D";
  if (!interaction.empty() && interaction[0] == '$') return "E";
  if (interaction == "batch" || interaction == "transaction" || interaction == "message") {
    return "E";
  }
  return "R";
}

std::optional<std::string> auditAgentCode(const std::string& tokenValue) {
  const std::size_t bar = tokenValue.find('|');
  if (bar == std::string::npos) return tokenValue;
  if (tokenValue.compare(0, bar, kOds) != 0 || bar != std::strlen(kOds)) return std::nullopt;
  return tokenValue.substr(bar + 1);
}

std::string auditEventJson(const store::AuditRecord& r) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  const std::string recorded = fhir::formatInstant(r.recorded);
  doc.AddMember("resourceType", "AuditEvent", a);
  doc.AddMember("id", fhir::makeString(r.id, a), a);
  Value meta(rapidjson::kObjectType);
  meta.AddMember("versionId", "1", a);
  meta.AddMember("lastUpdated", fhir::makeString(recorded, a), a);
  doc.AddMember("meta", meta, a);
  doc.AddMember("type", coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", a),
                a);
  const bool restful = r.interaction.empty() || r.interaction[0] != '$';
  Value subtype(rapidjson::kArrayType);
  subtype.PushBack(restful ? coding("http://hl7.org/fhir/restful-interaction", r.interaction, a)
                           : coding("urn:ietf:rfc:3986", r.interaction, a),
                   a);
  doc.AddMember("subtype", subtype, a);
  doc.AddMember("action", fhir::makeString(r.action, a), a);
  doc.AddMember("recorded", fhir::makeString(recorded, a), a);
  doc.AddMember("outcome", Value(outcomeCode(r.outcome), a), a);
  doc.AddMember("outcomeDesc", fhir::makeString("HTTP " + std::to_string(r.outcome), a), a);

  Value agent(rapidjson::kObjectType);
  Value who(rapidjson::kObjectType);
  Value identifier(rapidjson::kObjectType);
  identifier.AddMember("system", Value(kOds, a), a);
  identifier.AddMember("value", fhir::makeString(r.organisation, a), a);
  who.AddMember("identifier", identifier, a);
  agent.AddMember("who", who, a);
  if (!r.subject.empty()) agent.AddMember("altId", fhir::makeString(r.subject, a), a);
  agent.AddMember("requestor", true, a);
  Value agents(rapidjson::kArrayType);
  agents.PushBack(agent, a);
  doc.AddMember("agent", agents, a);

  Value observer(rapidjson::kObjectType);
  observer.AddMember("display", "social prescribing adapter", a);
  Value source(rapidjson::kObjectType);
  source.AddMember("observer", observer, a);
  doc.AddMember("source", source, a);

  Value entity(rapidjson::kObjectType);
  if (!r.entityType.empty()) {
    std::string reference = r.entityType;
    if (!r.entityId.empty()) reference += "/" + r.entityId;
    if (r.entityVersion > 0) reference += "/_history/" + std::to_string(r.entityVersion);
    Value what(rapidjson::kObjectType);
    what.AddMember("reference", fhir::makeString(reference, a), a);
    entity.AddMember("what", what, a);
  }
  if (!r.query.empty()) {
    entity.AddMember("query", fhir::makeString(fhir::base64Encode(r.query), a), a);
  }
  Value details(rapidjson::kArrayType);
  if (!r.requestId.empty()) details.PushBack(detail("X-Request-Id", r.requestId, a), a);
  if (!r.correlationId.empty()) {
    details.PushBack(detail("X-Correlation-Id", r.correlationId, a), a);
  }
  if (!details.Empty()) entity.AddMember("detail", details, a);
  if (entity.MemberCount() > 0) {
    Value entities(rapidjson::kArrayType);
    entities.PushBack(entity, a);
    doc.AddMember("entity", entities, a);
  }
  return fhir::writeJson(doc);
}

}  // namespace sp::security
