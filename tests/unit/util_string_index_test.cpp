// Interning strings as small numbers (util/string_index.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/string_index.h"

namespace sp::util {
namespace {

TEST(UtilStringIndexTest, NumbersDistinctStringsInFirstSeenOrder) {
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back("Patient/" + std::to_string(i % 1700));
  StringIndex index(4);  // grows many times
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto [number, added] = index.add(keys[i]);
    EXPECT_EQ(number, static_cast<int>(i % 1700));
    EXPECT_EQ(added, i < 1700);
  }
  EXPECT_EQ(index.size(), 1700u);
  EXPECT_EQ(index.find("Patient/1699"), 1699);
  EXPECT_EQ(index.find("Patient/1700"), -1);
  EXPECT_EQ(index.find(""), -1);
  EXPECT_EQ(index.add("").first, 1700);
  EXPECT_EQ(index.find(""), 1700);
}

}  // namespace
}  // namespace sp::util
