// Small numbers for strings: each distinct string is given the next number (0, 1, 2, ...) the
// first time it is added, so that callers can count, group and join by number in plain vectors
// (the impact report does, on a hundred thousand referrals).
// Open addressing with each string's hash kept beside its number: a lookup usually touches one
// slot and the one string it matches, where std::unordered_map also follows a bucket and a node.
// The strings are copied one after another into one buffer, so that the strings a lookup
// compares lie close together (a hundred thousand 44-byte people's references fit in a few
// megabytes, where the strings they were copied from are spread over the heap). Pure; not
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
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
  std::size_t size() const { return spans_.size(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    int number = -1;  // -1: empty
  };
  // The slot holding `key`, or the empty slot where it would go.
  std::size_t slotOf(std::string_view key, std::uint64_t hash) const;
  void grow();

  std::string_view keyOf(int number) const {
    const auto& [at, length] = spans_[static_cast<std::size_t>(number)];
    return std::string_view(bytes_.data() + at, length);
  }

  std::vector<Slot> slots_;  // a power of two, at most half full
  std::string bytes_;        // the strings, by number, one after another
  std::vector<std::pair<std::size_t, std::size_t>> spans_;  // by number: offset and length
};

}  // namespace sp::util
