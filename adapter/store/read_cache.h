// What one transaction has already read or written, so that asking again costs no round trip
// to the database: the current version of a resource, and the ids an identifier names.
//
// A processed message resolves the same Organization, PractitionerRole or Task several times
// (references, access rules, workflow rules); within one transaction each is read once. The
// transaction's own writes update what is remembered, so it always sees them. What the cache
// does not know it says so (nullptr), and the caller asks the database.
//
// Rules the store keeps (store/pg/pg_resource_store.cpp):
// - a read that locks (`current(..., forUpdate)`) always goes to the database, then is remembered;
// - after an advisory lock, identifier look-ups are forgotten: the lock exists so that what
//   others committed before it is seen (conditional create);
// - a savepoint rolled back forgets everything.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/resource_store.h"

namespace sp::store {

class ReadCache {
 public:
  // The remembered current version (an empty optional: known not to exist); nullptr: unknown.
  const std::optional<ResourceVersion>* current(const std::string& type,
                                                const std::string& id) const {
    const auto it = current_.find({type, id});
    return it == current_.end() ? nullptr : &it->second;
  }

  void rememberCurrent(const std::string& type, const std::string& id,
                       const std::optional<ResourceVersion>& version) {
    current_[{type, id}] = version;
  }

  // The transaction wrote `v`: it is now the current version, and identifier look-ups of its
  // type may have changed.
  void wrote(const ResourceVersion& v) {
    current_[{v.type, v.id}] = v;
    forgetIdentifiersOf(v.type);
  }

  const std::vector<std::string>* identified(const std::string& type,
                                             const IdentifierToken& token) const {
    const auto it = identified_.find(identifierKey(type, token));
    return it == identified_.end() ? nullptr : &it->second;
  }

  void rememberIdentified(const std::string& type, const IdentifierToken& token,
                          std::vector<std::string> ids) {
    identified_[identifierKey(type, token)] = std::move(ids);
  }

  void forgetIdentifiers() { identified_.clear(); }

  void clear() {
    current_.clear();
    identified_.clear();
  }

 private:
  using IdentifierKey = std::pair<std::string, std::pair<std::string, std::string>>;
  static IdentifierKey identifierKey(const std::string& type, const IdentifierToken& token) {
    return {type, {token.system, token.value}};
  }

  void forgetIdentifiersOf(const std::string& type) {
    auto it = identified_.lower_bound({type, {}});
    while (it != identified_.end() && it->first.first == type) it = identified_.erase(it);
  }

  std::map<std::pair<std::string, std::string>, std::optional<ResourceVersion>> current_;
  std::map<IdentifierKey, std::vector<std::string>> identified_;
};

}  // namespace sp::store
