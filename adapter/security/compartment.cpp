#include "security/compartment.h"

#include <set>

#include "fhir/json.h"
#include "security/access_policy.h"
#include "workflow/references.h"

namespace sp::security {
namespace {

constexpr const char* kConfidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

void addParties(std::set<Party>& out, const std::set<std::string>& codes, const char* basis) {
  for (const auto& code : codes) out.insert({code, basis});
}

void collectReferences(const rapidjson::Value& value, std::set<RecordKey>& out) {
  if (value.IsObject()) {
    for (const auto& m : value.GetObject()) {
      if (m.value.IsString() && std::string(m.name.GetString()) == "reference") {
        const workflow::LocalReference ref = workflow::parseReference(m.value.GetString());
        if (!ref.empty() && !ref.id.empty() && categoryOf(ref.type) == Category::kRecord &&
            ref.type != "AuditEvent") {
          out.insert({ref.type, ref.id});
        }
      } else {
        collectReferences(m.value, out);
      }
    }
  } else if (value.IsArray()) {
    for (const auto& v : value.GetArray()) collectReferences(v, out);
  }
}

}  // namespace

bool inPool(const std::string& type, const rapidjson::Value& resource) {
  return type == "Task" && !fhir::findMember(resource, "owner");
}

std::vector<Party> partiesOf(const std::string& type, const rapidjson::Value& resource,
                             workflow::OrganisationResolver& resolver) {
  std::set<Party> parties;
  if (type == "ServiceRequest") {
    addParties(parties, resolver.organisationsOf(fhir::findMember(resource, "requester")),
               kRequester);
    for (const rapidjson::Value* performer : workflow::elements(resource, "performer")) {
      addParties(parties, resolver.organisationsOf(performer), kPerformer);
    }
  } else if (type == "Communication") {
    addParties(parties, resolver.organisationsOf(fhir::findMember(resource, "sender")), kRequester);
    for (const rapidjson::Value* recipient : workflow::elements(resource, "recipient")) {
      addParties(parties, resolver.organisationsOf(recipient), kOwner);
    }
  } else if (type == "Task") {
    addParties(parties, resolver.organisationsOf(fhir::findMember(resource, "requester")),
               kRequester);
    const std::string creator = workflow::creatorOf(resource);
    if (!creator.empty()) parties.insert({creator, kRequester});
    addParties(parties, resolver.organisationsOf(fhir::findMember(resource, "owner")), kOwner);
  }
  return {parties.begin(), parties.end()};
}

std::vector<RecordKey> referencedRecords(const rapidjson::Value& resource) {
  std::set<RecordKey> keys;
  collectReferences(resource, keys);
  return {keys.begin(), keys.end()};
}

bool isRestricted(const rapidjson::Value& resource) {
  const rapidjson::Value* meta = fhir::findMember(resource, "meta");
  if (!meta) return false;
  for (const rapidjson::Value* label : workflow::elements(*meta, "security")) {
    if (fhir::getString(*label, "system") == kConfidentiality &&
        fhir::getString(*label, "code") == "R") {
      return true;
    }
  }
  return false;
}

}  // namespace sp::security
