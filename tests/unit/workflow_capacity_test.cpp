// Places at a service: the capacity extension, taking and giving back, and full updates.
#include <gtest/gtest.h>

#include "workflow/capacity.h"
#include "workflow_test_support.h"

namespace sp::workflow {
namespace {

using testing::json;
using testing::text;

std::string service(int total, int free, const std::string& status = "capacity") {
  return R"({"resourceType":"HealthcareService","extension":[{"url":"https://fhir.social-prescribing.example.org/StructureDefinition/capacity","extension":[{"url":"total","valueUnsignedInt":)" +
         std::to_string(total) + R"(},{"url":"free","valueUnsignedInt":)" + std::to_string(free) +
         R"(})" +
         (status.empty() ? std::string() : R"(,{"url":"status","valueCode":")" + status + R"("})") +
         R"(]}],"active":true})";
}

TEST(WorkflowCapacity, ReadsTheExtension) {
  const auto c = readCapacity(json(service(15, 3)));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->total, 15);
  EXPECT_EQ(c->free, 3);
  EXPECT_EQ(c->status, "capacity");
  EXPECT_FALSE(readCapacity(json(R"({"resourceType":"HealthcareService"})")));
  EXPECT_EQ(readCapacity(json(service(2, 1, "")))->status, "");
}

TEST(WorkflowCapacity, WritesTheExtensionInPlace) {
  rapidjson::Document s = json(service(15, 3));
  writeCapacity(s, Capacity{15, 2, "capacity"}, s.GetAllocator());
  EXPECT_EQ(text(s), text(json(service(15, 2))));
  // Status added where it was missing; a service without the extension gets one.
  rapidjson::Document noStatus = json(service(4, 1, ""));
  writeCapacity(noStatus, Capacity{4, 0, "no-capacity"}, noStatus.GetAllocator());
  EXPECT_EQ(readCapacity(noStatus)->status, "no-capacity");
  rapidjson::Document bare = json(R"({"resourceType":"HealthcareService"})");
  writeCapacity(bare, Capacity{3, 3, ""}, bare.GetAllocator());
  EXPECT_EQ(readCapacity(bare)->free, 3);
}

TEST(WorkflowCapacity, RoomMeansAFreePlaceAndAnOpenStatus) {
  EXPECT_TRUE(hasRoom({5, 1, "capacity"}));
  EXPECT_TRUE(hasRoom({5, 1, ""}));
  EXPECT_TRUE(hasRoom({5, 1, "additional-assessment-required"}));
  EXPECT_FALSE(hasRoom({5, 0, "capacity"}));
  EXPECT_FALSE(hasRoom({5, 2, "no-capacity"}));
  EXPECT_FALSE(hasRoom({5, 2, "waitlist"}));
  EXPECT_EQ(describeCapacity({15, 0, "no-capacity"}), "0 of 15 places free, status no-capacity");
}

TEST(WorkflowCapacity, TakingTheLastPlaceAndGivingItBack) {
  const Capacity last = takePlace({15, 1, "capacity"});
  EXPECT_EQ(last.free, 0);
  EXPECT_EQ(last.status, "no-capacity");
  const Capacity back = giveBackPlace(last);
  EXPECT_EQ(back.free, 1);
  EXPECT_EQ(back.status, "capacity");
  EXPECT_EQ(takePlace({15, 5, "capacity"}).status, "capacity");
  // A status the directory chose is left alone; free never passes total.
  EXPECT_EQ(giveBackPlace({15, 0, "waitlist"}).status, "waitlist");
  EXPECT_EQ(giveBackPlace({15, 15, "capacity"}).free, 15);
}

TEST(WorkflowCapacity, WhichMovesTakeAndGiveBack) {
  using S = TaskStatus;
  EXPECT_EQ(placeEffect(S::kRequested, S::kAccepted), PlaceEffect::kTake);
  EXPECT_EQ(placeEffect(S::kReceived, S::kAccepted), PlaceEffect::kTake);
  EXPECT_EQ(placeEffect(std::nullopt, S::kInProgress), PlaceEffect::kTake);  // owner's own record
  EXPECT_EQ(placeEffect(std::nullopt, S::kRequested), PlaceEffect::kNone);
  EXPECT_EQ(placeEffect(S::kAccepted, S::kInProgress), PlaceEffect::kNone);
  EXPECT_EQ(placeEffect(S::kInProgress, S::kOnHold), PlaceEffect::kNone);
  for (S to : {S::kCompleted, S::kFailed, S::kCancelled, S::kEnteredInError}) {
    EXPECT_EQ(placeEffect(S::kInProgress, to), PlaceEffect::kGiveBack) << statusCode(to);
  }
  EXPECT_EQ(placeEffect(S::kOnHold, S::kCompleted), PlaceEffect::kGiveBack);
  EXPECT_EQ(placeEffect(S::kRequested, S::kRejected), PlaceEffect::kNone);
  EXPECT_EQ(placeEffect(S::kRequested, S::kCancelled), PlaceEffect::kNone);
}

TEST(WorkflowCapacity, FullUpdatesKeepTheFreePlaces) {
  bool changed = false;
  // A stale copy says 5 free, but 2 are free now: 2 stay.
  Capacity kept = reconcileCapacity({15, 2, "capacity"}, {15, 5, "capacity"}, false, changed);
  EXPECT_EQ(kept.free, 2);
  EXPECT_TRUE(changed);
  // Three more places: three more free.
  kept = reconcileCapacity({15, 2, "capacity"}, {18, 2, "capacity"}, false, changed);
  EXPECT_EQ(kept.free, 5);
  EXPECT_TRUE(changed);
  // Fewer places than are free: free shrinks to total.
  kept = reconcileCapacity({15, 10, "capacity"}, {4, 10, "capacity"}, false, changed);
  EXPECT_EQ(kept.free, 0);
  kept = reconcileCapacity({15, 2, "capacity"}, {15, 2, "no-capacity"}, false, changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(kept.status, "no-capacity");
  // A patch sets them explicitly (within 0..total).
  kept = reconcileCapacity({15, 2, "capacity"}, {15, 9, "capacity"}, true, changed);
  EXPECT_EQ(kept.free, 9);
  EXPECT_FALSE(changed);
}

}  // namespace
}  // namespace sp::workflow
