// ConceptMap parsing: what a map says, and every way a map file can be wrong.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "fhir/json.h"
#include "mapping/concept_map.h"

namespace sp::mapping {
namespace {

rapidjson::Document json(const std::string& text) {
  rapidjson::Document doc;
  fhir::parseJson(text, doc);
  return doc;
}

// A small valid map; `group` replaces the default group when given.
std::string mapText(const std::string& group = "", const std::string& extra = "") {
  const std::string g = group.empty() ? R"({"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "display": "Ex", "target": [{"code": "y", "display": "Why",
                   "equivalence": "equivalent"}]}]})"
                                      : group;
  return R"({"resourceType": "ConceptMap", "id": "m", "url": "https://example.org/ConceptMap/m",
             "version": "1", "status": "active", "sourceUri": "http://a-vs", "targetUri": "http://b-vs",
             )" +
         extra + R"("group": [)" + g + "]}";
}

// The problems parseConceptMap reports for `text` (empty when it parses).
std::vector<std::string> problemsOf(const std::string& text) {
  try {
    parseConceptMap(json(text));
  } catch (const MapError& e) {
    return e.problems();
  }
  return {};
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(MappingConceptMap, ReadsWhatTheMapSays) {
  const ConceptMap map = parseConceptMap(json(mapText()));
  EXPECT_EQ(map.url, "https://example.org/ConceptMap/m");
  EXPECT_EQ(map.version, "1");
  EXPECT_EQ(map.sourceScope, "http://a-vs");
  EXPECT_EQ(map.targetScope, "http://b-vs");
  ASSERT_EQ(map.groups.size(), 1u);
  const MapElement* x = map.groups[0].element("x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->display, "Ex");
  ASSERT_EQ(x->targets.size(), 1u);
  EXPECT_EQ(x->targets[0].code, "y");
  EXPECT_EQ(x->targets[0].equivalence, Equivalence::kEquivalent);
  EXPECT_EQ(map.groups[0].element("nope"), nullptr);
}

TEST(MappingConceptMap, EveryEquivalenceCodeRoundTrips) {
  for (const char* code : {"relatedto", "equivalent", "equal", "wider", "subsumes", "narrower",
                           "specializes", "inexact", "unmatched", "disjoint"}) {
    const auto e = parseEquivalence(code);
    ASSERT_TRUE(e.has_value()) << code;
    EXPECT_STREQ(equivalenceCode(*e), code);
  }
  EXPECT_FALSE(parseEquivalence("same").has_value());
  EXPECT_FALSE(translates(Equivalence::kUnmatched));
  EXPECT_FALSE(translates(Equivalence::kDisjoint));
  EXPECT_TRUE(translates(Equivalence::kInexact));
  EXPECT_TRUE(isExact(Equivalence::kEqual));
  EXPECT_FALSE(isExact(Equivalence::kWider));
  EXPECT_EQ(reversed(Equivalence::kWider), Equivalence::kNarrower);
  EXPECT_EQ(reversed(Equivalence::kNarrower), Equivalence::kWider);
  EXPECT_EQ(reversed(Equivalence::kSubsumes), Equivalence::kSpecializes);
  EXPECT_EQ(reversed(Equivalence::kInexact), Equivalence::kInexact);
}

TEST(MappingConceptMap, ReadsDependsOnAndUnmappedModes) {
  const ConceptMap map =
      parseConceptMap(json(mapText(R"({"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"code": "y", "equivalence": "narrower", "comment": "only when new",
         "dependsOn": [{"property": "MessageHeader.reason", "system": "http://r", "value": "new"}]}]}],
      "unmapped": {"mode": "fixed", "code": "other", "display": "Other"}})")));
  const MapTarget& t = map.groups[0].elements[0].targets[0];
  ASSERT_EQ(t.dependsOn.size(), 1u);
  EXPECT_EQ(t.dependsOn[0].property, "MessageHeader.reason");
  EXPECT_EQ(t.dependsOn[0].system, "http://r");
  EXPECT_EQ(t.dependsOn[0].value, "new");
  EXPECT_EQ(map.groups[0].unmappedMode, UnmappedMode::kFixed);
  EXPECT_EQ(map.groups[0].unmappedCode, "other");
}

TEST(MappingConceptMap, NotAConceptMap) {
  EXPECT_TRUE(mentions(problemsOf(R"({"resourceType": "ValueSet"})"), "not a ConceptMap"));
}

TEST(MappingConceptMap, UnknownEquivalenceIsNamedWithItsLocation) {
  const auto problems = problemsOf(mapText(R"({"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"code": "y", "equivalence": "same-ish"}]}]})"));
  EXPECT_TRUE(mentions(problems, "group[0].element[0].target[0]: unknown equivalence 'same-ish'"))
      << ::testing::PrintToString(problems);
}

TEST(MappingConceptMap, NarrowerAndInexactNeedAComment) {
  for (const char* eq : {"narrower", "inexact"}) {
    const auto problems =
        problemsOf(mapText(std::string(R"({"source": "http://a", "target": "http://b",
        "element": [{"code": "x", "target": [{"code": "y", "equivalence": ")") +
                           eq + R"("}]}]})"));
    EXPECT_TRUE(mentions(problems, "needs a comment")) << eq;
  }
  EXPECT_TRUE(problemsOf(mapText(R"({"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"code": "y", "equivalence": "wider"}]}]})"))
                  .empty());
}

TEST(MappingConceptMap, ATranslationNeedsATargetCodeButUnmatchedDoesNot) {
  EXPECT_TRUE(mentions(problemsOf(mapText(R"({"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"equivalence": "equivalent"}]}]})")),
                       "needs a code"));
  EXPECT_TRUE(problemsOf(mapText(R"({"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"equivalence": "unmatched", "comment": "no"}]}]})"))
                  .empty());
}

TEST(MappingConceptMap, ACodeListedTwiceOrWithoutTargetIsAProblem) {
  const auto problems = problemsOf(mapText(R"({"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"code": "y", "equivalence": "equal"}]},
                  {"code": "x", "target": [{"code": "z", "equivalence": "equal"}]},
                  {"code": "w"}]})"));
  EXPECT_TRUE(mentions(problems, "'x' is listed twice"));
  EXPECT_TRUE(mentions(problems, "'w' has no target"));
}

TEST(MappingConceptMap, OtherMapAndProductAreRefusedAsUnsupported) {
  EXPECT_TRUE(mentions(problemsOf(mapText(R"({"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"code": "y", "equivalence": "equal"}]}],
      "unmapped": {"mode": "other-map", "url": "http://elsewhere"}})")),
                       "'other-map' is not supported"));
  EXPECT_TRUE(mentions(problemsOf(mapText(R"({"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"code": "y", "equivalence": "equal",
                   "product": [{"property": "p", "value": "v"}]}]}]})")),
                       "'product' is not supported"));
}

TEST(MappingConceptMap, EveryProblemIsReportedAtOnce) {
  const auto problems = problemsOf(R"({"resourceType": "ConceptMap", "status": "active",
      "group": [{"source": "http://a", "element": [{"code": "x", "target": [{"code": "y"}]}]}]})");
  EXPECT_TRUE(mentions(problems, "'url' is required"));
  EXPECT_TRUE(mentions(problems, "'target' is required"));
  EXPECT_TRUE(mentions(problems, "'equivalence' is required"));
  EXPECT_GE(problems.size(), 3u);
}

}  // namespace
}  // namespace sp::mapping
