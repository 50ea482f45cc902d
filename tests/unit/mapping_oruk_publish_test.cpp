// Publishing the directory as Open Referral UK 3.0 (mapping/oruk_publish.h): what the import
// made of the upstream examples comes back as the same ORUK data, and imported again gives the
// same resources (the round trip); the page envelope, the filters and the generated ids.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "fhir/json.h"
#include "mapping/concept_map.h"
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

OrukFeed feed() {
  return parseOrukFeed("northvale-council", readJson("mappings/feeds/northvale-council.json"));
}

const ConceptMap& categoryMap() {
  static const ConceptMap map =
      parseConceptMap(readJson("mappings/ConceptMap-oruk-taxonomy-category.json"));
  return map;
}

// What the hub stores of an ORUK service: the mapped resources with ids, references resolved
// and a lastUpdated, as the sync leaves them.
struct Stored {
  MappedService mapped;
  void store(const std::string& lastUpdated) {
    auto& hs = mapped.service;
    auto& a = hs.GetAllocator();
    fhir::setMember(hs, "id", fhir::makeString("5e0f6c8a-0000-4000-8000-000000000001", a), a);
    fhir::setMember(hs["meta"], "lastUpdated", fhir::makeString(lastUpdated, a), a);
    if (mapped.organization) {
      auto& org = *mapped.organization;
      fhir::setMember(
          org, "id",
          fhir::makeString(fhir::getString(org["identifier"][0], "value"), org.GetAllocator()),
          org.GetAllocator());
    }
    for (auto& l : mapped.locations) {
      fhir::setMember(
          l, "id", fhir::makeString(fhir::getString(l["identifier"][0], "value"), l.GetAllocator()),
          l.GetAllocator());
    }
  }
  PublishedEntry entry() const {
    PublishedEntry e;
    e.service = &mapped.service;
    e.organization = mapped.organization ? &*mapped.organization : nullptr;
    for (const auto& l : mapped.locations) e.locations.push_back(&l);
    return e;
  }
};

// The content both directories must share: everything but where it came from (meta, ids,
// the identifiers and references that name this hub's or the feed's ids).
std::string content(const Value& resource) {
  Document copy;
  copy.CopyFrom(resource, copy.GetAllocator());
  for (const char* m : {"meta", "id", "identifier", "providedBy", "location"}) {
    fhir::removeMember(copy, m);
  }
  return fhir::writeJson(copy);
}

TEST(OrukPublish, TheFullExampleRoundTrips) {
  const Document source = readJson("tests/data/oruk/uk-profile/examples/service_full.json");
  const TaxonomyMaps maps{&categoryMap(), nullptr, nullptr};
  Stored first{mapOrukService(source, feed(), maps, "service")};
  ASSERT_FALSE(first.mapped.refused());
  first.store("2023-03-15T10:30:45.123Z");

  Document published;
  Value service = orukService(first.entry(), true, published.GetAllocator());
  EXPECT_EQ(fhir::getString(service, "id"), "5e0f6c8a-0000-4000-8000-000000000001");
  EXPECT_EQ(fhir::getString(service, "name"), "Community Counselling");
  EXPECT_EQ(fhir::getString(service, "status"), "active");
  EXPECT_EQ(fhir::getString(service, "email"), "email@example.com");
  EXPECT_EQ(fhir::numberText(service["minimum_age"]), "12");
  EXPECT_EQ(fhir::numberText(service["maximum_age"]), "100");
  EXPECT_EQ(fhir::getString(service["organization"], "description"), "Example Organization Inc.");
  EXPECT_EQ(fhir::getString(service["schedules"][0], "byday"), "TH,FR");
  EXPECT_EQ(fhir::getString(service["service_at_locations"][0]["location"]["addresses"][0],
                            "postal_code"),
            "ABC 1234");
  EXPECT_EQ(fhir::getString(service["attributes"][0]["taxonomy_term"], "taxonomy"), "taxonomy");
  EXPECT_EQ(fhir::getString(service["attributes"][0]["taxonomy_term"], "term"), "name");

  Stored second{mapOrukService(service, feed(), maps, "service")};
  ASSERT_FALSE(second.mapped.refused())
      << second.mapped.issues[0].expression << " " << second.mapped.issues[0].diagnostics;
  EXPECT_EQ(content(second.mapped.service), content(first.mapped.service));
  ASSERT_TRUE(second.mapped.organization);
  EXPECT_EQ(content(*second.mapped.organization), content(*first.mapped.organization));
  ASSERT_EQ(second.mapped.locations.size(), 1u);
  EXPECT_EQ(content(second.mapped.locations[0]), content(first.mapped.locations[0]));
}

TEST(OrukPublish, AListItemHasNoChildren) {
  const Document source = readJson("tests/data/oruk/uk-profile/examples/service_full.json");
  Stored stored{mapOrukService(source, feed(), {}, "service")};
  stored.store("2026-12-01T10:00:00Z");
  Document doc;
  const Value item = orukService(stored.entry(), false, doc.GetAllocator());
  EXPECT_EQ(fhir::findMember(item, "schedules"), nullptr);
  EXPECT_EQ(fhir::findMember(item, "service_at_locations"), nullptr);
  EXPECT_EQ(fhir::getString(item, "organization_id"), "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610");
  EXPECT_EQ(fhir::getString(item, "last_modified"), "2026-12-01T10:00:00Z");
}

