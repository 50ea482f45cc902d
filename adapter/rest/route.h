// Which FHIR interaction a method and path ask for. Pure: used for top-level requests and for
// the entries of batch and transaction Bundles alike.
#pragma once

#include <string>

#include "fhir/definitions.h"
#include "rest/operations.h"

namespace sp::rest {

enum class Interaction {
  kCapabilities,       // GET metadata
  kHealth,             // GET healthz
  kBatch,              // POST /  (batch or transaction Bundle)
  kHistorySystem,      // GET _history
  kCreate,             // POST Type
  kConditionalUpdate,  // PUT Type?criteria
  kSearchType,         // GET Type
  kHistoryType,        // GET Type/_history
  kRead,               // GET Type/id
  kUpdate,             // PUT Type/id
  kPatch,              // PATCH Type/id
  kDelete,             // DELETE Type/id
  kHistoryInstance,    // GET Type/id/_history
  kVread,              // GET Type/id/_history/vid
  kValidate,           // POST Type/$validate, POST Type/id/$validate
  kSearchSystem,       // GET /?_type=...
  kOperation,          // an entry of the operation table (rest/operations.h) at its level
};

struct Route {
  Interaction interaction;
  std::string type;
  std::string id;
  std::string versionId;
  const OperationEntry* operation = nullptr;  // kOperation: its entry in the table
};

// Throws FhirError: kNotFound for a path that names nothing (or an unknown resource type),
// kMethodNotAllowed (with the allowed methods in the diagnostics) when the path exists but the
// method does not, kInvalid for a malformed id. `hasQuery` tells PUT Type?criteria apart.
// `operations` (null: none) are the operations the path may name besides $validate.
Route parseRoute(const std::string& method, const std::string& path, bool hasQuery,
                 const fhir::Definitions& definitions, const Operations* operations = nullptr);

// The methods a path accepts, for the Allow header of a 405 ("GET, PUT, PATCH, DELETE").
std::string allowedMethods(const std::string& path, const fhir::Definitions& definitions,
                           const Operations* operations = nullptr);

}  // namespace sp::rest
