// The rule of what a party may read and when that ends (security/access_rule.h): grants through
// the referral, what an owner gains when it takes a Task on, and who loses it when.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>

#include "fhir/json.h"
#include "security/access_rule.h"

namespace sp::security {
namespace {

rapidjson::Document json(const std::string& text) {
  rapidjson::Document doc;
  fhir::parseJson(text, doc);
  return doc;
}

// Organization/<code> is the organisation <code>.
class CodeResolver : public workflow::OrganisationResolver {
 public:
  std::set<std::string> organisationsOf(const rapidjson::Value* reference) override {
    std::set<std::string> out;
    if (!reference) return out;
    const std::string literal = fhir::getString(*reference, "reference");
    if (literal.rfind("Organization/", 0) == 0) out.insert(literal.substr(13));
    return out;
  }
};

// The grants of `change` to `organisation`, as "Type/id via".
std::set<std::string> grantsTo(const AccessChange& change, const std::string& organisation) {
  std::set<std::string> out;
  for (const auto& g : change.grants) {
    if (g.organisation == organisation) out.insert(g.type + "/" + g.id + " " + g.via);
  }
  return out;
}

const char* kReferral = R"({"resourceType":"ServiceRequest","status":"active",
    "requester":{"reference":"Organization/GP"},"performer":[{"reference":"Organization/NAV"}],
    "subject":{"reference":"Patient/p"},
    "supportingInfo":[{"reference":"QuestionnaireResponse/story"}],
    "reasonReference":[{"reference":"Condition/c"}],
    "basedOn":[{"reference":"ServiceRequest/earlier"}]})";

std::string task(const std::string& status, const std::string& more = "") {
  return R"({"resourceType":"Task","status":")" + status +
         R"(","focus":{"reference":"ServiceRequest/s"},"for":{"reference":"Patient/p"},
      "requester":{"reference":"Organization/NAV"},"owner":{"reference":"Organization/LW"},
      "partOf":[{"reference":"Task/t1"}])" +
         more + "}";
}

TEST(AccessRule, AReferralGrantsItsPartiesThroughItself) {
  CodeResolver resolver;
  const auto referral = json(kReferral);
  WorkContext context;
  context.referral = &referral;
  const AccessChange change = accessChange("ServiceRequest", "s", referral, context, resolver);
  EXPECT_EQ(change.via, "ServiceRequest/s");
  EXPECT_EQ(grantsTo(change, "NAV"),
            (std::set<std::string>{
                "ServiceRequest/s ServiceRequest/s", "Patient/p ServiceRequest/s",
                "QuestionnaireResponse/story ServiceRequest/s", "Condition/c ServiceRequest/s",
                "ServiceRequest/earlier ServiceRequest/s"}));
  // An ended performer gets nothing back; the requester is never cut.
  context.ended = {"NAV", "GP"};
  const AccessChange later = accessChange("ServiceRequest", "s", referral, context, resolver);
  EXPECT_TRUE(grantsTo(later, "NAV").empty());
  EXPECT_EQ(grantsTo(later, "GP").size(), 5u);
}

TEST(AccessRule, TakingATaskOnGivesWhatTheReferralCarriesAndNothingElse) {
  CodeResolver resolver;
  const auto referral = json(kReferral);
  const auto t1 = json(R"({"resourceType":"Task","status":"in-progress",
      "output":[{"type":{"text":"WEMWBS"},"valueReference":{"reference":"Observation/score"}}]})");
  const auto requested = json(task("requested"));
  WorkContext context;
  context.referral = &referral;
  context.earlierTasks = {&t1};
  // Asked, not yet taken on: the Task and what it names, not the story.
  const AccessChange asked = accessChange("Task", "t2", requested, context, resolver);
  EXPECT_EQ(grantsTo(asked, "LW"),
            (std::set<std::string>{"Task/t2 Task/t2", "ServiceRequest/s ServiceRequest/s",
                                   "Patient/p ServiceRequest/s", "Task/t1 ServiceRequest/s"}));
  const auto accepted = json(task("accepted"));
  context.before = &requested;
  const AccessChange taken = accessChange("Task", "t2", accepted, context, resolver);
  const auto lw = grantsTo(taken, "LW");
  EXPECT_TRUE(lw.count("QuestionnaireResponse/story ServiceRequest/s"));
  EXPECT_TRUE(lw.count("Condition/c ServiceRequest/s"));
  EXPECT_TRUE(lw.count("Observation/score ServiceRequest/s"));
  EXPECT_FALSE(lw.count("ServiceRequest/earlier ServiceRequest/s"));  // not what it carries
  EXPECT_TRUE(taken.end.empty());
}

TEST(AccessRule, RejectionAndCancellationBeforeAcceptanceEndTheOwnersAccess) {
  CodeResolver resolver;
  const auto referral = json(kReferral);
  WorkContext context;
  context.referral = &referral;
  const auto requested = json(task("requested"));
  context.before = &requested;
  for (const char* to : {"rejected", "cancelled"}) {
    const auto after = json(task(to));
    const AccessChange change = accessChange("Task", "t2", after, context, resolver);
    EXPECT_EQ(change.end, std::vector<std::string>{"LW"}) << to;
    // The owner still sees the Task itself, not what it reached through the referral.
    EXPECT_EQ(grantsTo(change, "LW"), (std::set<std::string>{"Task/t2 Task/t2"})) << to;
    EXPECT_FALSE(grantsTo(change, "NAV").empty()) << to;
  }
  // A cancellation after acceptance ends nothing.
  const auto inProgress = json(task("in-progress"));
  context.before = &inProgress;
  const auto cancelled = json(task("cancelled"));
  EXPECT_TRUE(accessChange("Task", "t2", cancelled, context, resolver).end.empty());
}

TEST(AccessRule, AHandedOverTaskEndsItsOwnersAccessButNotTheRequesters) {
  CodeResolver resolver;
  const auto referral = json(kReferral);
  WorkContext context;
  context.referral = &referral;
  const std::string handedOver =
      R"(,"businessStatus":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-business-status","code":"handed-over"}]})";
  const auto before = json(task("on-hold"));
  context.before = &before;
  const auto after = json(task("completed", handedOver));
  EXPECT_EQ(accessChange("Task", "t1", after, context, resolver).end,
            std::vector<std::string>{"LW"});
  // The referral's requester owning the Task keeps its access.
  const auto gpOwned = json(std::string(R"({"resourceType":"Task","status":"completed",
      "focus":{"reference":"ServiceRequest/s"},"owner":{"reference":"Organization/GP"})") +
                            handedOver + "}");
  EXPECT_TRUE(accessChange("Task", "t1", gpOwned, context, resolver).end.empty());
}

TEST(AccessRule, TakingOnAgainResumesAnEndedOrganisation) {
  CodeResolver resolver;
  const auto referral = json(kReferral);
  WorkContext context;
  context.referral = &referral;
  context.ended = {"LW"};
  const auto requested = json(task("requested"));
  const AccessChange asked = accessChange("Task", "t3", requested, context, resolver);
  EXPECT_EQ(grantsTo(asked, "LW"), (std::set<std::string>{"Task/t3 Task/t3"}));
  context.before = &requested;
  const auto accepted = json(task("accepted"));
  const AccessChange taken = accessChange("Task", "t3", accepted, context, resolver);
  EXPECT_EQ(taken.resume, std::vector<std::string>{"LW"});
  EXPECT_TRUE(grantsTo(taken, "LW").count("QuestionnaireResponse/story ServiceRequest/s"));
}

}  // namespace
}  // namespace sp::security
