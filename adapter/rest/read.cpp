// read and vread.
#include "fhir/errors.h"
#include "rest/interactions.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

[[noreturn]] void throwGone(const Route& route) {
  throw FhirError(ErrorKind::kGone, "deleted", route.type + "/" + route.id + " was deleted");
}

}  // namespace

InteractionResult readResource(const ApiContext& ctx, store::StoreTransaction& tx,
                               const Route& route, const InteractionInput& in) {
  auto current = tx.current(route.type, route.id, false);
  if (!current) {
    throw FhirError(ErrorKind::kNotFound, "not-found", route.type + "/" + route.id + " not found");
  }
  if (current->deleted) throwGone(route);
  InteractionResult result;
  if (!in.ifNoneMatch.empty() && fhir::parseEtagVersion(in.ifNoneMatch) == current->versionId) {
    result.status = 304;
    result.notModified = true;
  } else {
    if (ctx.readView) ctx.readView->present(in.caller, *current);
  }
  result.version = std::move(current);
  return result;
}

InteractionResult vreadResource(const ApiContext& ctx, store::StoreTransaction& tx,
                                const Route& route, const InteractionInput& in) {
  const auto versionId = fhir::parseEtagVersion(route.versionId);
  auto version = versionId ? tx.version(route.type, route.id, *versionId) : std::nullopt;
  if (!version) {
    throw FhirError(ErrorKind::kNotFound, "not-found",
                    route.type + "/" + route.id + " has no version " + route.versionId);
  }
  if (version->deleted) throwGone(route);
  if (ctx.readView) ctx.readView->present(in.caller, *version);
  InteractionResult result;
  result.version = std::move(version);
  return result;
}

}  // namespace sp::rest
