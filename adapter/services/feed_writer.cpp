#include "services/feed_writer.h"

#include <cstdint>
#include <cstdio>
#include <memory>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/resource_write.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

// FNV-1a, 64 bits: a fingerprint to notice change, not a defence against anyone.
std::string fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

// The fingerprint the resource's meta.tag records ("" when none).
std::string recordedFingerprint(const rapidjson::Value& resource) {
  const auto* meta = fhir::findMember(resource, "meta");
  const auto* tags = meta ? fhir::findMember(*meta, "tag") : nullptr;
  if (!tags || !tags->IsArray()) return "";
  for (const auto& tag : tags->GetArray()) {
    if (fhir::getString(tag, "system") == kFeedFingerprintTagSystem) {
      return fhir::getString(tag, "code");
    }
  }
  return "";
}

// Replaces the fingerprint tag (keeping meta.source and other tags).
void setFingerprint(rapidjson::Document& resource, const std::string& fingerprint) {
  auto& a = resource.GetAllocator();
  rapidjson::Value& meta = fhir::memberOfType(resource, "meta", rapidjson::kObjectType, a);
  rapidjson::Value& tags = fhir::memberOfType(meta, "tag", rapidjson::kArrayType, a);
  for (auto it = tags.Begin(); it != tags.End();) {
    it = fhir::getString(*it, "system") == kFeedFingerprintTagSystem ? tags.Erase(it) : it + 1;
  }
  rapidjson::Value tag(rapidjson::kObjectType);
  fhir::setMember(tag, "system", fhir::makeString(kFeedFingerprintTagSystem, a), a);
  fhir::setMember(tag, "code", fhir::makeString(fingerprint, a), a);
  tags.PushBack(tag, a);
}

rest::InteractionInput inputFor(const FeedActor& actor, rapidjson::Document& resource) {
  rest::InteractionInput in;
  in.caller = actor.caller;
  in.correlationId = actor.correlationId;
  in.body = std::make_shared<rapidjson::Document>();
  in.body->CopyFrom(resource, in.body->GetAllocator());
  return in;
}

FeedWriteResult update(const rest::ApiContext& ctx, store::StoreTransaction& tx,
                       const std::string& type, const std::string& id,
                       rapidjson::Document& resource, const FeedActor& actor) {
  auto& a = resource.GetAllocator();
  fhir::setMember(resource, "id", fhir::makeString(id, a), a);
  rest::InteractionInput in = inputFor(actor, resource);
  rest::performInteraction(ctx, tx, rest::Route{rest::Interaction::kUpdate, type, id, ""}, in);
  return {FeedWrite::kUpdated, id};
}

// kKeptLocal when the stored resource was changed since the feed wrote it.
bool changedHere(const rapidjson::Value& stored) {
  const std::string recorded = recordedFingerprint(stored);
  return recorded.empty() || recorded != feedFingerprint(stored);
}

void fillReference(rapidjson::Value& reference, const std::string& target,
                   rapidjson::Document::AllocatorType& a) {
  fhir::setMember(reference, "reference", fhir::makeString(target, a), a);
}

}  // namespace

const char* feedWriteName(FeedWrite outcome) {
  switch (outcome) {
    case FeedWrite::kCreated:
      return "created";
    case FeedWrite::kUpdated:
      return "updated";
    case FeedWrite::kUnchanged:
      return "unchanged";
    case FeedWrite::kKeptLocal:
      return "kept as changed here";
  }
  return "";
}

std::string feedFingerprint(const rapidjson::Value& resource) {
  if (!resource.IsObject()) return fnv1a(fhir::writeJson(resource));
  // Members in their order, meta and id left out (RapidJSON's RemoveMember would reorder).
  rapidjson::Document copy(rapidjson::kObjectType);
  auto& a = copy.GetAllocator();
  for (const auto& m : resource.GetObject()) {
    const std::string name(m.name.GetString(), m.name.GetStringLength());
    if (name == "meta" || name == "id") continue;
    copy.AddMember(rapidjson::Value(m.name, a), rapidjson::Value(m.value, a), a);
  }
  return fnv1a(fhir::writeJson(copy));
}

