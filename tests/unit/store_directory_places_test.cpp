#include <gtest/gtest.h>

#include "store/pg/directory_places.h"

namespace sp::store::pg {
namespace {

PendingVersion pending(const std::string& type, const std::string& id) {
  PendingVersion p;
  p.version.type = type;
  p.version.id = id;
  p.version.versionId = 1;
  return p;
}

TEST(DirectoryPlaces, ABatchWithoutServicesOrLocationsRefreshesNothing) {
  EXPECT_FALSE(directoryPlacesRefresh({}).has_value());
  EXPECT_FALSE(directoryPlacesRefresh({pending("Task", "t1"), pending("ServiceRequest", "sr1"),
                                       pending("Organization", "o1")})
                   .has_value());
}

TEST(DirectoryPlaces, ServicesAndLocationsOfTheBatchAreNamedAndNothingElse) {
  const auto refresh =
      directoryPlacesRefresh({pending("Task", "t1"), pending("HealthcareService", "hs1"),
                              pending("Location", "loc1"), pending("Patient", "p1")});
  ASSERT_TRUE(refresh.has_value());
  ASSERT_EQ(refresh->params.size(), 2u);
  EXPECT_EQ(refresh->params[0], R"({"HealthcareService","Location"})");
  EXPECT_EQ(refresh->params[1], R"({"hs1","loc1"})");
  EXPECT_NE(refresh->sql.find("DELETE FROM idx_geo"), std::string::npos);
  EXPECT_NE(refresh->sql.find("INSERT INTO idx_geo"), std::string::npos);
}

}  // namespace
}  // namespace sp::store::pg
