#include "messaging/message_answer.h"

#include <algorithm>
#include <cstdint>

#include "fhir/json.h"
#include "messaging/vocabulary.h"

namespace sp::messaging {

namespace {

using Allocator = rapidjson::Document::AllocatorType;

rapidjson::Value referenceTo(const std::string& target, Allocator& a) {
  rapidjson::Value ref(rapidjson::kObjectType);
  ref.AddMember("reference", fhir::makeString(target, a), a);
  return ref;
}

void rewriteReferences(rapidjson::Value& value, const std::map<std::string, std::string>& ids,
                       Allocator& a) {
  if (value.IsObject()) {
    for (auto& m : value.GetObject()) {
      if (std::string(m.name.GetString()) == "reference" && m.value.IsString()) {
        auto it = ids.find(m.value.GetString());
        if (it != ids.end()) m.value = fhir::makeString(it->second, a);
      } else {
        rewriteReferences(m.value, ids, a);
      }
    }
  } else if (value.IsArray()) {
    for (auto& e : value.GetArray()) rewriteReferences(e, ids, a);
  }
}

rapidjson::Value parsed(const std::string& json, Allocator& a) {
  rapidjson::Document doc;
  fhir::parseJson(json, doc);
  rapidjson::Value copy;
  copy.CopyFrom(doc, a);
  return copy;
}

rapidjson::Value entryOf(const std::string& resourceJson, const std::string& baseUrl,
                         Allocator& a) {
  rapidjson::Value resource = parsed(resourceJson, a);
  rapidjson::Value entry(rapidjson::kObjectType);
  entry.AddMember("fullUrl",
                  fhir::makeString(baseUrl + "/" + fhir::getString(resource, "resourceType") + "/" +
                                       fhir::getString(resource, "id"),
                                   a),
                  a);
  entry.AddMember("resource", resource, a);
  return entry;
}

}  // namespace

std::string referenceCode(const std::string& id) {
  // FNV-1a over the id, as 8 characters of an alphabet without look-alikes (no 0/O, 1/I).
  static const char kAlphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : id) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  std::string code = "SP-";
  for (int i = 0; i < 8; ++i) {
    if (i == 4) code += '-';
    code += kAlphabet[hash % 32];
    hash /= 32;
  }
  return code;
}

std::string plannedEncounterJson(const std::string& reference, const std::string& patient,
                                 const std::string& serviceRequest,
                                 const std::vector<std::string>& journeys) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("resourceType", "Encounter", a);
  rapidjson::Value identifier(rapidjson::kObjectType);
  identifier.AddMember("system", rapidjson::StringRef(kReferralReference), a);
  identifier.AddMember("value", fhir::makeString(reference, a), a);
  rapidjson::Value identifiers(rapidjson::kArrayType);
  identifiers.PushBack(identifier, a);
  doc.AddMember("identifier", identifiers, a);
  doc.AddMember("status", "planned", a);
  rapidjson::Value cls(rapidjson::kObjectType);
  cls.AddMember("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode", a);
  cls.AddMember("code", "AMB", a);
  cls.AddMember("display", "ambulatory", a);
  doc.AddMember("class", cls, a);
  if (!patient.empty()) doc.AddMember("subject", referenceTo(patient, a), a);
  if (!journeys.empty()) {
    rapidjson::Value episodes(rapidjson::kArrayType);
    for (const auto& j : journeys) episodes.PushBack(referenceTo(j, a), a);
    doc.AddMember("episodeOfCare", episodes, a);
  }
  rapidjson::Value basedOn(rapidjson::kArrayType);
  basedOn.PushBack(referenceTo(serviceRequest, a), a);
  doc.AddMember("basedOn", basedOn, a);
  return fhir::writeJson(doc);
}

