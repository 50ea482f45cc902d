#include "workflow/directory_entry.h"

#include "fhir/json.h"
#include "workflow/derived.h"
#include "workflow/references.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {

DirectoryGaps directoryGaps(const rapidjson::Value& service) {
  DirectoryGaps gaps;
  if (!service.IsObject()) return gaps;
  gaps.capacityUnknown = extensionsWithUrl(service, kCapacityExtension).empty();
  gaps.unassured = extensionsWithUrl(service, kGovernanceTierExtension).empty();
  gaps.neverReviewed = extensionsWithUrl(service, kLastReviewedExtension).empty();
  return gaps;
}

std::string describeGaps(const DirectoryGaps& gaps) {
  std::string out;
  const auto add = [&out](bool gap, const char* words) {
    if (!gap) return;
    if (!out.empty()) out += ", ";
    out += words;
  };
  add(gaps.capacityUnknown, "capacity unknown");
  add(gaps.unassured, "not yet assured");
  add(gaps.neverReviewed, "never reviewed");
  return out;
}

std::vector<std::string> keepDirectoryDetails(const rapidjson::Value& stored,
                                              rapidjson::Document& incoming) {
  std::vector<std::string> kept;
  if (!stored.IsObject() || !incoming.IsObject()) return kept;
  auto& a = incoming.GetAllocator();
  const std::pair<const char*, const char*> details[] = {
      {kCapacityExtension, "capacity"},
      {kGovernanceTierExtension, "governance-tier"},
      {kLastReviewedExtension, "last-reviewed"}};
  for (const auto& [url, name] : details) {
    const auto held = extensionsWithUrl(stored, url);
    if (held.empty() || !extensionsWithUrl(incoming, url).empty()) continue;
    rapidjson::Value& extensions =
        fhir::memberOfType(incoming, "extension", rapidjson::kArrayType, a);
    for (const rapidjson::Value* extension : held) {
      rapidjson::Value copy;
      copy.CopyFrom(*extension, a);
      extensions.PushBack(copy, a);
    }
    kept.push_back(name);
  }
  return kept;
}

std::optional<fhir::Issue> markDirectoryGaps(rapidjson::Document& service) {
  if (!service.IsObject()) return std::nullopt;
  const DirectoryGaps gaps = directoryGaps(service);
  if (!gaps.any()) {
    forgetDerived(service, kDirectoryUnassured);
    return std::nullopt;
  }
  return recordDerived(service, kDirectoryUnassured,
                       "the entry is held as " + describeGaps(gaps) +
                           " (tag directory-unassured) until the directory team completes it",
                       "HealthcareService.extension");
}

}  // namespace sp::workflow
