// What a partner's write of a Task may change, and what the adapter keeps itself.
#include <gtest/gtest.h>

#include "fhir/ids.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"
#include "workflow_test_support.h"

namespace sp::workflow {
namespace {

using fhir::ErrorKind;
using testing::failure;
using testing::json;
using testing::TableResolver;
using testing::task;

// Checks `after` replacing `before` (empty: a create) as organisation `ods` ("" unchecked).
testing::Failure check(const std::string& before, const std::string& after,
                       const std::string& ods) {
  TableResolver resolver;
  const Actor actor = ods.empty() ? Actor::unchecked() : Actor::organisation(ods);
  rapidjson::Document a = json(after);
  rapidjson::Document b;
  if (!before.empty()) b = json(before);
  // As on the write path: the adapter stamps the creator before the checks.
  if (before.empty()) maintainTask(a, nullptr, actor, fhir::TimePoint{});
  TaskWrite w;
  w.reference = "Task/t1";
  w.before = before.empty() ? nullptr : &b;
  w.after = &a;
  w.actor = actor;
  w.rolesAfter = rolesOf(actor, a, resolver);
  w.rolesBefore = before.empty() ? w.rolesAfter : rolesOf(actor, b, resolver);
  return failure([&] { checkTaskWrite(w); });
}

const std::string kReason = R"(,"statusReason":{"text":"why"})";

TEST(WorkflowTaskRules, OwnerMovesItsTask) {
  EXPECT_FALSE(check(task("requested"), task("accepted"), "PROV").thrown);
  EXPECT_FALSE(check(task("requested"), task("received"), "PROV").thrown);
  EXPECT_FALSE(check(task("accepted"), task("in-progress"), "PROV").thrown);
  EXPECT_FALSE(
      check(task("in-progress"), task("on-hold", "Organization/prov", kReason), "PROV").thrown);
  EXPECT_FALSE(check(task("on-hold"), task("in-progress"), "PROV").thrown);
  EXPECT_FALSE(check(task("in-progress"), task("completed"), "PROV").thrown);
}

TEST(WorkflowTaskRules, RequesterMayNotMakeTheOwnersMoves) {
  const auto f = check(task("requested"), task("accepted"), "GP");
  ASSERT_TRUE(f.thrown);
  EXPECT_EQ(f.kind, ErrorKind::kConflict);
  EXPECT_EQ(f.code, "business-rule");
  EXPECT_EQ(f.expression, "Task.status");
  EXPECT_NE(f.diagnostics.find("requested -> accepted may be made only by the owner"),
            std::string::npos)
      << f.diagnostics;
  EXPECT_NE(f.diagnostics.find("organisation GP is its requester and creator only"),
            std::string::npos)
      << f.diagnostics;
  EXPECT_NE(f.diagnostics.find("From requested the allowed moves are: received (by the owner)"),
            std::string::npos)
      << f.diagnostics;
}

TEST(WorkflowTaskRules, OwnerMayNotMakeTheRequestersMove) {
  const auto f = check(task("draft"), task("requested"), "PROV");
  ASSERT_TRUE(f.thrown);
  EXPECT_EQ(f.kind, ErrorKind::kConflict);
  EXPECT_NE(f.diagnostics.find("may be made only by the requester"), std::string::npos);
  EXPECT_FALSE(check(task("draft"), task("requested"), "GP").thrown);
}

TEST(WorkflowTaskRules, MoveTheMachineHasNotIsRefusedWithTheAllowedOnes) {
  const auto f = check(task("requested"), task("completed"), "PROV");
  ASSERT_TRUE(f.thrown);
  EXPECT_EQ(f.kind, ErrorKind::kConflict);
  EXPECT_EQ(f.diagnostics,
            "Task/t1: requested -> completed is not a move of the referral workflow. From "
            "requested the allowed moves are: received (by the owner), accepted (by the owner), "
            "rejected (by the owner, with a statusReason), cancelled (by the requester or the "
            "owner, with a statusReason), entered-in-error (by whoever created the Task)");
  EXPECT_TRUE(check(task("completed"), task("in-progress"), "PROV").thrown);
  EXPECT_TRUE(check(task("on-hold"), task("completed"), "PROV").thrown);
  EXPECT_TRUE(check(task("rejected"), task("accepted"), "PROV").thrown);
}

TEST(WorkflowTaskRules, EitherSideCancelsAnUnfinishedTaskWithAReason) {
  EXPECT_FALSE(
      check(task("requested"), task("cancelled", "Organization/prov", kReason), "GP").thrown);
  EXPECT_FALSE(
      check(task("in-progress"), task("cancelled", "Organization/prov", kReason), "PROV").thrown);
  const auto other =
      check(task("requested"), task("cancelled", "Organization/prov", kReason), "ELSE");
  EXPECT_TRUE(other.thrown);
  EXPECT_EQ(other.kind, ErrorKind::kForbidden);
  EXPECT_TRUE(
      check(task("completed"), task("cancelled", "Organization/prov", kReason), "GP").thrown);
}

TEST(WorkflowTaskRules, ReasonsAreRequired) {
  for (const char* to : {"rejected", "cancelled"}) {
    const auto f = check(task("requested"), task(to), "PROV");
    ASSERT_TRUE(f.thrown) << to;
    EXPECT_EQ(f.kind, ErrorKind::kUnprocessable) << to;
    EXPECT_EQ(f.code, "required");
    EXPECT_EQ(f.expression, "Task.statusReason");
  }
  for (const char* to : {"on-hold", "failed"}) {
    const auto f = check(task("in-progress"), task(to), "PROV");
    ASSERT_TRUE(f.thrown) << to;
    EXPECT_EQ(f.kind, ErrorKind::kUnprocessable) << to;
  }
  // An empty statusReason is no reason; a coded one is.
  EXPECT_TRUE(check(task("requested"),
                    task("rejected", "Organization/prov", R"(,"statusReason":{"text":""})"), "PROV")
                  .thrown);
  EXPECT_FALSE(check(task("requested"),
                     task("rejected", "Organization/prov",
                          R"(,"statusReason":{"coding":[{"system":"x","code":"no-capacity"}]})"),
                     "PROV")
                   .thrown);
  // The reason left from on-hold is not a reason to cancel.
  const std::string held = task("on-hold", "Organization/prov", kReason);
  const auto stale = check(held, task("cancelled", "Organization/prov", kReason), "PROV");
  ASSERT_TRUE(stale.thrown);
  EXPECT_EQ(stale.kind, ErrorKind::kUnprocessable);
  EXPECT_NE(stale.diagnostics.find("the one it has was given when it became on-hold"),
            std::string::npos)
      << stale.diagnostics;
  EXPECT_FALSE(check(held,
                     task("cancelled", "Organization/prov", R"(,"statusReason":{"text":"gone"})"),
                     "PROV")
                   .thrown);
}

TEST(WorkflowTaskRules, EnteredInErrorOnlyByTheCreator) {
  const std::string created =
      R"(,"meta":{"tag":[{"system":"https://fhir.social-prescribing.example.org/tag/created-by","code":"SPOR"}]})";
  const std::string before = task("requested", "Organization/prov", created);
  const std::string after = task("entered-in-error", "Organization/prov", created);
  EXPECT_FALSE(check(before, after, "SPOR").thrown);  // the creator, not the requester
  const auto requester = check(before, after, "GP");
  EXPECT_TRUE(requester.thrown);
  EXPECT_NE(requester.diagnostics.find("whoever created the Task"), std::string::npos);
  EXPECT_TRUE(check(before, after, "PROV").thrown);
  // Without the stamp, the requester stands in for the creator.
  EXPECT_FALSE(check(task("requested"), task("entered-in-error"), "GP").thrown);
}

TEST(WorkflowTaskRules, UncheckedCallerIsJudgedOnStatusAlone) {
  EXPECT_FALSE(check(task("requested"), task("accepted"), "").thrown);
  EXPECT_TRUE(check(task("requested"), task("completed"), "").thrown);
  EXPECT_TRUE(check(task("requested"), task("rejected"), "").thrown);
}

TEST(WorkflowTaskRules, ForFocusRequesterAndCodeDoNotChange) {
  const std::string before = task("requested");
  struct Case {
    const char* from;
    const char* to;
    const char* expression;
  };
  for (const Case& c : {Case{"Patient/p1", "Patient/p2", "Task.for"},
                        Case{"ServiceRequest/sr1", "ServiceRequest/sr2", "Task.focus"},
                        Case{"Organization/gp", "Organization/prov", "Task.requester"},
                        Case{"fulfill-referral", "warm-handover", "Task.code"}}) {
    std::string after = before;
    after.replace(after.find(c.from), std::string(c.from).size(), c.to);
    const auto f = check(before, after, "PROV");
    ASSERT_TRUE(f.thrown) << c.expression;
    EXPECT_EQ(f.kind, ErrorKind::kConflict);
    EXPECT_EQ(f.expression, c.expression);
    EXPECT_NE(f.diagnostics.find("make a new Task instead"), std::string::npos);
  }
  // A display is not part of what a reference names.
  std::string withDisplay = before;
  withDisplay.replace(withDisplay.find(R"("reference":"Patient/p1")"),
                      std::string(R"("reference":"Patient/p1")").size(),
                      R"("reference":"Patient/p1","display":"Ada")");
  EXPECT_FALSE(check(before, withDisplay, "PROV").thrown);
}

TEST(WorkflowTaskRules, PoolClaimOnceByTheClaimerOrTheRequester) {
  const std::string pool = task("requested", "");
  EXPECT_FALSE(check(pool, task("requested", "Organization/lw"), "LW").thrown);
  EXPECT_FALSE(check(pool, task("accepted", "Organization/lw"), "LW").thrown);   // claim + accept
  EXPECT_FALSE(check(pool, task("requested", "Organization/lw"), "GP").thrown);  // assigned
  const auto stranger = check(pool, task("requested", "Organization/lw"), "ELSE");
  EXPECT_TRUE(stranger.thrown);
  const auto second =
      check(task("requested", "Organization/lw"), task("requested", "Organization/lw2"), "LW2");
  ASSERT_TRUE(second.thrown);
  EXPECT_EQ(second.kind, ErrorKind::kConflict);
  EXPECT_EQ(second.expression, "Task.owner");
  EXPECT_NE(second.diagnostics.find("claimed only once"), std::string::npos);
  // Nor may an owner be removed.
  EXPECT_TRUE(check(task("requested", "Organization/lw"), task("requested", ""), "LW").thrown);
  // Nobody but the requester and creator may move an unowned Task's owner moves.
  EXPECT_TRUE(check(pool, task("accepted", ""), "GP").thrown);
}

TEST(WorkflowTaskRules, BusinessStatusMovesWhileActiveByTheOwner) {
  const std::string step =
      R"(,"businessStatus":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-business-status","code":"first-contact-made"}]})";
  EXPECT_FALSE(
      check(task("in-progress"), task("in-progress", "Organization/prov", step), "PROV").thrown);
  const auto requester =
      check(task("in-progress"), task("in-progress", "Organization/prov", step), "GP");
  EXPECT_TRUE(requester.thrown);
  EXPECT_EQ(requester.expression, "Task.businessStatus");
  const auto finished =
      check(task("completed"), task("completed", "Organization/prov", step), "PROV");
  ASSERT_TRUE(finished.thrown);
  EXPECT_EQ(finished.kind, ErrorKind::kConflict);
  EXPECT_NE(finished.diagnostics.find("only while the Task is active"), std::string::npos);
  // Completing with a discharge step is one write made while the Task is active.
  const std::string discharged =
      R"(,"businessStatus":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-business-status","code":"discharged"}]})";
  EXPECT_FALSE(
      check(task("in-progress"), task("completed", "Organization/prov", discharged), "PROV")
          .thrown);
  for (const char* reserved : {"handover-pending", "handed-over"}) {
    const std::string set =
        R"(,"businessStatus":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-business-status","code":")" +
        std::string(reserved) + R"("}]})";
    EXPECT_TRUE(
        check(task("in-progress"), task("in-progress", "Organization/prov", set), "PROV").thrown)
        << reserved;
    EXPECT_TRUE(check("", task("requested", "Organization/prov", set), "GP").thrown) << reserved;
  }
}