std::vector<std::string> journeyReferences(const rapidjson::Value& bundle) {
  std::vector<std::string> out;
  const rapidjson::Value* entries = fhir::findMember(bundle, "entry");
  if (!entries || !entries->IsArray()) return out;
  for (const auto& entry : entries->GetArray()) {
    const rapidjson::Value* r = fhir::findMember(entry, "resource");
    if (!r || fhir::getString(*r, "resourceType") != "Encounter") continue;
    const rapidjson::Value* episodes = fhir::findMember(*r, "episodeOfCare");
    if (!episodes || !episodes->IsArray()) continue;
    for (const auto& e : episodes->GetArray()) {
      const std::string ref = fhir::getString(e, "reference");
      if (!ref.empty() && std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(ref);
    }
  }
  return out;
}

std::string barsAcknowledgementJson(const rapidjson::Value& requestBundle,
                                    const std::map<std::size_t, std::string>& stored,
                                    const std::map<std::string, std::string>& assigned,
                                    const std::vector<std::string>& extras,
                                    const std::string& baseUrl) {
  rapidjson::Document doc;
  doc.CopyFrom(requestBundle, doc.GetAllocator());
  auto& a = doc.GetAllocator();
  rapidjson::Value& entries = doc["entry"];
  for (rapidjson::SizeType i = 0; i < entries.Size(); ++i) {
    auto it = stored.find(i);
    if (it != stored.end()) {
      entries[i] = entryOf(it->second, baseUrl, a);
    } else if (rapidjson::Value* resource = &entries[i]["resource"]; resource->IsObject()) {
      rewriteReferences(*resource, assigned, a);
    }
  }
  for (const std::string& extra : extras) entries.PushBack(entryOf(extra, baseUrl, a), a);
  return fhir::writeJson(doc);
}

std::string fhirResponseMessageJson(const IncomingMessage& request, const ResponseMessage& r) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("resourceType", "Bundle", a);
  doc.AddMember("id", fhir::makeString(r.bundleId, a), a);
  doc.AddMember("type", "message", a);
  doc.AddMember("timestamp", fhir::makeString(r.timestamp, a), a);
  rapidjson::Value header(rapidjson::kObjectType);
  header.AddMember("resourceType", "MessageHeader", a);
  header.AddMember("id", fhir::makeString(r.headerId, a), a);
  rapidjson::Value event(rapidjson::kObjectType);
  event.AddMember("system", fhir::makeString(request.event.system, a), a);
  event.AddMember("code", fhir::makeString(request.event.code, a), a);
  header.AddMember("eventCoding", event, a);
  if (!request.sourceEndpoint.empty()) {
    rapidjson::Value destination(rapidjson::kObjectType);
    destination.AddMember("endpoint", fhir::makeString(request.sourceEndpoint, a), a);
    rapidjson::Value destinations(rapidjson::kArrayType);
    destinations.PushBack(destination, a);
    header.AddMember("destination", destinations, a);
  }
  rapidjson::Value source(rapidjson::kObjectType);
  source.AddMember("endpoint", fhir::makeString(r.baseUrl, a), a);
  header.AddMember("source", source, a);
  rapidjson::Value response(rapidjson::kObjectType);
  const std::string& requestId =
      request.messageHeaderId.empty() ? request.bundleId : request.messageHeaderId;
  response.AddMember("identifier", fhir::makeString(requestId, a), a);
  response.AddMember("code", "ok", a);
  header.AddMember("response", response, a);
  if (!r.focusReference.empty()) {
    rapidjson::Value focus(rapidjson::kArrayType);
    focus.PushBack(referenceTo(r.focusReference, a), a);
    header.AddMember("focus", focus, a);
  }
  rapidjson::Value entries(rapidjson::kArrayType);
  rapidjson::Value headerEntry(rapidjson::kObjectType);
  headerEntry.AddMember("fullUrl", fhir::makeString("urn:uuid:" + r.headerId, a), a);
  headerEntry.AddMember("resource", header, a);
  entries.PushBack(headerEntry, a);
  if (!r.focusJson.empty()) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("fullUrl", fhir::makeString(r.baseUrl + "/" + r.focusReference, a), a);
    entry.AddMember("resource", parsed(r.focusJson, a), a);
    entries.PushBack(entry, a);
  }
  doc.AddMember("entry", entries, a);
  return fhir::writeJson(doc);
}

}  // namespace sp::messaging
