#include "rest/fhir_api.h"

#include <iostream>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "fhir/operation_outcome.h"
#include "rest/audit_trail.h"
#include "rest/bundle_processor.h"
#include "rest/kept_refusal.h"
#include "rest/negotiation.h"
#include "rest/request_screen.h"
#include "rest/route.h"
#include "rest/status_map.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

constexpr const char* kJsonType = "application/fhir+json; charset=utf-8";

RestResponse jsonResponse(int status, std::string body, const std::string& contentType) {
  RestResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", contentType);
  return r;
}

bool hasBody(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

// The operation that takes whole requests on a path, if any, so that a refusal there is
// answered in its own way (a messaging partner reads receiver codes) even when the path's
// route could not be made (405).
const RequestOperation* requestOperationAt(const std::string& path,
                                           const std::optional<Route>& route,
                                           const Operations* operations) {
  if (route) return route->operation ? route->operation->requestOperation : nullptr;
  if (!operations || path.size() < 2 || path.find('/', 1) != std::string::npos) return nullptr;
  const OperationEntry* entry = operations->find("", path.substr(1), false);
  return entry ? entry->requestOperation : nullptr;
}

}  // namespace

RestResponse errorResponse(const FhirError& error) {
  return jsonResponse(rest::statusFor(error.kind()), fhir::operationOutcomeJson(error.issues()),
                      kJsonType);
}

FhirApi::FhirApi(store::ResourceStore& store, const fhir::Definitions& definitions,
                 const fhir::Clock& clock, fhir::IdGenerator& ids, ApiLimits limits,
                 ServerInfo info, const validation::Validator* validator, const WriteRules* rules,
                 const search::IndexExtractor* indexer)
    : store_(store),
      ctx_{definitions, clock, ids, limits, validator, rules, indexer},
      info_(std::move(info)),
      capabilityJson_(capabilityStatementJson(definitions, info_, clock.now(), indexer)) {}

void FhirApi::useOperations(const Operations* operations) {
  ctx_.operations = operations;
  capabilityJson_ =
      capabilityStatementJson(ctx_.definitions, info_, ctx_.clock.now(), ctx_.indexer, operations);
}

RestResponse FhirApi::handle(const RestRequest& request) {
  security::Caller caller = security::Caller::development();
  std::optional<Route> route;
  try {
    static const security::OrganisationRegistry kNoOrganisations;
    caller = security::identify(registry_ ? *registry_ : kNoOrganisations, request.certificateCn,
                                request.certificateSubject);
    return dispatch(request, caller, route, negotiateResponseType(request));
  } catch (const FhirError& e) {
    if (caller.kind == security::Caller::Kind::kDevelopment && !request.certificateCn.empty()) {
      // Refused before it was known: the audit trail names who the certificate claims to be.
      caller = security::Caller{security::Caller::Kind::kOrganisation, request.certificateCn,
                                request.certificateSubject, security::Role::kGpPractice};
    }
    RestResponse r = errorResponse(e);
    if (const RequestOperation* op = requestOperationAt(request.path, route, ctx_.operations)) {
      r.body = op->errorBody(r.status, e.issues());
    }
    if (e.kind() == ErrorKind::kMethodNotAllowed) {
      r.headers.emplace_back("Allow",
                             allowedMethods(request.path, ctx_.definitions, ctx_.operations));
    }
    auditRequest(request, caller, route, r.status);
    return r;
  }
}

void FhirApi::auditRequest(const RestRequest& request, const security::Caller& caller,
                           const std::optional<Route>& route, int status) {
  if (route && (route->interaction == Interaction::kCapabilities ||
                route->interaction == Interaction::kHealth)) {
    return;
  }
  InteractionInput in;
  in.caller = caller;
  in.requestId = request.requestId;
  in.correlationId = request.header("x-correlation-id");
  in.query = request.query;
  // A path that names no interaction is recorded under the path itself.
  const Route recorded = route ? *route : Route{Interaction::kRead, request.path, "", ""};
  store::AuditRecord record = auditRecordOf(ctx_, recorded, in, status, std::nullopt);
  if (!route) record.interaction = "unknown";
  writeAudit(record);
}

void FhirApi::writeAudit(const store::AuditRecord& record) {
  try {
    store_.inTransaction([&](store::StoreTransaction& tx) { tx.recordAudit(record); });
  } catch (const FhirError& e) {
    // The request's own answer stands (often the same database failure).
    std::cerr << "audit record " << record.id << " not written: " << e.what() << "\n";
  }
}

std::shared_ptr<rapidjson::Document> FhirApi::parseBody(const RestRequest& request, bool isPatch) {
  if (request.body.size() > ctx_.limits.maxBodyBytes) {
    throw FhirError(
        ErrorKind::kPayloadTooLarge, "too-costly",
        "The body is larger than " + std::to_string(ctx_.limits.maxBodyBytes) + " bytes");
  }
  requireBodyType(request, isPatch);
  if (request.body.empty()) {
    throw FhirError(ErrorKind::kInvalid, "required", "The request has no body");
  }
  auto doc = std::make_shared<rapidjson::Document>();
  fhir::parseJson(request.body, *doc, fhir::JsonLimits{ctx_.limits.maxJsonDepth});
  return doc;
}

