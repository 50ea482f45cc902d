// The FHIR REST API as one transport-neutral entry point: a RestRequest in, a RestResponse out.
//
// handle() answers every FhirError as an OperationOutcome with the status from rest/status_map;
// any other exception is a fault and propagates to the edge (which logs it and answers 500).
// It identifies the caller from the request's certificate (security/caller.h) before anything
// else, and records each refused or failed request and each message in the audit trail
// (successful interactions are recorded by performInteraction, in their own transaction).
// Thread-safe: concurrent calls share only the store and read-only definitions.
#pragma once

#include <string>

#include "fhir/definitions.h"
#include "fhir/errors.h"
#include "fhir/ids.h"
#include "rest/capability.h"
#include "rest/interactions.h"
#include "rest/operations.h"
#include "rest/read_view.h"
#include "rest/rest_types.h"
#include "security/organisation_registry.h"
#include "store/resource_store.h"

namespace sp::rest {

class FhirApi {
 public:
  FhirApi(store::ResourceStore& store, const fhir::Definitions& definitions,
          const fhir::Clock& clock, fhir::IdGenerator& ids, ApiLimits limits, ServerInfo info,
          const validation::Validator* validator = nullptr, const WriteRules* rules = nullptr,
          const search::IndexExtractor* indexer = nullptr);

  RestResponse handle(const RestRequest& request);

  // What the use cases plug in (each must outlive the API; call before the first request):
  // the operation table (the CapabilityStatement lists its FHIR operations), the view that read
  // and vread answer with (null: the stored body), the rules that also run for the workflow's
  // own writes (delivery), and the partner organisations (without them, every certificate is
  // unknown).
  void useOperations(const Operations* operations);
  void useReadView(const ReadView* view) { ctx_.readView = view; }
  void useFollowOnRules(const WriteRules* rules) { ctx_.followOnRules = rules; }
  void useRegistry(const security::OrganisationRegistry* registry) { registry_ = registry; }

  // What every interaction runs with, for work outside a request (the handover sweep, messages).
  const ApiContext& context() const { return ctx_; }

 private:
  RestResponse dispatch(const RestRequest& request, const security::Caller& caller,
                        std::optional<Route>& route);
  // Records a request in the audit trail in a transaction of its own: a refused or failed one,
  // or a whole message.
  void auditRequest(const RestRequest& request, const security::Caller& caller,
                    const std::optional<Route>& route, int status);
  void writeAudit(const store::AuditRecord& record);
  RestResponse interactionResponse(const RestRequest& request, const InteractionResult& result,
                                   const std::string& contentType);
  std::shared_ptr<rapidjson::Document> parseBody(const RestRequest& request, bool isPatch);

  store::ResourceStore& store_;
  ApiContext ctx_;
  ServerInfo info_;
  std::string capabilityJson_;
  const security::OrganisationRegistry* registry_ = nullptr;
};

// An OperationOutcome response for an error.
RestResponse errorResponse(const fhir::FhirError& error);

}  // namespace sp::rest
