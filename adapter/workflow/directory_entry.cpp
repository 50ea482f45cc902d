#include "workflow/directory_entry.h"

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