TEST(WorkflowTaskRules, TaskWaitingForAHandoverIsHeldStill) {
  const std::string pending =
      R"(,"businessStatus":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-business-status","code":"handover-pending"}]},"statusReason":{"text":"Warm handover pending: waiting for Task/t2 to be accepted"})";
  const std::string before = task("on-hold", "Organization/prov", pending);
  EXPECT_FALSE(check(before, before, "PROV").thrown);  // other elements may change
  const auto moved = check(before, task("in-progress", "Organization/prov", pending), "PROV");
  ASSERT_TRUE(moved.thrown);
  EXPECT_EQ(moved.kind, ErrorKind::kConflict);
  EXPECT_NE(moved.diagnostics.find("waits for a warm handover"), std::string::npos);
  EXPECT_TRUE(check(before, task("on-hold", "Organization/prov", kReason), "PROV").thrown);
  // Once the handover Task is gone, the Task moves again.
  TableResolver resolver;
  rapidjson::Document b = json(before);
  rapidjson::Document a = json(task("in-progress", "Organization/prov", pending));
  TaskWrite w;
  w.reference = "Task/t1";
  w.before = &b;
  w.after = &a;
  w.actor = Actor::organisation("PROV");
  w.rolesBefore = w.rolesAfter = rolesOf(w.actor, b, resolver);
  w.handoverStillPending = false;
  EXPECT_FALSE(failure([&] { checkTaskWrite(w); }).thrown);
}

