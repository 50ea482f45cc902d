#include "mapping/oruk_page.h"

#include "fhir/json.h"

namespace sp::mapping {

namespace {

// A member that is true, whatever its name in the two versions.
bool flag(const rapidjson::Value& doc, const char* v3, const char* v1) {
  for (const char* name : {v3, v1}) {
    const auto* v = fhir::findMember(doc, name);
    if (v && v->IsBool()) return v->GetBool();
  }
  return false;
}

// A whole number member, -1 when absent.
long long number(const rapidjson::Value& doc, const char* v3, const char* v1) {
  for (const char* name : {v3, v1}) {
    const auto* v = fhir::findMember(doc, name);
    if (v && v->IsInt64()) return v->GetInt64();
  }
  return -1;
}

}  // namespace

std::string orukPageUrl(const OrukFeed& feed, int page) {
  return feed.baseUrl + "/services?page=" + std::to_string(page) +
         "&per_page=" + std::to_string(feed.pageSize);
}

OrukPage readOrukPage(const rapidjson::Value& doc, int page) {
  OrukPage out;
  if (!doc.IsObject()) {
    out.error = "the page is not a JSON object";
    return out;
  }
  for (const char* name : {"contents", "content"}) {
    const auto* items = fhir::findMember(doc, name);
    if (items && items->IsArray()) {
      out.items = items;
      out.itemsName = name;
      break;
    }
  }
  if (!out.items) {
    out.error = "the page has no contents (ORUK 3.0) or content (ORUK v1) array";
    return out;
  }
  const long long totalPages = number(doc, "total_pages", "totalPages");
  out.last = out.items->Empty() || flag(doc, "last_page", "last") ||
             (totalPages >= 0 && page >= totalPages) || flag(doc, "empty", "empty");
  return out;
}

}  // namespace sp::mapping
