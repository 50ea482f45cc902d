// An Open Referral UK directory feed as data (mappings/feeds/<id>.json): where it is, which ORUK
// version it serves, the partner it belongs to, the identifier systems its ids are kept under
// and the ConceptMaps that turn its taxonomy terms into the hub's categories, cohorts and access
// types (docs/directory-feeds.md). Pure; a parsed feed is immutable and safe to share.
#pragma once

#include <rapidjson/document.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace sp::mapping {

enum class OrukVersion { kV3, kV1 };  // ORUK 3.0 (UK profile of HSDS 3.0), ORUK v1

struct OrukFeed {
  std::string id;           // the file's name without .json
  std::string description;  // what the feed is, for people
  std::string baseUrl;      // the API stub, no trailing slash: pages are <baseUrl>/services?...
  OrukVersion version = OrukVersion::kV3;
  std::string partner;  // the ODS code of the organisation the feed belongs to
  int pageSize = 100;   // per_page asked for
  // ORUK 3.0: each service is read again from <baseUrl>/services/{id}, fully nested (its
  // locations, schedules and taxonomy terms); the list item alone has none. "nested": false in
  // the file for a feed that serves whole services in its pages.
  bool nested = true;
  // The identifier systems of what the feed holds; `identifierBase` + "/service", and so on.
  std::string identifierBase;
  // ConceptMaps (canonical URLs; empty: none) from taxonomy terms to HealthcareService.category
  // (HL7 service-category), to the cohorts-served extension and to the access-type extension.
  std::string categoryMap;
  std::string cohortMap;
  std::string accessMap;

  std::string serviceSystem() const { return identifierBase + "/service"; }
  std::string organizationSystem() const { return identifierBase + "/organization"; }
  std::string locationSystem() const { return identifierBase + "/location"; }
};

class FeedConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads one feed file. Throws FeedConfigError naming every problem: no baseUrl (http or https),
// version other than "3.0" or "1.0", no partner, no identifierBase, a page size outside 1..1000.
OrukFeed parseOrukFeed(const std::string& id, const rapidjson::Value& json);

// Every feed of `dir` (<id>.json, sorted by id); none when the folder does not exist. Throws
// FeedConfigError naming the file for a file that is not JSON or not a feed.
std::vector<OrukFeed> loadOrukFeeds(const std::string& dir);

// "3.0" or "1.0".
const char* orukVersionName(OrukVersion version);

}  // namespace sp::mapping