TEST(WorkflowTaskRules, CreateStatuses) {
  EXPECT_FALSE(check("", task("requested"), "GP").thrown);
  EXPECT_FALSE(check("", task("draft"), "GP").thrown);
  EXPECT_FALSE(check("", task("requested", ""), "SPOR").thrown);  // any creator is requester
  EXPECT_FALSE(check("", task("in-progress"), "PROV").thrown);    // the owner's own work
  const auto notOwner = check("", task("in-progress"), "GP");
  ASSERT_TRUE(notOwner.thrown);
  EXPECT_EQ(notOwner.kind, ErrorKind::kConflict);
  EXPECT_NE(notOwner.diagnostics.find("only the owner may create a Task as in-progress"),
            std::string::npos)
      << notOwner.diagnostics;
  for (const char* never : {"rejected", "cancelled", "entered-in-error", "ready"}) {
    const auto f = check("", task(never, "Organization/prov", kReason), "PROV");
    EXPECT_TRUE(f.thrown) << never;
    EXPECT_EQ(f.kind, ErrorKind::kConflict) << never;
  }
  const auto noReason = check("", task("on-hold"), "PROV");
  EXPECT_EQ(noReason.kind, ErrorKind::kUnprocessable);
  // A status that is not a Task status is left to the validator.
  EXPECT_FALSE(check("", task("open"), "GP").thrown);
  EXPECT_FALSE(check(task("requested"), task("open"), "PROV").thrown);
}

