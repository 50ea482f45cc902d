// Open Referral UK services as FHIR R4, over the upstream examples and mocks
// (tests/data/oruk/README.md): the full UK example field by field against the mapping table
// (docs/directory-feeds.md), the paged list, the 128 permutations of optional fields, the
// validator's failing mocks, and an ORUK v1 page. Feed files and page reading too.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fhir/json.h"
#include "mapping/concept_map.h"
#include "mapping/oruk_feed.h"
#include "mapping/oruk_page.h"
#include "mapping/oruk_service.h"

namespace sp::mapping {
namespace {

using fhir::findMember;
using fhir::getString;

const std::string kBase = "https://fhir.social-prescribing.example.org";

rapidjson::Document readJson(const std::string& relative) {
  std::ifstream in(std::string(SP_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  fhir::parseJson(text.str(), doc);
  return doc;
}

const std::string kData = "tests/data/oruk/";

OrukFeed feed(OrukVersion version = OrukVersion::kV3) {
  rapidjson::Document config = readJson("mappings/feeds/northvale-council.json");
  OrukFeed f = parseOrukFeed("northvale-council", config);
  f.version = version;
  return f;
}

const ConceptMap& categoryMap() {
  static const ConceptMap map =
      parseConceptMap(readJson("mappings/ConceptMap-oruk-taxonomy-category.json"));
  return map;
}
const ConceptMap& cohortMap() {
  static const ConceptMap map =
      parseConceptMap(readJson("mappings/ConceptMap-oruk-taxonomy-cohort.json"));
  return map;
}
TaxonomyMaps maps() { return {&categoryMap(), &cohortMap(), nullptr}; }

std::string json(const rapidjson::Value& v) { return fhir::writeJson(v); }

std::vector<std::string> errorsOf(const MappedService& m) {
  std::vector<std::string> out;
  for (const auto& i : m.issues) {
    if (i.severity == fhir::Severity::kError) out.push_back(i.expression);
  }
  return out;
}

TEST(OrukFeedConfig, TheProjectsFeedLoads) {
  const OrukFeed f = feed();
  EXPECT_EQ(f.baseUrl, "https://directory.northvale.example.org/api/oruk");
  EXPECT_EQ(f.version, OrukVersion::kV3);
  EXPECT_EQ(f.partner, "ADM0001");
  EXPECT_EQ(f.serviceSystem(), "https://directory.northvale.example.org/api/oruk/id/service");
  EXPECT_EQ(f.categoryMap, kBase + "/ConceptMap/oruk-taxonomy-category");
  EXPECT_EQ(f.pageSize, 100);
}

TEST(OrukFeedConfig, EveryProblemIsNamed) {
  rapidjson::Document bad;
  fhir::parseJson(R"({"baseUrl":"ftp://x","version":"2.0","pageSize":0})", bad);
  try {
    parseOrukFeed("bad", bad);
    FAIL() << "accepted";
  } catch (const FeedConfigError& e) {
    const std::string text = e.what();
    for (const char* field : {"baseUrl", "version", "partner", "identifierBase", "pageSize"}) {
      EXPECT_NE(text.find(field), std::string::npos) << field << " in " << text;
    }
  }
}

TEST(OrukService, TheFullUkExampleFieldByField) {
  const auto doc = readJson(kData + "uk-profile/examples/service_full.json");
  const MappedService m = mapOrukService(doc, feed(), maps(), "service");
  ASSERT_FALSE(m.refused()) << (m.issues.empty() ? "" : m.issues[0].diagnostics);
  const auto& hs = m.service;
  EXPECT_EQ(m.orukId, "ac148810-d857-441c-9679-408f346de14b");
  EXPECT_EQ(getString(hs, "resourceType"), "HealthcareService");
  // id -> identifier under the feed's system; where it came from -> meta.source
  EXPECT_EQ(json(hs["identifier"]),
            R"([{"system":"https://directory.northvale.example.org/api/oruk/id/service",)"
            R"("value":"ac148810-d857-441c-9679-408f346de14b"}])");
  EXPECT_EQ(getString(hs["meta"], "source"),
            "https://directory.northvale.example.org/api/oruk/services/"
            "ac148810-d857-441c-9679-408f346de14b");
  // last_modified -> the source-last-modified extension
  EXPECT_NE(json(hs["extension"])
                .find(R"("url":")" + std::string(kSourceLastModifiedExtension) +
                      R"(","valueInstant":"2023-03-15T10:30:45.123Z")"),
            std::string::npos);
  EXPECT_EQ(getString(hs, "name"), "Community Counselling");
  EXPECT_TRUE(hs["active"].GetBool());
  EXPECT_EQ(getString(hs, "extraDetails").rfind("Counselling Services provided", 0), 0u);
  EXPECT_EQ(json(hs["telecom"]), R"([{"system":"url","value":"http://example.com/counselling"},)"
                                 R"({"system":"email","value":"email@example.com"}])");
  // organization -> providedBy (logical) and an Organization
  EXPECT_EQ(json(hs["providedBy"]),
            R"({"identifier":{"system":"https://directory.northvale.example.org/api/oruk/id/)"
            R"(organization","value":"d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"},)"
            R"("display":"Example Organization Inc."})");
  ASSERT_TRUE(m.organization);
  const auto& org = *m.organization;
  EXPECT_EQ(getString(org, "name"), "Example Organization Inc.");
  EXPECT_EQ(json(org["identifier"]),
            R"([{"system":"https://directory.northvale.example.org/api/oruk/id/organization",)"
            R"("value":"d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"},)"
            R"({"system":"https://org-id.guide/list/GB-COH","value":"1234567"}])");
  EXPECT_EQ(json(org["telecom"]), R"([{"system":"email","value":"email@example.com"},)"
                                  R"({"system":"url","value":"http://example.com"}])");
  // service_at_locations[].location -> location[] and a Location
  ASSERT_EQ(m.locations.size(), 1u);
  EXPECT_EQ(json(hs["location"]),
            R"([{"identifier":{"system":"https://directory.northvale.example.org/api/oruk/id/)"
            R"(location","value":"3a19ff88-4620-4d17-9830-ac1d859eb5d5"},)"
            R"("display":"MyCity Civic Center"}])");
  const auto& loc = m.locations[0];
  EXPECT_EQ(getString(loc, "name"), "MyCity Civic Center");
  EXPECT_EQ(json(loc["address"]),
            R"({"type":"postal","line":["1-30 Main Street"],"city":"MyCity",)"
            R"("district":"MyRegion","state":"MyState","postalCode":"ABC 1234","country":"US"})");
  EXPECT_EQ(json(loc["identifier"][1]), R"({"value":"10092008082","type":{"text":"UPRN"}})");
  // latitude 100 is not on Earth: no position, and a warning says so
  EXPECT_EQ(findMember(loc, "position"), nullptr);
  bool warned = false;
  for (const auto& i : m.issues) {
    warned |= i.expression == "service.service_at_locations[0].location.latitude";
  }
  EXPECT_TRUE(warned);
  // schedules: WEEKLY TH,FR 10:00-18:00 -> availableTime; description -> availabilityExceptions
  EXPECT_EQ(json(hs["availableTime"]),
            R"([{"daysOfWeek":["thu","fri"],"availableStartTime":"10:00:00",)"
            R"("availableEndTime":"18:00:00"}])");
  EXPECT_EQ(getString(hs, "availabilityExceptions").rfind("The service is available from", 0), 0u);
  // ages -> eligibility; cost options -> serviceProvisionCode cost
  EXPECT_EQ(json(hs["eligibility"]),
            R"([{"code":{"text":"age"},"comment":"from age 12 to age 100"}])");
  EXPECT_EQ(getString(hs["serviceProvisionCode"][0]["coding"][0], "code"), "cost");
  // taxonomy term -> type as given, category through the ConceptMap
  EXPECT_EQ(json(hs["type"]), R"([{"coding":[{"system":")" + kBase +
                                  R"(/oruk-taxonomy/taxonomy","code":"name","display":"name"}]}])");
  EXPECT_EQ(json(hs["category"]),
            R"([{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/service-category",)"
            R"("code":"22","display":"Mental Health"}]}])");
}

