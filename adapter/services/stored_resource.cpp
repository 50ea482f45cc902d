#include "services/stored_resource.h"

#include "fhir/json.h"

namespace sp::services {

std::unique_ptr<ParsedResource> loadResource(store::StoreTransaction& tx, const std::string& type,
                                             const std::string& id, bool forUpdate) {
  if (id.empty()) return nullptr;
  auto v = tx.current(type, id, forUpdate);
  if (!v || v->deleted || v->body.empty()) return nullptr;
  auto loaded = std::make_unique<ParsedResource>();
  loaded->version = std::move(*v);
  fhir::parseJson(loaded->version.body, loaded->doc);
  return loaded;
}

}  // namespace sp::services
