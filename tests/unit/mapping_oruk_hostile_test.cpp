// No feed content crashes the mapping: every member of the full UK example (at any depth) and of
// a v1 item replaced in turn by a value of each JSON type, and pages of the wrong shape. The
// result is a mapped service or a refusal with issues, never an exception.
#include <gtest/gtest.h>
#include <rapidjson/pointer.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "fhir/json.h"
#include "mapping/oruk_feed.h"
#include "mapping/oruk_page.h"
#include "mapping/oruk_publish.h"
#include "mapping/oruk_service.h"

namespace sp::mapping {
namespace {

using rapidjson::Document;
using rapidjson::Value;

Document readJson(const std::string& relative) {
  std::ifstream in(std::string(SP_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  Document doc;
  fhir::parseJson(text.str(), doc);
  return doc;
}

// Calls `visit` with every value inside `v` (objects' members and arrays' items, at any depth).
void everyValue(Value& v, const std::function<void(Value&)>& visit) {
  if (v.IsObject()) {
    for (auto& m : v.GetObject()) {
      visit(m.value);
      everyValue(m.value, visit);
    }
  } else if (v.IsArray()) {
    for (auto& item : v.GetArray()) {
      visit(item);
      everyValue(item, visit);
    }
  }
}

// `pointer` names the service inside the file ("" for the whole file).
int mutateAndMap(const std::string& file, const char* pointer, OrukVersion version) {
  OrukFeed feed =
      parseOrukFeed("northvale-council", readJson("mappings/feeds/northvale-council.json"));
  feed.version = version;
  const Document whole = readJson(file);
  Document original;
  original.CopyFrom(*rapidjson::Pointer(pointer).Get(whole), original.GetAllocator());
  // How many values there are, then each replaced by each kind in turn.
  Document probe;
  probe.CopyFrom(original, probe.GetAllocator());
  int count = 0;
  everyValue(probe, [&count](Value&) { ++count; });
  const char* const kinds[] = {"null",  "true", "-1",     "1e308", "\"\"",
                               "\"x\"", "[]",   "[null]", "{}"};
  int mapped = 0;
  for (int target = 0; target < count; ++target) {
    for (const char* kind : kinds) {
      Document doc;
      doc.CopyFrom(original, doc.GetAllocator());
      Document replacement;
      fhir::parseJson(kind, replacement);
      int i = 0;
      everyValue(doc, [&](Value& v) {
        if (i++ == target) v.CopyFrom(replacement, doc.GetAllocator());
      });
      MappedService m;
      EXPECT_NO_THROW(m = mapOrukService(doc, feed, {}, "s")) << target << " " << kind;
      if (m.refused()) continue;
      ++mapped;
      // and what was mapped publishes again without a crash
      Document out;
      PublishedEntry entry{&m.service, m.organization ? &*m.organization : nullptr, {}};
      for (const auto& l : m.locations) entry.locations.push_back(&l);
      EXPECT_NO_THROW(orukService(entry, true, out.GetAllocator())) << target << " " << kind;
    }
  }
  return mapped;
}

TEST(OrukHostile, EveryMemberOfTheFullExampleOfEveryType) {
  EXPECT_GT(
      mutateAndMap("tests/data/oruk/uk-profile/examples/service_full.json", "", OrukVersion::kV3),
      0);
}

TEST(OrukHostile, EveryMemberOfAV1PageOfEveryType) {
  EXPECT_GT(mutateAndMap("tests/data/oruk/northvale-v1/services-page-1.json", "/content/0",
                         OrukVersion::kV1),
            0);
}

TEST(OrukHostile, PagesOfTheWrongShape) {
  for (const char* text :
       {"null", "1", "\"x\"", "[]", "{}", R"({"contents":{}})", R"({"contents":null})",
        R"({"content":[1,2]})", R"({"contents":[],"total_pages":"2","last_page":"no"})",
        R"({"contents":[{}],"total_pages":-5})"}) {
    Document doc;
    fhir::parseJson(text, doc);
    EXPECT_NO_THROW(readOrukPage(doc, 1)) << text;
  }
}

}  // namespace
}  // namespace sp::mapping