TEST(OrukService, StatusesOtherThanActiveAreInactive) {
  for (const char* status : {"inactive", "defunct", "temporarily closed"}) {
    rapidjson::Document doc = readJson(kData + "uk-profile/examples/service_full.json");
    fhir::setMember(doc, "status", fhir::makeString(status, doc.GetAllocator()),
                    doc.GetAllocator());
    const MappedService m = mapOrukService(doc, feed(), maps(), "s");
    ASSERT_FALSE(m.refused()) << status;
    EXPECT_FALSE(m.service["active"].GetBool()) << status;
  }
}

TEST(OrukService, TheListPageAndItsItem) {
  const auto doc = readJson(kData + "uk-profile/examples/service_list.json");
  const OrukPage page = readOrukPage(doc, 1);
  ASSERT_TRUE(page.error.empty());
  EXPECT_FALSE(page.last);  // total_pages 10
  EXPECT_EQ(page.itemsName, "contents");
  ASSERT_EQ(page.items->Size(), 1u);
  const MappedService m = mapOrukService((*page.items)[0], feed(), maps(), "contents[0]");
  ASSERT_FALSE(m.refused());
  EXPECT_EQ(getString(m.service, "name"), "Community Counselling");
  EXPECT_TRUE(m.organization);
  EXPECT_TRUE(m.locations.empty());  // list items carry no children
  EXPECT_TRUE(readOrukPage(doc, 10).last);
}