TEST(WorkflowTaskRules, StrangersMayNotChangeATask) {
  const auto f =
      check(task("in-progress"),
            task("in-progress", "Organization/prov", R"(,"note":[{"text":"x"}])"), "ELSE");
  ASSERT_TRUE(f.thrown);
  EXPECT_EQ(f.kind, ErrorKind::kForbidden);
  EXPECT_NE(f.diagnostics.find("organisation ELSE is neither its requester, its owner nor its "
                               "creator"),
            std::string::npos)
      << f.diagnostics;
  EXPECT_FALSE(check(task("in-progress"),
                     task("in-progress", "Organization/prov", R"(,"note":[{"text":"x"}])"), "GP")
                   .thrown);
}

TEST(WorkflowTaskRules, AdapterKeepsLastModifiedExecutionPeriodAndCreator) {
  const fhir::TimePoint t1 = *fhir::parseInstant("2026-03-01T10:00:00Z");
  const fhir::TimePoint t2 = *fhir::parseInstant("2026-03-02T10:00:00Z");
  const fhir::TimePoint t3 = *fhir::parseInstant("2026-03-03T10:00:00Z");
  // Create: the creator is stamped; the creator's own lastModified stands.
  rapidjson::Document created = json(task(
      "requested", "Organization/prov",
      R"(,"lastModified":"2020-01-01T00:00:00Z","meta":{"tag":[{"system":"https://fhir.social-prescribing.example.org/tag/created-by","code":"FORGED"}]})"));
  maintainTask(created, nullptr, Actor::organisation("GP"), t1);
  EXPECT_EQ(creatorOf(created), "GP");
  EXPECT_EQ(fhir::getString(created, "lastModified"), "2020-01-01T00:00:00Z");
  ASSERT_EQ(created["meta"]["tag"].Size(), 1u);

  // Update to in-progress: lastModified now, executionPeriod.start now; the creator carried.
  rapidjson::Document accepted = json(task("accepted"));
  maintainTask(accepted, &created, Actor::organisation("PROV"), t2);
  rapidjson::Document started = json(task(
      "in-progress", "Organization/prov",
      R"(,"executionPeriod":{"start":"1999-01-01T00:00:00Z"},"lastModified":"1999-01-01T00:00:00Z")"));
  maintainTask(started, &accepted, Actor::organisation("PROV"), t2);
  EXPECT_EQ(creatorOf(started), "GP");
  EXPECT_EQ(fhir::getString(started, "lastModified"), "2026-03-02T10:00:00.000Z");
  EXPECT_EQ(fhir::getString(started["executionPeriod"], "start"), "2026-03-02T10:00:00.000Z");
  EXPECT_FALSE(fhir::findMember(started["executionPeriod"], "end"));

  rapidjson::Document done = json(task("completed"));
  maintainTask(done, &started, Actor::organisation("PROV"), t3);
  EXPECT_EQ(fhir::getString(done["executionPeriod"], "start"), "2026-03-02T10:00:00.000Z");
  EXPECT_EQ(fhir::getString(done["executionPeriod"], "end"), "2026-03-03T10:00:00.000Z");

  // A Task rejected before it was taken on has no execution period.
  rapidjson::Document rejected = json(task("rejected"));
  rapidjson::Document requested = json(task("requested"));
  maintainTask(rejected, &requested, Actor::organisation("PROV"), t3);
  EXPECT_FALSE(fhir::findMember(rejected, "executionPeriod"));
  // An unchecked creator is not stamped.
  rapidjson::Document anonymous = json(task("requested"));
  maintainTask(anonymous, nullptr, Actor::unchecked(), t1);
  EXPECT_EQ(creatorOf(anonymous), "");
}

TEST(WorkflowTaskRules, RolesFromTheResolver) {
  TableResolver resolver;
  const rapidjson::Document t = json(task("requested", "Organization/prov"));
  const Roles owner = rolesOf(Actor::organisation("PROV"), t, resolver);
  EXPECT_TRUE(owner.owner);
  EXPECT_FALSE(owner.requester);
  const Roles requester = rolesOf(Actor::organisation("GP"), t, resolver);
  EXPECT_TRUE(requester.requester);
  EXPECT_TRUE(requester.creator);  // no stamp: the requester stands in
  const Roles none = rolesOf(Actor::organisation("ELSE"), t, resolver);
  EXPECT_FALSE(none.any());
  const Roles all = rolesOf(Actor::unchecked(), t, resolver);
  EXPECT_TRUE(all.requester && all.owner && all.creator);
  // A logical reference by ODS identifier names the organisation without a lookup.
  const rapidjson::Document logical = json(task(
      "requested", "",
      R"(,"owner":{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"VCS1"}})"));
  EXPECT_TRUE(rolesOf(Actor::organisation("VCS1"), logical, resolver).owner);
}

}  // namespace
}  // namespace sp::workflow
