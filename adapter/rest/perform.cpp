#include "fhir/errors.h"
#include "rest/access_control.h"
#include "rest/audit_trail.h"
#include "rest/interactions.h"

namespace sp::rest {

bool isReadOnly(const Route& route) {
  switch (route.interaction) {
    case Interaction::kRead:
    case Interaction::kVread:
    case Interaction::kHistoryInstance:
    case Interaction::kHistoryType:
    case Interaction::kHistorySystem:
    case Interaction::kSearchType:
    case Interaction::kSearchSystem:
    case Interaction::kValidate:
    case Interaction::kCapabilities:
    case Interaction::kHealth:
      return true;
    case Interaction::kOperation:
      return route.operation && route.operation->readOnly;
    default:
      return false;
  }
}

namespace {

InteractionResult run(const ApiContext& ctx, store::StoreTransaction& tx, const Route& route,
                      const InteractionInput& in) {
  // The audit trail is served from its own table (rest/audit_trail.h), not from versions.
  if (route.type == "AuditEvent" && route.interaction != Interaction::kOperation) {
    return auditEventInteraction(ctx, tx, route, in);
  }
  switch (route.interaction) {
    case Interaction::kRead:
      return readResource(ctx, tx, route, in);
    case Interaction::kVread:
      return vreadResource(ctx, tx, route, in);
    case Interaction::kCreate:
      return createResource(ctx, tx, route, in);
    case Interaction::kUpdate:
      return updateResource(ctx, tx, route, in);
    case Interaction::kConditionalUpdate:
      return conditionalUpdate(ctx, tx, route, in);
    case Interaction::kPatch:
      return patchResource(ctx, tx, route, in);
    case Interaction::kDelete:
      return deleteResource(ctx, tx, route, in);
    case Interaction::kHistoryInstance:
    case Interaction::kHistoryType:
    case Interaction::kHistorySystem:
      return history(ctx, tx, route, in);
    case Interaction::kValidate:
      return validateOperation(ctx, tx, route, in);
    case Interaction::kSearchType:
    case Interaction::kSearchSystem:
      return searchResources(ctx, tx, route, in);
    case Interaction::kOperation:
      if (route.operation && route.operation->operation) {
        return route.operation->operation->run(ctx, tx, route, in);
      }
      break;
    default:
      break;
  }
  throw fhir::FhirError(fhir::ErrorKind::kInvalid, "not-supported",
                        "This interaction cannot be used here");
}

}  // namespace

InteractionResult performInteraction(const ApiContext& ctx, store::StoreTransaction& tx,
                                     const Route& route, const InteractionInput& input) {
  InteractionInput in = input;
  authoriseInteraction(ctx, tx, route, in);
  InteractionResult result = run(ctx, tx, route, in);
  // In the interaction's transaction: a write and its audit record commit together.
  tx.recordAudit(auditRecordOf(ctx, route, in, result.status, result.version));
  return result;
}

}  // namespace sp::rest