FeedWriteResult writeFromFeed(const rest::ApiContext& ctx, store::StoreTransaction& tx,
                              const std::string& type, const std::string& system,
                              const std::string& value, rapidjson::Document& resource,
                              const FeedActor& actor) {
  const rest::QueryParams criteria = {{"identifier", system + "|" + value}};
  tx.lockKey(rest::conditionalLockKey(type, criteria));
  const std::string fingerprint = feedFingerprint(resource);
  setFingerprint(resource, fingerprint);
  const auto ids = rest::matchCriteria(tx, type, criteria);
  if (ids.size() > 1) {
    throw FhirError(ErrorKind::kConflict, "duplicate",
                    std::to_string(ids.size()) + " " + type + " resources have the identifier " +
                        system + "|" + value);
  }
  if (ids.empty()) {
    rest::InteractionInput in = inputFor(actor, resource);
    const auto result = rest::performInteraction(
        ctx, tx, rest::Route{rest::Interaction::kCreate, type, "", ""}, in);
    return {FeedWrite::kCreated, result.version ? result.version->id : ""};
  }
  const std::string& id = ids.front();
  const auto current = tx.current(type, id, false);
  rapidjson::Document stored;
  fhir::parseJson(current->body, stored);
  if (recordedFingerprint(stored) == fingerprint) return {FeedWrite::kUnchanged, id};
  if (changedHere(stored)) return {FeedWrite::kKeptLocal, id};
  return update(ctx, tx, type, id, resource, actor);
}

FeedWriteResult writeMappedService(const rest::ApiContext& ctx, store::StoreTransaction& tx,
                                   const mapping::OrukFeed& feed, mapping::MappedService& mapped,
                                   const FeedActor& actor) {
  auto& service = mapped.service;
  auto& a = service.GetAllocator();
  if (mapped.organization) {
    const std::string value = fhir::getString((*mapped.organization)["identifier"][0], "value");
    const auto org = writeFromFeed(ctx, tx, "Organization", feed.organizationSystem(), value,
                                   *mapped.organization, actor);
    if (fhir::findMember(service, "providedBy")) {
      fillReference(service["providedBy"], "Organization/" + org.id, a);
    }
  } else if (const auto* by = fhir::findMember(service, "providedBy")) {
    // Only the organisation's id: refer to it when the feed has given it before.
    const auto* identifier = fhir::findMember(*by, "identifier");
    const std::string value = identifier ? fhir::getString(*identifier, "value") : "";
    const auto ids = value.empty() ? std::vector<std::string>{}
                                   : rest::matchCriteria(
                                         tx, "Organization",
                                         {{"identifier", feed.organizationSystem() + "|" + value}});
    if (ids.size() == 1) fillReference(service["providedBy"], "Organization/" + ids.front(), a);
  }
  auto* locations = fhir::findMember(service, "location");
  for (std::size_t i = 0; i < mapped.locations.size(); ++i) {
    auto& location = mapped.locations[i];
    const std::string value = fhir::getString(location["identifier"][0], "value");
    const auto written =
        writeFromFeed(ctx, tx, "Location", feed.locationSystem(), value, location, actor);
    if (locations && i < locations->Size()) {
      fillReference(service["location"][static_cast<rapidjson::SizeType>(i)],
                    "Location/" + written.id, a);
    }
  }
  return writeFromFeed(ctx, tx, "HealthcareService", feed.serviceSystem(), mapped.orukId, service,
                       actor);
}

FeedWriteResult deactivateFromFeed(const rest::ApiContext& ctx, store::StoreTransaction& tx,
                                   const std::string& id, const FeedActor& actor) {
  const auto current = tx.current("HealthcareService", id, false);
  if (!current || current->deleted) return {FeedWrite::kUnchanged, id};
  rapidjson::Document stored;
  fhir::parseJson(current->body, stored);
  const auto* active = fhir::findMember(stored, "active");
  if (active && active->IsBool() && !active->GetBool()) return {FeedWrite::kUnchanged, id};
  if (changedHere(stored)) return {FeedWrite::kKeptLocal, id};
  fhir::setMember(stored, "active", rapidjson::Value(false), stored.GetAllocator());
  setFingerprint(stored, feedFingerprint(stored));
  return update(ctx, tx, "HealthcareService", id, stored, actor);
}

}  // namespace sp::services
