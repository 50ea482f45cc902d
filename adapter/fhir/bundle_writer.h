// Writes Bundle JSON from entries whose resources are already JSON text (no re-parsing).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sp::fhir {

struct BundleEntry {
  std::string fullUrl;
  std::string resourceJson;   // raw JSON text; empty for none
  std::string searchMode;     // match | include | outcome; empty for none
  std::string requestMethod;  // for history and batch/transaction requests
  std::string requestUrl;
  std::string responseStatus;  // "201 Created"
  std::string responseLocation;
  std::string responseEtag;
  std::string responseLastModified;
  std::string responseOutcomeJson;  // raw OperationOutcome JSON; empty for none
};

struct BundleLink {
  std::string relation;
  std::string url;
};

std::string writeBundle(const std::string& type, const std::string& id,
                        const std::string& timestamp, std::optional<long long> total,
                        const std::vector<BundleLink>& links,
                        const std::vector<BundleEntry>& entries);

}  // namespace sp::fhir
