// Shared steps of every write: structural checks on an incoming resource and the append of a
// new version with server-set id and meta.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

#include "rest/interactions.h"
#include "store/resource_store.h"

namespace sp::rest {

// Checks that `resource` is a JSON object whose resourceType is `type`. Throws kInvalid.
void requireResourceOfType(const rapidjson::Value& resource, const std::string& type);

// The write path of every interaction: runs the write rules, sets id, meta.versionId and
// meta.lastUpdated, validates (422 with every issue), appends the version after `previous`
// (absent or deleted: the history goes on from its version number), runs the rules' afterWrite.
// Fills result.version (status untouched) and result.warnings.
void writeVersion(const ApiContext& ctx, store::StoreTransaction& tx, const std::string& type,
                  const std::string& id, rapidjson::Document& resource,
                  const std::optional<store::ResourceVersion>& previous, const std::string& method,
                  const InteractionInput& in, InteractionResult& result);

// A tag a stored message is found by: meta.tag system and code.
struct MessageTag {
  std::string system;
  std::string code;
};

// Keeps a message (received, answered or pushed) as the Bundle resource `id`, tagged for search
// (tags with no code are left out): written without validation or write rules, its entries
// having been validated when they were written.
void storeMessageBundle(const ApiContext& ctx, store::StoreTransaction& tx, const std::string& id,
                        rapidjson::Document& bundle, const std::vector<MessageTag>& tags);

// The identifier index entries of a resource (top-level `identifier`, array or single).
std::vector<store::IdentifierToken> identifierTokens(const rapidjson::Value& resource);

// Ids of current resources of `type` that match search criteria such as
// "identifier=system|value" or "_id=x". Only `_id` and `identifier` are understood; other
// parameters throw kInvalid, as do criteria that are empty.
std::vector<std::string> matchCriteria(store::StoreTransaction& tx, const std::string& type,
                                       const QueryParams& criteria);

// The advisory-lock key that serialises conditional writes with the same criteria.
std::string conditionalLockKey(const std::string& type, const QueryParams& criteria);

// Throws kPreconditionFailed when `ifMatch` is set and names another version than `current`.
void checkIfMatch(const std::string& ifMatch, const std::optional<store::ResourceVersion>& current);

}  // namespace sp::rest
