#include "rest/capability.h"

#include <rapidjson/document.h>

#include <set>
#include <string>

#include "fhir/json.h"

namespace sp::rest {
namespace {

using rapidjson::Value;

// Interactions every resource type supports here; kept beside the route table they describe.
constexpr const char* kTypeInteractions[] = {
    "read", "vread", "update", "patch", "delete", "create", "history-instance", "history-type"};
constexpr const char* kSystemInteractions[] = {"transaction", "batch", "history-system"};

Value codes(const char* const* list, std::size_t n, rapidjson::Document::AllocatorType& a) {
  Value out(rapidjson::kArrayType);
  for (std::size_t i = 0; i < n; ++i) {
    Value entry(rapidjson::kObjectType);
    entry.AddMember("code", rapidjson::StringRef(list[i]), a);
    out.PushBack(entry, a);
  }
  return out;
}

// The messages $process-message receives: one supportedMessage per MessageDefinition of the
// project (fhir-profiles/sp/).
void addMessaging(rapidjson::Document& doc, const fhir::Definitions& defs,
                  rapidjson::Document::AllocatorType& a) {
  Value supported(rapidjson::kArrayType);
  for (const std::string& json : defs.projectResources()) {
    rapidjson::Document resource;
    fhir::parseJson(json, resource);
    if (fhir::getString(resource, "resourceType") != "MessageDefinition") continue;
    Value message(rapidjson::kObjectType);
    message.AddMember("mode", "receiver", a);
    message.AddMember("definition", fhir::makeString(fhir::getString(resource, "url"), a), a);
    supported.PushBack(message, a);
  }
  if (supported.Empty()) return;
  Value messaging(rapidjson::kObjectType);
  messaging.AddMember("supportedMessage", supported, a);
  Value list(rapidjson::kArrayType);
  list.PushBack(messaging, a);
  doc.AddMember("messaging", list, a);
}

// searchParam, searchInclude and searchRevInclude of one type, from the loaded parameters.
void addSearchCapabilities(Value& r, const std::string& type, const search::IndexExtractor& indexer,
                           const fhir::Definitions& defs, rapidjson::Document::AllocatorType& a) {
  Value params(rapidjson::kArrayType);
  Value includes(rapidjson::kArrayType);
  std::set<std::string> names;  // cpb-12: each name once (Resource's own apply to every type)
  for (const fhir::SearchParameterDefinition* p : indexer.parameters(type)) {
    if (!names.insert(p->code).second) continue;
    Value param(rapidjson::kObjectType);
    param.AddMember("name", fhir::makeString(p->code, a), a);
    if (!p->url.empty()) param.AddMember("definition", fhir::makeString(p->url, a), a);
    param.AddMember("type", fhir::makeString(p->type, a), a);
    params.PushBack(param, a);
    if (p->type == "reference") includes.PushBack(fhir::makeString(type + ":" + p->code, a), a);
  }
  if (type == "HealthcareService") {  // through its locations and coverage areas
    Value near(rapidjson::kObjectType);
    near.AddMember("name", "near", a);
    near.AddMember("type", "special", a);
    params.PushBack(near, a);
  }
  for (const char* common : {"_lastUpdated"}) {
    if (!names.insert(common).second) continue;
    Value param(rapidjson::kObjectType);
    param.AddMember("name", rapidjson::StringRef(common), a);
    param.AddMember("type", "date", a);
    params.PushBack(param, a);
  }
  Value revincludes(rapidjson::kArrayType);
  for (const std::string& other : defs.resourceTypes()) {
    for (const fhir::SearchParameterDefinition* p : indexer.parameters(other)) {
      if (p->type != "reference") continue;
      bool targetsType = false;
      for (const auto& t : p->targets) targetsType = targetsType || t == type;
      if (targetsType) revincludes.PushBack(fhir::makeString(other + ":" + p->code, a), a);
    }
  }
  // An array in FHIR JSON has at least one item (ele-1): an empty list is left out.
  if (!includes.Empty()) r.AddMember("searchInclude", includes, a);
  if (!revincludes.Empty()) r.AddMember("searchRevInclude", revincludes, a);
  r.AddMember("searchParam", params, a);
}

// The registered operations of `type` ("" for the system) that name an OperationDefinition.
void addOperations(Value& list, const std::string& type, const Operations* operations,
                   rapidjson::Document::AllocatorType& a) {
  if (!operations) return;
  for (const OperationEntry& entry : operations->entries()) {
    if (entry.type != type || entry.definition.empty() || entry.name.rfind('$', 0) != 0) continue;
    Value op(rapidjson::kObjectType);
    op.AddMember("name", fhir::makeString(entry.name.substr(1), a), a);
    op.AddMember("definition", fhir::makeString(entry.definition, a), a);
    list.PushBack(op, a);
  }
}

}  // namespace

std::string capabilityStatementJson(const fhir::Definitions& defs, const ServerInfo& info,
                                    fhir::TimePoint date, const search::IndexExtractor* indexer,
                                    const Operations* registered) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("resourceType", "CapabilityStatement", a);
  doc.AddMember("status", "active", a);
  doc.AddMember("date", fhir::makeString(fhir::formatInstant(date), a), a);
  doc.AddMember("kind", "instance", a);
  Value software(rapidjson::kObjectType);
  software.AddMember("name", fhir::makeString(info.softwareName, a), a);
  software.AddMember("version", fhir::makeString(info.softwareVersion, a), a);
  doc.AddMember("software", software, a);
  // cpb-14: a statement of kind `instance` describes one installation, so it always has one.
  Value impl(rapidjson::kObjectType);
  impl.AddMember("description", "Social prescribing FHIR server and messaging hub", a);
  if (!info.baseUrl.empty()) impl.AddMember("url", fhir::makeString(info.baseUrl, a), a);
  doc.AddMember("implementation", impl, a);
  doc.AddMember("fhirVersion", fhir::makeString(defs.fhirVersion(), a), a);
  Value formats(rapidjson::kArrayType);
  formats.PushBack("application/fhir+json", a).PushBack("json", a);
  doc.AddMember("format", formats, a);
  Value patchFormats(rapidjson::kArrayType);
  patchFormats.PushBack("application/json-patch+json", a);
  doc.AddMember("patchFormat", patchFormats, a);