TEST(OrukService, All128PermutationsOfOptionalFieldsMap) {
  const auto doc = readJson(kData + "oruk-validator/Mocks/V3.0-UK-Test/service_list.json");
  const OrukPage page = readOrukPage(doc, 1);
  ASSERT_EQ(page.items->Size(), 128u);
  int withOrganization = 0;
  int withProvider = 0;
  for (rapidjson::SizeType i = 0; i < page.items->Size(); ++i) {
    const MappedService m =
        mapOrukService((*page.items)[i], feed(), maps(), "contents[" + std::to_string(i) + "]");
    ASSERT_FALSE(m.refused()) << i << ": " << m.issues[0].expression << " "
                              << m.issues[0].diagnostics;
    EXPECT_EQ(getString(m.service, "name"), "Community Counselling");
    withOrganization += m.organization ? 1 : 0;
    withProvider += findMember(m.service, "providedBy") ? 1 : 0;
  }
  EXPECT_EQ(withOrganization, 128 - 43);  // 43 items have no organization object
  EXPECT_EQ(withProvider, 128 - 28);      // 28 have neither it nor organization_id
}

TEST(OrukService, TheValidatorsFailingListIsRefusedItemByItem) {
  const auto doc = readJson(kData + "oruk-validator/Mocks/V3.0-UK-Fail/service_list.json");
  const OrukPage page = readOrukPage(doc, 1);
  ASSERT_EQ(page.items->Size(), 4u);
  const std::vector<std::vector<std::string>> expected = {
      {"contents[0].name", "contents[0].url", "contents[0].email"},
      {"contents[1].name", "contents[1].url", "contents[1].email"},
      {"contents[2].name", "contents[2].url", "contents[2].email"},
      {"contents[3].name", "contents[3].email"},
  };
  for (rapidjson::SizeType i = 0; i < 4; ++i) {
    const MappedService m =
        mapOrukService((*page.items)[i], feed(), maps(), "contents[" + std::to_string(i) + "]");
    EXPECT_TRUE(m.refused());
    auto errors = errorsOf(m);
    std::sort(errors.begin(), errors.end());
    auto want = expected[i];
    std::sort(want.begin(), want.end());
    EXPECT_EQ(errors, want) << i;
    EXPECT_FALSE(m.organization);
  }
}

TEST(OrukService, TheValidatorsFailingFullServiceIsRefused) {
  const auto doc = readJson(kData + "oruk-validator/Mocks/V3.0-UK-Fail/service_full.json");
  const MappedService m = mapOrukService(doc, feed(), maps(), "service");
  EXPECT_TRUE(m.refused());
  auto errors = errorsOf(m);
  EXPECT_NE(std::find(errors.begin(), errors.end(), "service.email"), errors.end());
}

TEST(OrukService, AnItemThatIsNotAnObjectIsRefused) {
  rapidjson::Document doc;
  fhir::parseJson(R"([1])", doc);
  const MappedService m = mapOrukService(doc[0], feed(), maps(), "contents[0]");
  EXPECT_TRUE(m.refused());
  EXPECT_EQ(errorsOf(m), std::vector<std::string>{"contents[0]"});
}

