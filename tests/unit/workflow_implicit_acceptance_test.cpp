// workflow/implicit_acceptance.h: which writes imply an acceptance, and the step recorded first.
#include <gtest/gtest.h>

#include "workflow/implicit_acceptance.h"
#include "workflow/task_rules.h"
#include "workflow_test_support.h"

namespace sp::workflow {
namespace {

using testing::json;
using testing::task;

const std::string kVcse = "https://vcse-cases.northvale.example.org/CodeSystem/case-status";
const std::string kOurs =
    "https://fhir.social-prescribing.example.org/CodeSystem/task-business-status";

std::string business(const std::string& status, const std::string& ours,
                     const std::string& word = "") {
  std::string codings;
  if (!word.empty()) codings += R"({"system":")" + kVcse + R"(","code":")" + word + R"("},)";
  codings += R"({"system":")" + kOurs + R"(","code":")" + ours + R"("})";
  return task(status, "Organization/prov",
              R"(,"businessStatus":{"coding":[)" + codings + R"(],"text":")" + word + R"("})");
}

TEST(ImplicitAcceptance, ContactOnAReceivedOrRequestedReferralImpliesIt) {
  const auto contacted = json(business("in-progress", "first-contact-made", "Contacted"));
  EXPECT_TRUE(impliesAcceptance(json(task("received")), contacted));
  EXPECT_TRUE(impliesAcceptance(json(task("requested")), contacted));
  EXPECT_TRUE(impliesAcceptance(json(task("received")),
                                json(business("in-progress", "attending", "Engaged"))));
  EXPECT_TRUE(
      impliesAcceptance(json(task("received")), json(business("in-progress", "plan-agreed"))));
  // Work begun with no word of the project's (UK Core, Gravity SDOH) implies acceptance too.
  EXPECT_TRUE(impliesAcceptance(json(task("received")), json(task("in-progress"))));
}

TEST(ImplicitAcceptance, NothingElseImpliesIt) {
  const auto contacted = json(business("in-progress", "first-contact-made", "Contacted"));
  EXPECT_FALSE(impliesAcceptance(json(task("accepted")), contacted));  // already accepted
  EXPECT_FALSE(impliesAcceptance(json(task("on-hold")), contacted));
  EXPECT_FALSE(impliesAcceptance(json(task("completed")), contacted));
  EXPECT_FALSE(
      impliesAcceptance(json(task("received")), json(business("in-progress", "discharged"))));
  EXPECT_FALSE(
      impliesAcceptance(json(task("received")), json(business("completed", "first-contact-made"))));
}

TEST(ImplicitAcceptance, TheStepIsTheStoredTaskAcceptedInTheProjectsOwnCodes) {
  const auto before = json(business("received", "received", "Referral received"));
  const auto step = acceptanceStep(before);
  EXPECT_EQ(fhir::getString(step, "status"), "accepted");
  EXPECT_EQ(businessStatusOf(step), "received");
  ASSERT_EQ(step["businessStatus"]["coding"].Size(), 1u);
  EXPECT_FALSE(step["businessStatus"].HasMember("text"));
  EXPECT_EQ(fhir::getString(step["focus"], "reference"), "ServiceRequest/sr1");
  EXPECT_EQ(fhir::getString(step["owner"], "reference"), "Organization/prov");
  // Only a partner's word: no businessStatus is left.
  const auto onlyWord = json(task("received", "Organization/prov",
                                  R"(,"businessStatus":{"coding":[{"system":")" + kVcse +
                                      R"(","code":"Referral received"}]})"));
  EXPECT_FALSE(acceptanceStep(onlyWord).HasMember("businessStatus"));
  EXPECT_FALSE(acceptanceStep(json(task("received"))).HasMember("businessStatus"));
}

}  // namespace
}  // namespace sp::workflow
