// batch and transaction Bundles (POST /).
//
// A transaction is all or nothing: every entry runs inside one store transaction, `urn:uuid:`
// (and other fullUrl) references between entries are resolved to the ids assigned, and entries
// run in the spec's order (DELETE, POST, PUT/PATCH, GET). A failing entry fails the whole
// Bundle with its own status and an expression `Bundle.entry[i]`; when entries are refused for
// their content (400, 422: validation, references naming nothing), every such entry's issues are
// gathered into the one answer, so the sender sees all that needs fixing at once. A batch runs
// each entry on its own and reports each outcome in its response entry.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rest/interactions.h"
#include "store/resource_store.h"

namespace sp::rest {

// Returns the response Bundle's JSON (batch-response or transaction-response). Throws
// FhirError for a malformed Bundle or a failed transaction. Every entry runs as `origin`'s
// caller, with its request and correlation ids.
std::string processBundle(const ApiContext& ctx, store::ResourceStore& store,
                          const rapidjson::Value& bundle, const std::string& baseUrl,
                          bool returnRepresentation, const InteractionInput& origin);

// What a transaction run inside the caller's store transaction did: each entry's version (in
// entry order; absent for an entry that read nothing) and every fullUrl mapped to "Type/id".
struct TransactionRun {
  std::vector<std::optional<store::ResourceVersion>> versions;
  std::map<std::string, std::string> resolved;
};

// Runs the entries of a transaction Bundle inside `tx`, which the caller owns (and retries):
// the same preparation, urn:uuid resolution and order as POST / of a transaction. Used by
// $process-message, which writes more than the entries in the same transaction. Each record
// entry runs as `origin` says (its caller, for the access rules and the audit trail; its
// organisation, for its mappings); directory and shared entries run as the adapter on the
// caller's behalf.
TransactionRun runTransactionIn(const ApiContext& ctx, store::StoreTransaction& tx,
                                const rapidjson::Value& bundle, const std::string& baseUrl,
                                const InteractionInput& origin);

}  // namespace sp::rest