TEST(OrukService, V1PagesAndItems) {
  const auto first = readJson(kData + "northvale-v1/services-page-1.json");
  const auto second = readJson(kData + "northvale-v1/services-page-2.json");
  const OrukPage p1 = readOrukPage(first, 1);
  const OrukPage p2 = readOrukPage(second, 2);
  ASSERT_TRUE(p1.error.empty());
  EXPECT_EQ(p1.itemsName, "content");
  EXPECT_FALSE(p1.last);
  EXPECT_TRUE(p2.last);
  const OrukFeed v1 = feed(OrukVersion::kV1);
  const MappedService walk = mapOrukService((*p1.items)[0], v1, maps(), "content[0]");
  ASSERT_FALSE(walk.refused());
  EXPECT_EQ(getString(walk.service, "name"), "Tuesday Health Walks");
  EXPECT_TRUE(walk.service["active"].GetBool());
  ASSERT_TRUE(walk.organization);
  EXPECT_EQ(json((*walk.organization)["telecom"]),
            R"([{"system":"email","value":"hello@walking-friends.northvale.example.org"},)"
            R"({"system":"url","value":"https://walking-friends.northvale.example.org"}])");
  const MappedService coffee = mapOrukService((*p1.items)[1], v1, maps(), "content[1]");
  ASSERT_FALSE(coffee.refused());
  EXPECT_FALSE(coffee.service["active"].GetBool());
  EXPECT_EQ(findMember(coffee.service, "telecom"), nullptr);  // url "" is no url
  // v1 requires the organisation
  rapidjson::Document orphan;
  fhir::parseJson(R"({"id":"x","name":"n"})", orphan);
  EXPECT_EQ(errorsOf(mapOrukService(orphan, v1, maps(), "content[0]")),
            std::vector<std::string>{"content[0].organization"});
}

TEST(OrukService, CohortsComeFromTheirMap) {
  rapidjson::Document doc;
  fhir::parseJson(R"({"id":"a","name":"Carers' circle","status":"active","attributes":[
      {"taxonomy_term":{"id":"t","name":"Support for carers","term":"carers-support",
       "taxonomy":"https://directory.northvale.example.org/taxonomy/activities"}}]})",
                  doc);
  const MappedService m = mapOrukService(doc, feed(), maps(), "s");
  ASSERT_FALSE(m.refused());
  EXPECT_EQ(getString(m.service["category"][0]["coding"][0], "code"), "25");
  EXPECT_EQ(json(m.service["extension"]),
            R"([{"url":")" + kBase +
                R"(/StructureDefinition/cohorts-served","valueCoding":)"
                R"({"system":")" +
                kBase + R"(/CodeSystem/priority-cohort","code":"carers","display":"Carers"}}])");
}

TEST(OrukService, HoursWithAZoneAreFhirTimes) {
  rapidjson::Document doc;
  fhir::parseJson(R"({"id":"a","name":"n","status":"active","schedules":[
      {"freq":"WEEKLY","byday":"MO,TU","opens_at":"09:00:00Z","closes_at":"12:30"},
      {"freq":"MONTHLY","byday":"1SA","description":"First Saturday"}]})",
                  doc);
  const MappedService m = mapOrukService(doc, feed(), maps(), "s");
  ASSERT_FALSE(m.refused());
  EXPECT_EQ(json(m.service["availableTime"]),
            R"([{"daysOfWeek":["mon","tue"],"availableStartTime":"09:00:00",)"
            R"("availableEndTime":"12:30:00"}])");
  EXPECT_EQ(getString(m.service, "availabilityExceptions"), "First Saturday");
}

TEST(OrukService, TaxonomySystems) {
  EXPECT_EQ(taxonomySystem(""), "");
  EXPECT_EQ(taxonomySystem("https://id.esd.org.uk/list/services"),
            "https://id.esd.org.uk/list/services");
  EXPECT_EQ(taxonomySystem("LGA Services"), kBase + "/oruk-taxonomy/LGA-Services");
}

TEST(OrukPages, WhatIsNotAPage) {
  rapidjson::Document doc;
  fhir::parseJson(R"({"items":[]})", doc);
  EXPECT_FALSE(readOrukPage(doc, 1).error.empty());
  fhir::parseJson(R"([])", doc);
  EXPECT_FALSE(readOrukPage(doc, 1).error.empty());
  fhir::parseJson(R"({"contents":[]})", doc);
  EXPECT_TRUE(readOrukPage(doc, 1).last);
}

TEST(OrukPages, PageUrls) {
  EXPECT_EQ(orukPageUrl(feed(), 3),
            "https://directory.northvale.example.org/api/oruk/services?page=3&per_page=100");
}

}  // namespace
}  // namespace sp::mapping