  Value resources(rapidjson::kArrayType);
  for (const std::string& type : defs.resourceTypes()) {
    Value r(rapidjson::kObjectType);
    r.AddMember("type", fhir::makeString(type, a), a);
    Value interactions = codes(kTypeInteractions, std::size(kTypeInteractions), a);
    if (indexer) {
      Value search(rapidjson::kObjectType);
      search.AddMember("code", "search-type", a);
      interactions.PushBack(search, a);
    }
    r.AddMember("interaction", interactions, a);
    if (indexer) addSearchCapabilities(r, type, *indexer, defs, a);
    r.AddMember("versioning", "versioned-update", a);
    r.AddMember("readHistory", true, a);
    r.AddMember("updateCreate", true, a);
    r.AddMember("conditionalCreate", true, a);
    r.AddMember("conditionalRead", "not-supported", a);
    r.AddMember("conditionalUpdate", true, a);
    r.AddMember("conditionalDelete", "not-supported", a);
    Value supported(rapidjson::kArrayType);
    for (const fhir::StructureDefinition* profile : defs.profiles()) {
      if (profile->type == type) supported.PushBack(fhir::makeString(profile->url, a), a);
    }
    if (!supported.Empty()) r.AddMember("supportedProfile", supported, a);
    Value operations(rapidjson::kArrayType);
    Value validate(rapidjson::kObjectType);
    validate.AddMember("name", "validate", a);
    validate.AddMember("definition", "http://hl7.org/fhir/OperationDefinition/Resource-validate",
                       a);
    operations.PushBack(validate, a);
    addOperations(operations, type, registered, a);
    r.AddMember("operation", operations, a);
    if (type == "Subscription") {
      r.AddMember("documentation",
                  "Channel rest-hook only; criteria are a search on Task or ServiceRequest "
                  "(e.g. Task?owner=Organization/x). A requested Subscription the server can "
                  "serve becomes active. payload absent: empty POST; application/fhir+json: an "
                  "id-only history Bundle (Parameters status entry, then the changed resource's "
                  "fullUrl and request). Delivered from the outbox with retries.",
                  a);
    } else if (type == "AuditEvent") {
      r.AddMember("documentation",
                  "The audit trail: one AuditEvent per interaction, made by the server. Read and "
                  "search (agent, entity-type, entity-id, _count) by the directory administrator "
                  "only; create, update, patch and delete answer 405.",
                  a);
    } else if (type == "Communication") {
      r.AddMember("documentation",
                  "A message the server could not deliver to a partner is reported as a "
                  "Communication with status not-done, basedOn the resource it was about and "
                  "sender the organisation whose change caused it "
                  "(Communication?based-on=Task/x&status=not-done).",
                  a);
    }
    resources.PushBack(r, a);
  }
  Value rest(rapidjson::kObjectType);
  rest.AddMember("mode", "server", a);
  Value security(rapidjson::kObjectType);
  security.AddMember("cors", false, a);
  Value service(rapidjson::kObjectType);
  Value coding(rapidjson::kArrayType);
  Value certificates(rapidjson::kObjectType);
  certificates.AddMember("system", "http://terminology.hl7.org/CodeSystem/restful-security-service",
                         a);
  certificates.AddMember("code", "Certificates", a);
  coding.PushBack(certificates, a);
  service.AddMember("coding", coding, a);
  Value services(rapidjson::kArrayType);
  services.PushBack(service, a);
  security.AddMember("service", services, a);
  security.AddMember("description",
                     "Mutual TLS (1.2 or newer): the client certificate's CN is the calling "
                     "organisation's ODS code, registered with a role. Each organisation reads its "
                     "own referrals and Tasks and what they reference, and the directory; every "
                     "access is audited (AuditEvent, for the directory administrator).",
                     a);
  rest.AddMember("security", security, a);
  rest.AddMember("resource", resources, a);
  Value systemInteractions = codes(kSystemInteractions, std::size(kSystemInteractions), a);
  if (indexer) {
    Value search(rapidjson::kObjectType);
    search.AddMember("code", "search-system", a);
    systemInteractions.PushBack(search, a);
  }
  rest.AddMember("interaction", systemInteractions, a);
  Value systemOperations(rapidjson::kArrayType);
  addOperations(systemOperations, "", registered, a);
  // An array in FHIR JSON has at least one item (ele-1).
  if (!systemOperations.Empty()) rest.AddMember("operation", systemOperations, a);
  Value restList(rapidjson::kArrayType);
  restList.PushBack(rest, a);
  doc.AddMember("rest", restList, a);
  addMessaging(doc, defs, a);
  return fhir::writeJson(doc);
}

}  // namespace sp::rest
