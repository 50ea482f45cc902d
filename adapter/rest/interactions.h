// The FHIR REST interactions, one function each, over a StoreTransaction.
//
// Each function receives what the request says (route, parsed body, conditional headers) and
// returns an InteractionResult; it throws fhir::FhirError when the request cannot go on. None of
// them opens a transaction: the caller decides whether an interaction runs alone or as one entry
// of a transaction Bundle.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>

#include "fhir/definitions.h"
#include "fhir/ids.h"
#include "rest/operations.h"
#include "rest/read_view.h"
#include "rest/rest_types.h"
#include "rest/route.h"
#include "rest/write_rules.h"
#include "security/caller.h"
#include "store/resource_store.h"

namespace sp::validation {
class Validator;
}
namespace sp::search {
class IndexExtractor;
}

namespace sp::rest {

struct ApiLimits {
  std::size_t maxBodyBytes = 4 * 1024 * 1024;
  std::size_t maxJsonDepth = 64;
  int defaultPageSize = 50;
  int maxPageSize = 500;
  std::size_t maxBundleEntries = 1000;
  std::size_t maxSearchParameters = 50;  // more in one search: 400
};

struct ApiContext {
  const fhir::Definitions& definitions;
  const fhir::Clock& clock;
  fhir::IdGenerator& ids;
  ApiLimits limits;
  const validation::Validator* validator = nullptr;  // null: structural checks only
  const WriteRules* rules = nullptr;                 // null: none
  const search::IndexExtractor* indexer = nullptr;   // null: no search index is written
  const Operations* operations = nullptr;            // null: none but $validate
  const ReadView* readView = nullptr;                // null: read answers the stored body
  // Rules that also see the versions the workflow writes itself (a Task it creates or moves, a
  // referral it follows): the delivery rules, so the adapter's own changes notify partners like
  // theirs do. null: none.
  const WriteRules* followOnRules = nullptr;
};

// What one interaction needs from its request besides the route.
struct InteractionInput {
  QueryParams query;
  std::shared_ptr<rapidjson::Document> body;  // parsed resource or patch; null when none
  std::string ifMatch;
  std::string ifNoneMatch;
  std::string ifNoneExist;
  std::string baseUrl;
  std::string assignedId;       // create: use this id (a transaction resolved it in advance)
  bool strictHandling = false;  // Prefer: handling=strict
  // Who asks (default: the adapter's own work, which no access rule limits), and the ids the
  // audit trail records with each interaction.
  security::Caller caller;
  std::string requestId;
  std::string correlationId;
  // Set by authoriseInteraction: what search and history may return (absent: everything).
  std::optional<store::AccessFilter> access;
};

struct InteractionResult {
  int status = 200;
  std::optional<store::ResourceVersion> version;  // the resource read or written
  std::string bundleBody;                         // for history and other Bundle answers
  std::string outcomeBody;  // an OperationOutcome to show instead of a resource
  bool notModified = false;
  std::vector<fhir::Issue> warnings;  // accepted, but worth telling the caller
};

InteractionResult readResource(const ApiContext&, store::StoreTransaction&, const Route&,
                               const InteractionInput&);
InteractionResult vreadResource(const ApiContext&, store::StoreTransaction&, const Route&,
                                const InteractionInput&);
InteractionResult createResource(const ApiContext&, store::StoreTransaction&, const Route&,
                                 const InteractionInput&);
InteractionResult updateResource(const ApiContext&, store::StoreTransaction&, const Route&,
                                 const InteractionInput&);
InteractionResult conditionalUpdate(const ApiContext&, store::StoreTransaction&, const Route&,
                                    const InteractionInput&);
InteractionResult patchResource(const ApiContext&, store::StoreTransaction&, const Route&,
                                const InteractionInput&);
InteractionResult deleteResource(const ApiContext&, store::StoreTransaction&, const Route&,
                                 const InteractionInput&);
// $validate at type or instance level: always answers an OperationOutcome (in outcomeBody).
InteractionResult validateOperation(const ApiContext&, store::StoreTransaction&, const Route&,
                                    const InteractionInput&);
// ConceptMap/$translate (type or instance level): answers a Parameters resource (in bundleBody).
InteractionResult translateOperation(const ApiContext&, store::StoreTransaction&, const Route&,
                                     const InteractionInput&);
// Type search (route.type set) or system search (route.type empty).
InteractionResult searchResources(const ApiContext&, store::StoreTransaction&, const Route&,
                                  const InteractionInput&);
InteractionResult history(const ApiContext&, store::StoreTransaction&, const Route&,
                          const InteractionInput&);

// Runs the interaction a route names (not kBatch, kCapabilities, kHealth, nor an operation that
// takes the whole request): checks the caller's access (rest/access_control.h), runs it, and
// records it in the audit trail in `tx`.
InteractionResult performInteraction(const ApiContext&, store::StoreTransaction&, const Route&,
                                     const InteractionInput&);
// True when the route's work needs no read-write transaction.
bool isReadOnly(const Route& route);

}  // namespace sp::rest
