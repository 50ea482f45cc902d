// What a caller is shown of a stored version on read and vread: a use case may add to the body
// (the partner's own codes beside the canonical ones, services/code_mapping.h). The stored
// resource, its version and ETag stay as they are. Implementations are thread-safe.
#pragma once

#include "security/caller.h"
#include "store/resource_store.h"

namespace sp::rest {

class ReadView {
 public:
  virtual ~ReadView() = default;
  // Changes `version.body` for `caller` (never for a deletion).
  virtual void present(const security::Caller& caller, store::ResourceVersion& version) const = 0;
};

}  // namespace sp::rest
