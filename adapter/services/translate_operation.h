// ConceptMap/$translate and ConceptMap/[id]/$translate (FHIR R4), GET with query parameters or
// POST with a Parameters body. The answer is a Parameters resource with `result`, `message` and
// one `match` per translation (`equivalence`, `concept`, `source`).
//
// Which maps: the instance's stored ConceptMap; else the `conceptMap` given inline; else the
// loaded map with `url` (and `conceptMapVersion`); else every loaded map whose scope fits
// `source` and `target` (swapped when `reverse`).
#pragma once

#include "mapping/mapping_set.h"
#include "rest/interactions.h"

namespace sp::services {

// Registered for ConceptMap at type and instance level, GET and POST. `mappings` are the loaded
// maps (null: only stored or inline maps); they must outlive the operation. Thread-safe.
class TranslateOperation : public rest::Operation {
 public:
  explicit TranslateOperation(const mapping::MappingSet* mappings) : mappings_(mappings) {}
  rest::InteractionResult run(const rest::ApiContext& ctx, store::StoreTransaction& tx,
                              const rest::Route& route,
                              const rest::InteractionInput& in) const override;

 private:
  const mapping::MappingSet* mappings_;
};

}  // namespace sp::services
