#include "util/string_index.h"

#include <functional>

namespace sp::util {
namespace {

std::size_t capacityFor(std::size_t count) {
  std::size_t capacity = 16;
  while (capacity < count * 2) capacity *= 2;
  return capacity;
}

std::uint64_t hashOf(std::string_view key) { return std::hash<std::string_view>()(key); }

}  // namespace

StringIndex::StringIndex(std::size_t expected) : slots_(capacityFor(expected)) {
  spans_.reserve(expected);
}

std::size_t StringIndex::slotOf(std::string_view key, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.number < 0) return i;
    if (slot.hash == hash && keyOf(slot.number) == key) return i;
  }
}

std::pair<int, bool> StringIndex::add(std::string_view key) {
  const std::uint64_t hash = hashOf(key);
  std::size_t i = slotOf(key, hash);
  if (slots_[i].number >= 0) return {slots_[i].number, false};
  if ((spans_.size() + 1) * 2 > slots_.size()) {
    grow();
    i = slotOf(key, hash);
  }
  const int number = static_cast<int>(spans_.size());
  spans_.emplace_back(bytes_.size(), key.size());
  bytes_.append(key.data(), key.size());
  slots_[i] = Slot{hash, number};
  return {number, true};
}

int StringIndex::find(std::string_view key) const {
  return slots_[slotOf(key, hashOf(key))].number;
}

void StringIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.number < 0) continue;
    std::size_t i = slot.hash & mask;
    while (slots_[i].number >= 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace sp::util
