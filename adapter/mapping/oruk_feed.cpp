#include "mapping/oruk_feed.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fhir/errors.h"
#include "fhir/json.h"

namespace sp::mapping {

namespace {

bool isHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

}  // namespace

const char* orukVersionName(OrukVersion version) {
  return version == OrukVersion::kV3 ? "3.0" : "1.0";
}

OrukFeed parseOrukFeed(const std::string& id, const rapidjson::Value& json) {
  std::vector<std::string> problems;
  OrukFeed feed;
  feed.id = id;
  if (!json.IsObject()) throw FeedConfigError("feed " + id + ": not a JSON object");
  feed.description = fhir::getString(json, "description");
  feed.baseUrl = fhir::getString(json, "baseUrl");
  while (!feed.baseUrl.empty() && feed.baseUrl.back() == '/') feed.baseUrl.pop_back();
  if (!isHttpUrl(feed.baseUrl)) problems.push_back("baseUrl: an http(s) URL is needed");
  const std::string version = fhir::getString(json, "version");
  if (version == "3.0") {
    feed.version = OrukVersion::kV3;
  } else if (version == "1.0") {
    feed.version = OrukVersion::kV1;
  } else {
    problems.push_back("version: \"3.0\" or \"1.0\" is needed");
  }
  feed.partner = fhir::getString(json, "partner");
  if (feed.partner.empty()) problems.push_back("partner: the ODS code of the feed's owner");
  feed.identifierBase = fhir::getString(json, "identifierBase");
  while (!feed.identifierBase.empty() && feed.identifierBase.back() == '/') {
    feed.identifierBase.pop_back();
  }
  if (feed.identifierBase.find(':') == std::string::npos) {
    problems.push_back("identifierBase: an absolute URI is needed");
  }
  if (const auto* size = fhir::findMember(json, "pageSize")) {
    if (!size->IsInt() || size->GetInt() < 1 || size->GetInt() > 1000) {
      problems.push_back("pageSize: a whole number from 1 to 1000");
    } else {
      feed.pageSize = size->GetInt();
    }
  }
  if (const auto* nested = fhir::findMember(json, "nested")) {
    if (!nested->IsBool()) {
      problems.push_back("nested: true or false");
    } else {
      feed.nested = nested->GetBool();
    }
  }
  if (const auto* maps = fhir::findMember(json, "conceptMaps"); maps && maps->IsObject()) {
    feed.categoryMap = fhir::getString(*maps, "category");
    feed.cohortMap = fhir::getString(*maps, "cohort");
    feed.accessMap = fhir::getString(*maps, "access");
  }
  if (!problems.empty()) {
    std::string text = "feed " + id + " is wrong:";
    for (const auto& p : problems) text += "\n  - " + p;
    throw FeedConfigError(text);
  }
  return feed;
}

std::vector<OrukFeed> loadOrukFeeds(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<OrukFeed> feeds;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return feeds;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document doc;
    try {
      fhir::parseJson(text.str(), doc);
    } catch (const fhir::FhirError& e) {
      throw FeedConfigError("feed file " + entry.path().string() + " is not JSON: " + e.what());
    }
    feeds.push_back(parseOrukFeed(entry.path().stem().string(), doc));
  }
  std::sort(feeds.begin(), feeds.end(),
            [](const OrukFeed& a, const OrukFeed& b) { return a.id < b.id; });
  return feeds;
}

}  // namespace sp::mapping