RestResponse FhirApi::dispatch(const RestRequest& request, const security::Caller& caller,
                               std::optional<Route>& parsedRoute, const std::string& contentType) {
  parsedRoute = parseRoute(request.method, request.path, !request.query.empty(), ctx_.definitions,
                           ctx_.operations);
  const Route& route = *parsedRoute;
  if (route.interaction == Interaction::kCapabilities) {
    return jsonResponse(200, capabilityJson_, contentType);
  }
  if (route.interaction == Interaction::kHealth) {
    if (!store_.ping()) {
      throw FhirError(ErrorKind::kUnavailable, "transient", "The database is unavailable");
    }
    return jsonResponse(200, fhir::informationOutcomeJson("ok"), contentType);
  }
  if (route.operation && route.operation->requestOperation) {
    RestResponse answer = route.operation->requestOperation->handle(request, caller);
    // Its own record is written here unless it was written with the operation's work (a
    // message's entries have records of their own too).
    if (!answer.audited) auditRequest(request, caller, parsedRoute, answer.status);
    return answer;
  }
  InteractionInput input;
  input.query = request.query;
  input.baseUrl = request.baseUrl;
  input.ifMatch = request.header("if-match");
  input.ifNoneMatch = request.header("if-none-match");
  input.ifNoneExist = request.header("if-none-exist");
  input.caller = caller;
  input.requestId = request.requestId;
  input.correlationId = request.header("x-correlation-id");
  input.strictHandling = request.header("prefer").find("handling=strict") != std::string::npos;
  if (route.interaction == Interaction::kSearchType && request.method == "POST") {
    // POST Type/_search: the parameters come as a form body (and may be in the URL too).
    const std::string type = request.header("content-type");
    if (type.rfind("application/x-www-form-urlencoded", 0) != 0) {
      throw FhirError(ErrorKind::kUnsupportedMediaType, "not-supported",
                      "POST _search needs Content-Type application/x-www-form-urlencoded");
    }
    QueryParams form = parseQueryString(request.body);
    screenQueryParams(form);
    for (auto& param : form) input.query.push_back(std::move(param));
  } else if (hasBody(request.method)) {
    input.body = parseBody(request, request.method == "PATCH");
  }

  if (route.interaction == Interaction::kBatch) {
    const bool representation = returnPreference(request) == ReturnPreference::kRepresentation &&
                                !request.header("prefer").empty();
    return jsonResponse(
        200, processBundle(ctx_, store_, *input.body, request.baseUrl, representation, input),
        contentType);
  }
  InteractionResult result;
  auto work = [&](store::StoreTransaction& tx) {
    result = performInteraction(ctx_, tx, route, input);
  };
  if (isReadOnly(route)) {
    store_.inReadOnly(work);
  } else {
    inTransactionKeepingRefusals(store_, work);
  }
  return interactionResponse(request, result, contentType);
}

RestResponse FhirApi::interactionResponse(const RestRequest& request,
                                          const InteractionResult& result,
                                          const std::string& contentType) {
  RestResponse r;
  r.status = result.status;
  if (!result.bundleBody.empty()) return jsonResponse(r.status, result.bundleBody, contentType);
  if (!result.outcomeBody.empty()) return jsonResponse(r.status, result.outcomeBody, contentType);
  if (result.version && !result.version->deleted) {
    const auto& v = *result.version;
    r.headers.emplace_back("ETag", fhir::weakEtag(v.versionId));
    r.headers.emplace_back("Last-Modified", fhir::formatHttpDate(v.lastUpdated));
    const bool isWrite = request.method != "GET";
    if (isWrite) {
      const std::string location =
          request.baseUrl + "/" + v.type + "/" + v.id + "/_history/" + std::to_string(v.versionId);
      r.headers.emplace_back("Location", location);
      r.headers.emplace_back("Content-Location", location);
    }
    if (result.notModified) return r;
    const ReturnPreference preference =
        isWrite ? returnPreference(request) : ReturnPreference::kRepresentation;
    if (preference == ReturnPreference::kMinimal) return r;
    r.headers.emplace_back("Content-Type", contentType);
    if (preference == ReturnPreference::kOperationOutcome) {
      std::vector<fhir::Issue> issues = result.warnings;
      issues.insert(issues.begin(),
                    fhir::Issue{fhir::Severity::kInformation, "informational",
                                rest::statusLine(r.status) + ": " + v.type + "/" + v.id +
                                    " version " + std::to_string(v.versionId),
                                ""});
      r.body = fhir::operationOutcomeJson(issues);
    } else {
      r.body = v.body;
    }
  }
  return r;
}

}  // namespace sp::rest
