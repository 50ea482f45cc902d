// Small numbers for strings: each distinct string is given the next number (0, 1, 2, ...) the
// first time it is added, so that callers can count, group and join by number in plain vectors
// (the impact report does, on a hundred thousand referrals).
// Open addressing with each string's hash kept beside its number: a lookup usually touches one
// slot and the one string it matches, where std::unordered_map also follows a bucket and a node.
// The strings are not copied: the views must stay valid as long as the index. Pure; not
// thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace sp::util {

class StringIndex {
 public:
  explicit StringIndex(std::size_t expected = 0);

  // The number of `key`, given the next one when it is new; second: whether it was new.
  std::pair<int, bool> add(std::string_view key);
  // The number of `key`, or -1 when it was never added.
  int find(std::string_view key) const;
  std::size_t size() const { return keys_.size(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    int number = -1;  // -1: empty
  };
  // The slot holding `key`, or the empty slot where it would go.
  std::size_t slotOf(std::string_view key, std::uint64_t hash) const;
  void grow();

  std::vector<Slot> slots_;  // a power of two, at most half full
  std::vector<std::string_view> keys_;  // by number
};

}  // namespace sp::util
