// $validate (type and instance level): the validator's verdict as an OperationOutcome, with no
// change to anything stored.
#include "fhir/errors.h"
#include "fhir/json.h"
#include "fhir/operation_outcome.h"
#include "rest/interactions.h"
#include "rest/resource_write.h"
#include "validation/validator.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

struct ValidateRequest {
  const rapidjson::Value* resource = nullptr;
  std::string mode;
  std::vector<std::string> profiles;
};

// The body is the resource itself or a Parameters with resource, mode and profile.
ValidateRequest readRequest(const InteractionInput& in) {
  ValidateRequest r;
  for (const auto& [name, value] : in.query) {
    if (name == "mode") r.mode = value;
    if (name == "profile") r.profiles.push_back(value);
  }
  if (!in.body) return r;
  if (fhir::getString(*in.body, "resourceType") != "Parameters") {
    r.resource = in.body.get();
    return r;
  }
  if (const auto* params = fhir::findMember(*in.body, "parameter"); params && params->IsArray()) {
    for (const auto& p : params->GetArray()) {
      const std::string name = fhir::getString(p, "name");
      if (name == "resource") r.resource = fhir::findMember(p, "resource");
      if (name == "mode") r.mode = fhir::getString(p, "valueCode");
      if (name == "profile") {
        std::string url = fhir::getString(p, "valueUri");
        if (url.empty()) url = fhir::getString(p, "valueCanonical");
        if (!url.empty()) r.profiles.push_back(url);
      }
    }
  }
  return r;
}

}  // namespace

InteractionResult validateOperation(const ApiContext& ctx, store::StoreTransaction& tx,
                                    const Route& route, const InteractionInput& in) {
  ValidateRequest request = readRequest(in);
  if (!request.mode.empty() && request.mode != "create" && request.mode != "update" &&
      request.mode != "delete") {
    throw FhirError(ErrorKind::kInvalid, "value", "mode must be create, update or delete");
  }
  for (const auto& url : request.profiles) {
    if (!ctx.definitions.structureDefinition(url)) {
      throw FhirError(ErrorKind::kInvalid, "not-found", "Unknown profile " + url);
    }
  }
  rapidjson::Document stored;
  if (!route.id.empty() && (!request.resource || request.mode == "delete")) {
    auto current = tx.current(route.type, route.id, false);
    if (!current || current->deleted) {
      throw FhirError(ErrorKind::kNotFound, "not-found",
                      route.type + "/" + route.id + " not found");
    }
    fhir::parseJson(current->body, stored);
    request.resource = &stored;
  }
  InteractionResult result;
  if (request.mode == "delete") {  // nothing refers to deletions being refused yet
    result.outcomeBody = fhir::informationOutcomeJson("Deleting it would be allowed");
    return result;
  }
  if (!request.resource) {
    throw FhirError(ErrorKind::kInvalid, "required", "$validate needs a resource");
  }
  requireResourceOfType(*request.resource, route.type);
  if (request.mode == "update" && fhir::getString(*request.resource, "id").empty()) {
    throw FhirError(ErrorKind::kInvalid, "required", "mode update needs the resource id", "id");
  }
  std::vector<fhir::Issue> issues;
  if (ctx.validator) issues = ctx.validator->validate(*request.resource, request.profiles);
  result.outcomeBody = issues.empty() ? fhir::informationOutcomeJson("No issues found")
                                      : fhir::operationOutcomeJson(issues);
  return result;
}

}  // namespace sp::rest
