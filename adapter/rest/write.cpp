// create, update (also create with a client-chosen id), conditional update and delete.
#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/interactions.h"
#include "rest/resource_write.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

rapidjson::Document& requireBody(const InteractionInput& in) {
  if (!in.body) throw FhirError(ErrorKind::kInvalid, "required", "The request has no body");
  return *in.body;
}

// Writes a version and answers with `status`.
InteractionResult written(const ApiContext& ctx, store::StoreTransaction& tx,
                          const std::string& type, const std::string& id, rapidjson::Document& body,
                          const std::optional<store::ResourceVersion>& previous,
                          const std::string& method, const InteractionInput& in, int status) {
  InteractionResult result;
  result.status = status;
  writeVersion(ctx, tx, type, id, body, previous, method, in, result);
  return result;
}

// Update or create `id`; the body's id must be `id`.
InteractionResult putWithId(const ApiContext& ctx, store::StoreTransaction& tx,
                            const std::string& type, const std::string& id,
                            const InteractionInput& in) {
  rapidjson::Document& body = requireBody(in);
  requireResourceOfType(body, type);
  const std::string bodyId = fhir::getString(body, "id");
  if (bodyId.empty()) {
    throw FhirError(ErrorKind::kInvalid, "required", "An update needs the resource id in the body",
                    "id");
  }
  if (bodyId != id) {
    throw FhirError(ErrorKind::kInvalid, "invalid",
                    "The body's id '" + bodyId + "' does not match the URL's id '" + id + "'",
                    "id");
  }
  // The advisory lock comes first, always: it serialises creates of a client-chosen id (no
  // row to lock yet) and keeps one lock order with the row lock taken next.
  tx.lockKey("resource:" + type + "/" + id);
  auto current = tx.current(type, id, true);
  checkIfMatch(in.ifMatch, current);
  const bool creates = !current || current->deleted;
  return written(ctx, tx, type, id, body, current, "PUT", in, creates ? 201 : 200);
}

}  // namespace

InteractionResult createResource(const ApiContext& ctx, store::StoreTransaction& tx,
                                 const Route& route, const InteractionInput& in) {
  rapidjson::Document& body = requireBody(in);
  requireResourceOfType(body, route.type);
  if (!in.ifNoneExist.empty()) {
    const QueryParams criteria = parseQueryString(in.ifNoneExist);
    tx.lockKey(conditionalLockKey(route.type, criteria));
    const auto matches = matchCriteria(tx, route.type, criteria);
    if (matches.size() > 1) {
      throw FhirError(ErrorKind::kPreconditionFailed, "multiple-matches",
                      "If-None-Exist matches " + std::to_string(matches.size()) + " resources");
    }
    if (matches.size() == 1) {
      InteractionResult existing;
      existing.status = 200;
      existing.version = tx.current(route.type, matches.front(), false);
      return existing;
    }
  }
  const std::string id = in.assignedId.empty() ? ctx.ids.newId() : in.assignedId;
  return written(ctx, tx, route.type, id, body, std::nullopt, "POST", in, 201);
}

InteractionResult updateResource(const ApiContext& ctx, store::StoreTransaction& tx,
                                 const Route& route, const InteractionInput& in) {
  return putWithId(ctx, tx, route.type, route.id, in);
}

InteractionResult conditionalUpdate(const ApiContext& ctx, store::StoreTransaction& tx,
                                    const Route& route, const InteractionInput& in) {
  rapidjson::Document& body = requireBody(in);
  requireResourceOfType(body, route.type);
  tx.lockKey(conditionalLockKey(route.type, in.query));
  const auto matches = matchCriteria(tx, route.type, in.query);
  if (matches.size() > 1) {
    throw FhirError(ErrorKind::kPreconditionFailed, "multiple-matches",
                    "The criteria match " + std::to_string(matches.size()) + " resources");
  }
  const std::string bodyId = fhir::getString(body, "id");
  if (matches.size() == 1) {
    if (!bodyId.empty() && bodyId != matches.front()) {
      throw FhirError(ErrorKind::kInvalid, "invalid",
                      "The body's id does not match the resource the criteria found", "id");
    }
    fhir::setMember(body, "id", fhir::makeString(matches.front(), body.GetAllocator()),
                    body.GetAllocator());
    return putWithId(ctx, tx, route.type, matches.front(), in);
  }
  if (!bodyId.empty()) {
    if (!fhir::isValidId(bodyId)) {
      throw FhirError(ErrorKind::kInvalid, "value", "Invalid resource id in the body", "id");
    }
    return putWithId(ctx, tx, route.type, bodyId, in);
  }
  const std::string id = in.assignedId.empty() ? ctx.ids.newId() : in.assignedId;
  return written(ctx, tx, route.type, id, body, std::nullopt, "PUT", in, 201);
}

InteractionResult deleteResource(const ApiContext& ctx, store::StoreTransaction& tx,
                                 const Route& route, const InteractionInput& in) {
  auto current = tx.current(route.type, route.id, true);
  checkIfMatch(in.ifMatch, current);
  InteractionResult result;
  result.status = 204;
  if (!current || current->deleted) return result;  // nothing to do: deletion is idempotent
  store::ResourceVersion v;
  v.type = route.type;
  v.id = route.id;
  v.versionId = current->versionId + 1;
  v.lastUpdated = ctx.clock.now();
  v.deleted = true;
  v.method = "DELETE";
  tx.append(v, {}, {});
  result.version = std::move(v);
  return result;
}

}  // namespace sp::rest
