// Alternatives to a full service: which services match and in what order.
#include <gtest/gtest.h>

#include <memory>

#include "workflow/alternatives.h"
#include "workflow_test_support.h"

namespace sp::workflow {
namespace {

using testing::json;

std::string service(const std::string& name, int free, const std::string& category = "23",
                    const std::string& cohort = "", bool active = true,
                    const std::string& status = "capacity") {
  std::string ext =
      R"({"url":"https://fhir.social-prescribing.example.org/StructureDefinition/capacity","extension":[{"url":"total","valueUnsignedInt":10},{"url":"free","valueUnsignedInt":)" +
      std::to_string(free) + R"(},{"url":"status","valueCode":")" + status + R"("}]})";
  if (!cohort.empty()) {
    ext +=
        R"(,{"url":"https://fhir.social-prescribing.example.org/StructureDefinition/cohorts-served","valueCoding":{"system":"https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort","code":")" +
        cohort + R"("}})";
  }
  return R"({"resourceType":"HealthcareService","name":")" + name + R"(","active":)" +
         (active ? "true" : "false") + R"(,"extension":[)" + ext +
         R"(],"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/service-category","code":")" +
         category + R"("}]}]})";
}

struct Directory {
  std::vector<std::unique_ptr<rapidjson::Document>> docs;
  std::vector<ServiceFacts> facts;
  void add(const std::string& id, const std::string& json, std::vector<GeoPoint> positions = {},
           std::vector<Area> coverage = {}) {
    docs.push_back(std::make_unique<rapidjson::Document>(testing::json(json)));
    facts.push_back({id, docs.back().get(), std::move(positions), std::move(coverage)});
  }
};

std::vector<std::string> ids(const std::vector<Alternative>& alternatives) {
  std::vector<std::string> out;
  for (const auto& a : alternatives) out.push_back(a.id);
  return out;
}

TEST(WorkflowAlternatives, Distance) {
  // London to Paris is about 344 km.
  EXPECT_NEAR(distanceKm({51.5074, -0.1278}, {48.8566, 2.3522}), 343.5, 1.5);
  EXPECT_DOUBLE_EQ(distanceKm({52.0, -1.0}, {52.0, -1.0}), 0.0);
  const auto position = positionOf(json(R"({"position":{"latitude":52.1,"longitude":-1.25}})"));
  ASSERT_TRUE(position);
  EXPECT_DOUBLE_EQ(position->latitude, 52.1);
  EXPECT_DOUBLE_EQ(position->longitude, -1.25);
  EXPECT_FALSE(positionOf(json(R"({"position":{"latitude":52.1}})")));
}

TEST(WorkflowAlternatives, Areas) {
  const Area home =
      areaOf(json(R"({"city":" Alderton ","district":"Nenshire","postalCode":"ne99 4qa"})"));
  EXPECT_EQ(home.postcodeDistrict, "NE99");
  EXPECT_EQ(home.city, "alderton");
  EXPECT_TRUE(sameArea(home, areaOf(json(R"({"postalCode":"NE99 1HB"})"))));
  EXPECT_TRUE(sameArea(home, areaOf(json(R"({"city":"ALDERTON"})"))));
  EXPECT_FALSE(sameArea(home, areaOf(json(R"({"postalCode":"NE98 1HB","city":"Kingsmoor"})"))));
  EXPECT_EQ(areaOf(json(R"({"postalCode":"NE994QA"})")).postcodeDistrict, "NE99");
  EXPECT_EQ(areaOf(json(R"({"postalCode":"NE99"})")).postcodeDistrict, "NE99");
  EXPECT_EQ(areaOf(json(R"({"postalCode":"N1"})")).postcodeDistrict, "N1");
  EXPECT_FALSE(sameArea(Area{}, Area{}));
}

TEST(WorkflowAlternatives, MatchesKindCohortAreaAndRoomNearestFirst) {
  const rapidjson::Document full = json(service("Full walks", 0));
  Directory d;
  d.add("far", service("Far walks", 2), {{52.5, -1.0}});
  d.add("near", service("Near walks", 1), {{52.01, -1.0}});
  d.add("nowhere", service("Walks without a place on the map", 3));
  d.add("full", service("Full walks", 0));                       // the full one itself
  d.add("other-full", service("Other full walks", 0));           // no room
  d.add("closed", service("Closed walks", 4, "23", "", false));  // inactive
  d.add("waitlist", service("Waitlist walks", 4, "23", "", true, "waitlist"));
  d.add("cooking", service("Cooking", 4, "8"), {{52.0, -1.0}});  // another kind
  d.add("carers-only", service("Carers walks", 4, "23", "carers"), {{52.0, -1.0}});
  d.add("lonely", service("Lonely walks", 4, "23", "social-isolation-loneliness"), {{52.02, -1.0}});
  d.add("elsewhere", service("Walks elsewhere", 4), {{52.0, -1.0}},
        {areaOf(json(R"({"city":"Kingsmoor"})"))});
  d.add("here", service("Walks here", 4), {{52.03, -1.0}},
        {areaOf(json(R"({"postalCode":"NE99 2AB"})"))});

  PersonNeeds person;
  person.cohorts = {"social-isolation-loneliness"};
  person.areas = {areaOf(json(R"({"postalCode":"NE99 4QA","city":"Alderton"})"))};
  const auto found = rankAlternatives(full, "full", GeoPoint{52.0, -1.0}, person, d.facts, 10);
  EXPECT_EQ(ids(found), (std::vector<std::string>{"near", "lonely", "here", "far", "nowhere"}));
  ASSERT_TRUE(found[0].distanceKm);
  EXPECT_NEAR(*found[0].distanceKm, 1.1, 0.05);
  EXPECT_FALSE(found.back().distanceKm);
  EXPECT_EQ(describeAlternative(found[0]),
            "HealthcareService/near (Near walks, 1 of 10 places free, status capacity, 1.1 km)");
  EXPECT_EQ(rankAlternatives(full, "full", GeoPoint{52.0, -1.0}, person, d.facts, 2).size(), 2u);

  // Without cohorts or areas for the person, any cohort and area will do.
  const auto anyone = rankAlternatives(full, "full", std::nullopt, PersonNeeds{}, d.facts, 20);
  EXPECT_EQ(ids(anyone), (std::vector<std::string>{"carers-only", "far", "lonely", "near",
                                                   "elsewhere", "here", "nowhere"}));  // by name
}

TEST(WorkflowAlternatives, CohortsOfAReferralAndAService) {
  const rapidjson::Document sr = json(
      R"({"reasonCode":[{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort","code":"carers"},{"system":"http://snomed.info/sct","code":"1"}]},{"text":"x"}]})");
  EXPECT_EQ(cohortsOf(sr), (std::set<std::string>{"carers"}));
  EXPECT_EQ(cohortsServed(json(service("s", 1, "23", "carers"))),
            (std::set<std::string>{"carers"}));
}

}  // namespace
}  // namespace sp::workflow