TEST(OrukPublish, PagesSayWhereTheyAre) {
  Document doc;
  Value contents(rapidjson::kArrayType);
  contents.PushBack(Value(1), doc.GetAllocator());
  const Document page = orukPage(contents, 3, 2, 2);
  EXPECT_EQ(fhir::writeJson(page),
            R"({"total_items":3,"total_pages":2,"page_number":2,"size":1,"first_page":false,)"
            R"("last_page":true,"empty":false,"contents":[1]})");
  // and our own reader follows it to the end
  EXPECT_TRUE(readOrukPage(page, 2).last);
}

TEST(OrukPublish, FiltersOfTheOpenApi) {
  const Document source = readJson("tests/data/oruk/uk-profile/examples/service_full.json");
  Stored stored{mapOrukService(source, feed(), {}, "service")};
  const Value& hs = stored.mapped.service;
  EXPECT_TRUE(matchesFilter(hs, {}));
  OrukFilter f;
  f.search = "counselling";
  EXPECT_TRUE(matchesFilter(hs, f));
  f.search = "gardening";
  EXPECT_FALSE(matchesFilter(hs, f));
  f = {};
  f.day = "TH";
  EXPECT_TRUE(matchesFilter(hs, f));
  f.day = "MO";
  EXPECT_FALSE(matchesFilter(hs, f));
  f = {};
  f.minimumAge = 10;
  EXPECT_TRUE(matchesFilter(hs, f));  // its minimum (12) is at least 10
  f.minimumAge = 16;
  EXPECT_FALSE(matchesFilter(hs, f));
  f = {};
  f.maximumAge = 100;
  EXPECT_TRUE(matchesFilter(hs, f));
  f.maximumAge = 65;
  EXPECT_FALSE(matchesFilter(hs, f));
  f = {};
  f.startTime = "09:00";
  EXPECT_TRUE(matchesFilter(hs, f));
  f.startTime = "11:00";
  EXPECT_FALSE(matchesFilter(hs, f));
  f = {};
  const auto terms = orukTerms(hs);
  ASSERT_EQ(terms.size(), 1u);
  f.taxonomyTermId = terms[0].id;
  EXPECT_TRUE(matchesFilter(hs, f));
  f.taxonomyTermId = orukUuid("something else");
  EXPECT_FALSE(matchesFilter(hs, f));
  f = {};
  f.taxonomyId = terms[0].taxonomyId;
  EXPECT_TRUE(matchesFilter(hs, f));
}

TEST(OrukPublish, AServiceAtALocationHasTheIdTheNestedServiceGivesIt) {
  const Document source = readJson("tests/data/oruk/uk-profile/examples/service_full.json");
  Stored stored{mapOrukService(source, feed(), {}, "service")};
  stored.store("2026-12-01T10:00:00Z");
  Document doc;
  const Value nested = orukService(stored.entry(), true, doc.GetAllocator());
  const Value sal =
      orukServiceAtLocation(stored.entry(), stored.mapped.locations[0], true, doc.GetAllocator());
  EXPECT_EQ(fhir::getString(sal, "id"), fhir::getString(nested["service_at_locations"][0], "id"));
  EXPECT_EQ(fhir::getString(sal, "location_id"), "3a19ff88-4620-4d17-9830-ac1d859eb5d5");
  EXPECT_EQ(fhir::getString(sal["service"], "name"), "Community Counselling");
  EXPECT_EQ(fhir::findMember(sal["service"], "service_at_locations"), nullptr);
  EXPECT_NE(fhir::findMember(sal["service"], "schedules"), nullptr);
  const Value item =
      orukServiceAtLocation(stored.entry(), stored.mapped.locations[0], false, doc.GetAllocator());
  EXPECT_EQ(fhir::findMember(item["service"], "schedules"), nullptr);
}

TEST(OrukPublish, Postcodes) {
  Document location;
  fhir::parseJson(R"({"resourceType":"Location","address":{"postalCode":"nv1 1aa"}})", location);
  for (const char* yes : {"NV1 1AA", "nv11aa", " NV1  1AA ", "NV1", "nv1 1"}) {
    EXPECT_TRUE(hasPostcode(location, yes)) << yes;
  }
  for (const char* no : {"NV12 1AA", "NV1 2", "NV", "", "NV1 1AB"}) {
    EXPECT_FALSE(hasPostcode(location, no)) << no;
  }
  Document none;
  fhir::parseJson(R"({"resourceType":"Location"})", none);
  EXPECT_FALSE(hasPostcode(none, "NV1"));
}

TEST(OrukPublish, GeneratedIdsAreStableUuids) {
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (const char* seed : {"", "a", "https://example.org|x"}) {
    EXPECT_TRUE(std::regex_match(orukUuid(seed), uuid)) << orukUuid(seed);
    EXPECT_EQ(orukUuid(seed), orukUuid(seed));
  }
  EXPECT_NE(orukUuid("a"), orukUuid("b"));
}

}  // namespace
}  // namespace sp::mapping
