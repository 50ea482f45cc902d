// A current resource read from the store and parsed, as the use cases read what a write
// refers to (the referral of a Task, the service of a referral).
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>

#include "store/resource_store.h"

namespace sp::services {

struct ParsedResource {
  store::ResourceVersion version;
  rapidjson::Document doc;
};

// The current version of Type/id parsed; null when `id` is empty, or the resource is absent or
// deleted. `forUpdate` locks its row until the transaction ends.
std::unique_ptr<ParsedResource> loadResource(store::StoreTransaction& tx, const std::string& type,
                                             const std::string& id, bool forUpdate = false);

}  // namespace sp::services
