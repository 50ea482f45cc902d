#include "fhir/bundle_writer.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sp::fhir {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void member(Writer& w, const char* name, const std::string& value) {
  if (value.empty()) return;
  w.Key(name);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void rawMember(Writer& w, const char* name, const std::string& json) {
  if (json.empty()) return;
  w.Key(name);
  w.RawValue(json.c_str(), json.size(), rapidjson::kObjectType);
}

}  // namespace

std::string writeBundle(const std::string& type, const std::string& id,
                        const std::string& timestamp, std::optional<long long> total,
                        const std::vector<BundleLink>& links,
                        const std::vector<BundleEntry>& entries) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  member(w, "resourceType", "Bundle");
  member(w, "id", id);
  if (!timestamp.empty()) {
    w.Key("meta");
    w.StartObject();
    member(w, "lastUpdated", timestamp);
    w.EndObject();
  }
  member(w, "type", type);
  member(w, "timestamp", timestamp);
  if (total) {
    w.Key("total");
    w.Int64(*total);
  }
  if (!links.empty()) {
    w.Key("link");
    w.StartArray();
    for (const auto& link : links) {
      w.StartObject();
      member(w, "relation", link.relation);
      member(w, "url", link.url);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!entries.empty()) {
    w.Key("entry");
    w.StartArray();
    for (const auto& e : entries) {
      w.StartObject();
      member(w, "fullUrl", e.fullUrl);
      rawMember(w, "resource", e.resourceJson);
      if (!e.searchMode.empty()) {
        w.Key("search");
        w.StartObject();
        member(w, "mode", e.searchMode);
        w.EndObject();
      }
      if (!e.requestMethod.empty()) {
        w.Key("request");
        w.StartObject();
        member(w, "method", e.requestMethod);
        member(w, "url", e.requestUrl);
        w.EndObject();
      }
      if (!e.responseStatus.empty()) {
        w.Key("response");
        w.StartObject();
        member(w, "status", e.responseStatus);
        member(w, "location", e.responseLocation);
        member(w, "etag", e.responseEtag);
        member(w, "lastModified", e.responseLastModified);
        rawMember(w, "outcome", e.responseOutcomeJson);
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sp::fhir
