#include "messaging/update_conflict.h"

#include "fhir/json.h"

namespace sp::messaging {

namespace {

std::optional<std::int64_t> wholeNumber(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(text);
}

}  // namespace

SenderCopy senderCopyOf(const rapidjson::Value& serviceRequest, const std::string& heldId) {
  SenderCopy copy;
  copy.hasHeldId = !heldId.empty() && fhir::getString(serviceRequest, "id") == heldId;
  const rapidjson::Value* meta = fhir::findMember(serviceRequest, "meta");
  if (!meta || !meta->IsObject()) return copy;
  copy.versionId = wholeNumber(fhir::getString(*meta, "versionId"));
  const std::string lastUpdated = fhir::getString(*meta, "lastUpdated");
  if (!lastUpdated.empty()) copy.lastUpdated = fhir::parseInstant(lastUpdated);
  return copy;
}

std::optional<std::string> staleUpdate(const SenderCopy& copy, const HeldReferral& held) {
  const std::string now = " (held: version " + std::to_string(held.versionId) + ", updated " +
                          fhir::formatInstant(held.lastUpdated) +
                          "); read it again and send the update anew";
  if (copy.hasHeldId && copy.versionId) {
    if (*copy.versionId == held.versionId) return std::nullopt;
    return "The update is based on version " + std::to_string(*copy.versionId) +
           " of the referral, which has changed here since" + now;
  }
  if (!copy.lastUpdated) return std::nullopt;
  const bool changedByOthers = held.versionId != held.versionWrittenBySender;
  if (changedByOthers && held.lastUpdated > *copy.lastUpdated) {
    return "The referral was changed here after the sender's copy was last updated (" +
           fhir::formatInstant(*copy.lastUpdated) + ")" + now;
  }
  return std::nullopt;
}

}  // namespace sp::messaging
