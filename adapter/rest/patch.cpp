// PATCH with a JSON Patch document.
#include "fhir/errors.h"
#include "fhir/json.h"
#include "fhir/json_patch.h"
#include "rest/interactions.h"
#include "rest/resource_write.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

InteractionResult patchResource(const ApiContext& ctx, store::StoreTransaction& tx,
                                const Route& route, const InteractionInput& in) {
  if (!in.body) throw FhirError(ErrorKind::kInvalid, "required", "The request has no patch");
  auto current = tx.current(route.type, route.id, true);
  if (!current) {
    throw FhirError(ErrorKind::kNotFound, "not-found", route.type + "/" + route.id + " not found");
  }
  if (current->deleted) {
    throw FhirError(ErrorKind::kGone, "deleted", route.type + "/" + route.id + " was deleted");
  }
  checkIfMatch(in.ifMatch, current);
  rapidjson::Document resource;
  fhir::parseJson(current->body, resource);
  fhir::applyJsonPatch(resource, *in.body);
  // The patched result must still be this resource.
  if (!resource.IsObject() || fhir::getString(resource, "resourceType") != route.type ||
      fhir::getString(resource, "id") != route.id) {
    throw FhirError(ErrorKind::kUnprocessable, "processing",
                    "The patch may not change resourceType or id");
  }
  InteractionResult result;
  writeVersion(ctx, tx, route.type, route.id, resource, current, "PATCH", in, result);
  return result;
}

}  // namespace sp::rest
