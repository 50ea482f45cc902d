#include "workflow/capacity.h"

#include <algorithm>

#include "fhir/json.h"
#include "workflow/references.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {
namespace {

const rapidjson::Value* subExtension(const rapidjson::Value& capacity, const char* url) {
  for (const rapidjson::Value* sub : elements(capacity, "extension")) {
    if (fhir::getString(*sub, "url") == url) return sub;
  }
  return nullptr;
}

rapidjson::Value* capacityExtension(rapidjson::Value& service) {
  if (!service.IsObject()) return nullptr;
  auto extensions = service.FindMember("extension");
  if (extensions == service.MemberEnd() || !extensions->value.IsArray()) return nullptr;
  for (auto& extension : extensions->value.GetArray()) {
    if (extension.IsObject() && fhir::getString(extension, "url") == kCapacityExtension) {
      return &extension;
    }
  }
  return nullptr;
}

void setSub(rapidjson::Value& capacity, const char* url, const char* valueName,
            rapidjson::Value value, rapidjson::Document::AllocatorType& a) {
  if (!fhir::findMember(capacity, "extension") || !capacity["extension"].IsArray()) {
    fhir::setMember(capacity, "extension", rapidjson::Value(rapidjson::kArrayType), a);
  }
  for (auto& sub : capacity["extension"].GetArray()) {
    if (sub.IsObject() && fhir::getString(sub, "url") == url) {
      // Drop any other value[x] so the sub-extension keeps exactly one.
      for (auto it = sub.MemberBegin(); it != sub.MemberEnd();) {
        const std::string name(it->name.GetString(), it->name.GetStringLength());
        if (name.rfind("value", 0) == 0 && name != valueName) {
          it = sub.EraseMember(it);
        } else {
          ++it;
        }
      }
      fhir::setMember(sub, valueName, std::move(value), a);
      return;
    }
  }
  rapidjson::Value sub(rapidjson::kObjectType);
  sub.AddMember("url", fhir::makeString(url, a), a);
  sub.AddMember(rapidjson::Value(valueName, a), std::move(value), a);
  capacity["extension"].PushBack(sub, a);
}

}  // namespace

std::optional<Capacity> readCapacity(const rapidjson::Value& service) {
  const auto found = extensionsWithUrl(service, kCapacityExtension);
  if (found.empty()) return std::nullopt;
  Capacity c;
  if (const auto* total = subExtension(*found.front(), "total")) {
    c.total = static_cast<std::int64_t>(
        numberValue(fhir::findMember(*total, "valueUnsignedInt")).value_or(0));
  }
  if (const auto* free = subExtension(*found.front(), "free")) {
    c.free = static_cast<std::int64_t>(
        numberValue(fhir::findMember(*free, "valueUnsignedInt")).value_or(0));
  }
  if (const auto* status = subExtension(*found.front(), "status")) {
    c.status = fhir::getString(*status, "valueCode");
  }
  return c;
}

void writeCapacity(rapidjson::Value& service, const Capacity& capacity,
                   rapidjson::Document::AllocatorType& a) {
  rapidjson::Value* extension = capacityExtension(service);
  if (!extension) {
    if (!fhir::findMember(service, "extension") || !service["extension"].IsArray()) {
      fhir::setMember(service, "extension", rapidjson::Value(rapidjson::kArrayType), a);
    }
    rapidjson::Value fresh(rapidjson::kObjectType);
    fresh.AddMember("url", fhir::makeString(kCapacityExtension, a), a);
    service["extension"].PushBack(fresh, a);
    extension = &service["extension"][service["extension"].Size() - 1];
  }
  setSub(*extension, "total", "valueUnsignedInt", rapidjson::Value(capacity.total), a);
  setSub(*extension, "free", "valueUnsignedInt", rapidjson::Value(capacity.free), a);
  if (!capacity.status.empty()) {
    setSub(*extension, "status", "valueCode", fhir::makeString(capacity.status, a), a);
  }
}

bool hasRoom(const Capacity& c) {
  return c.free > 0 && c.status != "no-capacity" && c.status != "waitlist";
}

std::string describeCapacity(const Capacity& c) {
  return std::to_string(c.free) + " of " + std::to_string(c.total) + " places free" +
         (c.status.empty() ? std::string() : ", status " + c.status);
}

Capacity takePlace(Capacity c) {
  if (c.free > 0) --c.free;
  if (c.free == 0 && c.status == "capacity") c.status = "no-capacity";
  return c;
}

Capacity giveBackPlace(Capacity c) {
  const bool wasFull = c.free == 0;
  if (c.free < c.total) ++c.free;
  if (wasFull && c.free > 0 && c.status == "no-capacity") c.status = "capacity";
  return c;
}

PlaceEffect placeEffect(std::optional<TaskStatus> before, TaskStatus after) {
  const bool held = before && holdsPlace(*before);
  if (!held && holdsPlace(after)) return PlaceEffect::kTake;
  if (held && !holdsPlace(after)) return PlaceEffect::kGiveBack;
  return PlaceEffect::kNone;
}

Capacity reconcileCapacity(const Capacity& stored, const Capacity& incoming, bool explicitFree,
                           bool& changed) {
  Capacity out = incoming;
  if (!explicitFree) out.free = stored.free + (incoming.total - stored.total);
  out.free = std::clamp<std::int64_t>(out.free, 0, std::max<std::int64_t>(incoming.total, 0));
  changed = out.free != incoming.free;
  return out;
}

}  // namespace sp::workflow
