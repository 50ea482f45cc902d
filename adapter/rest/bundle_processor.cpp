#include "rest/bundle_processor.h"

#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "fhir/base64.h"
#include "fhir/bundle_writer.h"
#include "fhir/errors.h"
#include "fhir/json.h"
#include "fhir/operation_outcome.h"
#include "rest/kept_refusal.h"
#include "rest/resource_write.h"
#include "rest/status_map.h"
#include "security/access_policy.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

struct PreparedEntry {
  std::size_t index = 0;
  std::string method;
  std::string url;
  std::string fullUrl;
  Route route{Interaction::kRead, "", "", ""};
  InteractionInput input;
  InteractionResult result;
  bool done = false;
};

std::string entryPath(std::size_t i) { return "Bundle.entry[" + std::to_string(i) + "]"; }

[[noreturn]] void entryError(std::size_t i, ErrorKind kind, const std::string& code,
                             const std::string& why, const std::string& where = "") {
  throw FhirError(kind, code, why, entryPath(i) + where);
}

// Rethrows `e` with every issue located under the entry (a refusal for want of a place stays
// one, so that it is recorded).
[[noreturn]] void rethrowInEntry(std::size_t i, const FhirError& e) {
  std::vector<fhir::Issue> issues = e.issues();
  for (auto& issue : issues) {
    // "Task.status" inside entry 2 is "Bundle.entry[2].resource.status".
    std::string inner = issue.expression;
    const auto dot = inner.find('.');
    if (!inner.empty() && std::isupper(static_cast<unsigned char>(inner[0]))) {
      inner = dot == std::string::npos ? "" : inner.substr(dot + 1);
    }
    issue.expression = issue.expression.empty()
                           ? entryPath(i)
                           : entryPath(i) + ".resource" + (inner.empty() ? "" : "." + inner);
  }
  if (const auto* refused = dynamic_cast<const KeptRefusal*>(&e)) {
    throw refused->withError(FhirError(e.kind(), std::move(issues)));
  }
  throw FhirError(e.kind(), std::move(issues));
}

std::shared_ptr<rapidjson::Document> copyOf(const rapidjson::Value& value) {
  auto doc = std::make_shared<rapidjson::Document>();
  doc->CopyFrom(value, doc->GetAllocator());
  return doc;
}

// A PATCH entry carries its JSON Patch as a Binary resource.
std::shared_ptr<rapidjson::Document> patchFromBinary(std::size_t i, const rapidjson::Value& binary,
                                                     const ApiContext& ctx) {
  if (fhir::getString(binary, "resourceType") != "Binary" ||
      fhir::getString(binary, "contentType") != "application/json-patch+json") {
    entryError(i, ErrorKind::kInvalid, "not-supported",
               "A PATCH entry needs a Binary resource of contentType application/json-patch+json",
               ".resource");
  }
  const auto text = fhir::base64Decode(fhir::getString(binary, "data"));
  if (!text) entryError(i, ErrorKind::kInvalid, "value", "Binary.data is not base64", ".resource");
  auto patch = std::make_shared<rapidjson::Document>();
  fhir::parseJson(*text, *patch, fhir::JsonLimits{ctx.limits.maxJsonDepth});
  return patch;
}

PreparedEntry prepareEntry(const ApiContext& ctx, std::size_t i, const rapidjson::Value& entry,
                           const std::string& baseUrl, const InteractionInput& origin) {
  PreparedEntry p;
  p.index = i;
  const rapidjson::Value* request = fhir::findMember(entry, "request");
  if (!request || !request->IsObject()) {
    entryError(i, ErrorKind::kInvalid, "required", "Entry has no request", ".request");
  }
  p.method = fhir::getString(*request, "method");
  p.url = fhir::getString(*request, "url");
  p.fullUrl = fhir::getString(entry, "fullUrl");
  if (p.method.empty() || p.url.empty()) {
    entryError(i, ErrorKind::kInvalid, "required", "Entry request needs method and url",
               ".request");
  }
  std::string url = p.url;
  if (url.rfind(baseUrl + "/", 0) == 0) url = url.substr(baseUrl.size());
  if (!url.empty() && url[0] != '/') url = "/" + url;
  const std::size_t q = url.find('?');
  const std::string path = url.substr(0, q);
  if (q != std::string::npos) p.input.query = parseQueryString(url.substr(q + 1));
  try {
    p.route = parseRoute(p.method, path, q != std::string::npos, ctx.definitions, ctx.operations);
  } catch (const FhirError& e) {
    std::vector<fhir::Issue> issues = e.issues();
    for (auto& issue : issues) issue.expression = entryPath(i) + ".request.url";
    throw FhirError(e.kind(), std::move(issues));
  }
  if (p.route.interaction == Interaction::kBatch || p.route.interaction == Interaction::kHealth ||
      p.route.interaction == Interaction::kSearchSystem ||
      p.route.interaction == Interaction::kCapabilities) {
    entryError(i, ErrorKind::kInvalid, "not-supported", "Entry names no resource interaction",
               ".request.url");
  }
  const rapidjson::Value* resource = fhir::findMember(entry, "resource");
  if (p.method == "POST" || p.method == "PUT") {
    if (!resource) entryError(i, ErrorKind::kInvalid, "required", "Entry has no resource");
    p.input.body = copyOf(*resource);
  } else if (p.method == "PATCH") {
    if (!resource) entryError(i, ErrorKind::kInvalid, "required", "PATCH entry has no resource");
    p.input.body = patchFromBinary(i, *resource, ctx);
  }
  p.input.ifMatch = fhir::getString(*request, "ifMatch");
  p.input.ifNoneMatch = fhir::getString(*request, "ifNoneMatch");
  p.input.ifNoneExist = fhir::getString(*request, "ifNoneExist");
  p.input.baseUrl = baseUrl;
  p.input.caller = origin.caller;
  p.input.requestId = origin.requestId;
  p.input.correlationId = origin.correlationId;
  return p;
}

// Replaces every `reference` that names a resolved fullUrl.
void rewriteReferences(rapidjson::Value& value, const std::map<std::string, std::string>& ids,
                       rapidjson::Document::AllocatorType& a) {
  if (value.IsObject()) {
    for (auto& m : value.GetObject()) {
      if (std::string(m.name.GetString()) == "reference" && m.value.IsString()) {
        auto it = ids.find(m.value.GetString());
        if (it != ids.end()) m.value = fhir::makeString(it->second, a);
      } else {
        rewriteReferences(m.value, ids, a);
      }
    }
  } else if (value.IsArray()) {
    for (auto& e : value.GetArray()) rewriteReferences(e, ids, a);
  }
}

// A `urn:` reference left after rewriting names nothing in the transaction.
std::string unresolvedReference(const rapidjson::Value& value) {
  if (value.IsObject()) {
    for (const auto& m : value.GetObject()) {
      if (std::string(m.name.GetString()) == "reference" && m.value.IsString() &&
          std::string(m.value.GetString()).rfind("urn:", 0) == 0) {
        return m.value.GetString();
      }
      std::string found = unresolvedReference(m.value);
      if (!found.empty()) return found;
    }
  } else if (value.IsArray()) {
    for (const auto& e : value.GetArray()) {
      std::string found = unresolvedReference(e);
      if (!found.empty()) return found;
    }
  }
  return "";
}

QueryParams conditionOf(const PreparedEntry& p) {
  if (p.method == "POST") return parseQueryString(p.input.ifNoneExist);
  if (p.route.interaction == Interaction::kConditionalUpdate) return p.input.query;
  return {};
}

// Takes the locks single conditional writes take, all first and in sorted order, so the
// targets found next stay true and concurrent transactions cannot deadlock.
void lockConditionalTargets(store::StoreTransaction& tx,
                            const std::vector<PreparedEntry>& entries) {
  std::set<std::string> keys;
  for (const auto& p : entries) {
    const QueryParams criteria = conditionOf(p);
    if (!criteria.empty()) keys.insert(conditionalLockKey(p.route.type, criteria));
  }
  for (const auto& key : keys) tx.lockKey(key);
}

// Decides the id each creating entry will have, and maps every fullUrl to "Type/id".
std::map<std::string, std::string> resolveTargets(const ApiContext& ctx,
                                                  store::StoreTransaction& tx,
                                                  std::vector<PreparedEntry>& entries) {
  std::map<std::string, std::string> resolved;
  for (auto& p : entries) {
    std::string id = p.route.id;
    const QueryParams criteria = conditionOf(p);
    if (!criteria.empty()) {
      const auto matches = matchCriteria(tx, p.route.type, criteria);
      if (matches.size() > 1) {
        entryError(p.index, ErrorKind::kPreconditionFailed, "multiple-matches",
                   "The conditions match more than one resource");
      }
      if (matches.size() == 1) {
        id = matches.front();
        if (p.method == "POST") {  // conditional create found it: nothing to write
          p.result.status = 200;
          p.result.version = tx.current(p.route.type, id, false);
          p.done = true;
        }
      }
    }
    if (id.empty() &&
        (p.method == "POST" || p.route.interaction == Interaction::kConditionalUpdate)) {
      const std::string bodyId = p.method == "PUT" ? fhir::getString(*p.input.body, "id") : "";
      id = bodyId.empty() ? ctx.ids.newId() : bodyId;
      p.input.assignedId = id;
    }
    if (!p.fullUrl.empty() && !id.empty()) resolved[p.fullUrl] = p.route.type + "/" + id;
  }
  return resolved;
}

int phaseOf(const std::string& method) {
  if (method == "DELETE") return 0;
  if (method == "POST") return 1;
  if (method == "PUT" || method == "PATCH") return 2;
  return 3;
}

fhir::BundleEntry responseEntry(const PreparedEntry& p, const std::string& baseUrl,
                                bool returnRepresentation) {
  fhir::BundleEntry e;
  const InteractionResult& r = p.result;
  e.responseStatus = rest::statusLine(r.status);
  if (!r.bundleBody.empty()) e.resourceJson = r.bundleBody;
  if (r.version) {
    const auto& v = *r.version;
    e.fullUrl = baseUrl + "/" + v.type + "/" + v.id;
    e.responseEtag = fhir::weakEtag(v.versionId);
    e.responseLastModified = fhir::formatInstant(v.lastUpdated);
    if (p.method != "GET" && !v.deleted) {
      e.responseLocation = v.type + "/" + v.id + "/_history/" + std::to_string(v.versionId);
    }
    const bool wantBody = p.method == "GET" || (returnRepresentation && !v.deleted);
    if (wantBody && !r.notModified) e.resourceJson = v.body;
  }
  if (!r.warnings.empty()) e.responseOutcomeJson = fhir::operationOutcomeJson(r.warnings);
  return e;
}

// A batch entry's failure, its issues located inside the entry.
fhir::BundleEntry errorEntry(std::size_t i, const FhirError& e) {
  fhir::BundleEntry entry;
  entry.responseStatus = rest::statusLine(rest::statusFor(e.kind()));
  const bool alreadyLocated =
      !e.issues().empty() && e.issues().front().expression.rfind("Bundle.entry[", 0) == 0;
  if (alreadyLocated) {  // found while reading the entry
    entry.responseOutcomeJson = fhir::operationOutcomeJson(e.issues());
    return entry;
  }
  try {
    rethrowInEntry(i, e);
  } catch (const FhirError& located) {
    entry.responseOutcomeJson = fhir::operationOutcomeJson(located.issues());
  }
  return entry;
}

void runInOrder(const ApiContext& ctx, store::StoreTransaction& tx,
                std::vector<PreparedEntry>& entries) {
  std::vector<PreparedEntry*> order;
  for (auto& p : entries) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const PreparedEntry* a, const PreparedEntry* b) {
    return phaseOf(a->method) < phaseOf(b->method);
  });
  // A content refusal (400, 422) of one entry does not stop the others: their refusals are
  // gathered too, so the answer names every entry that needs fixing. The transaction is still
  // refused as a whole (the caller's store transaction rolls back). Any other refusal (403, 404,
  // 409, a refusal kept for the record, a database failure) stops at once: what follows it could
  // only repeat it. The status is the first refusal's.
  std::optional<FhirError> first;
  std::vector<fhir::Issue> issues;
  for (PreparedEntry* p : order) {
    if (p->done) continue;
    try {
      p->result = performInteraction(ctx, tx, p->route, p->input);
    } catch (const FhirError& e) {
      const bool content =
          (e.kind() == ErrorKind::kInvalid || e.kind() == ErrorKind::kUnprocessable) &&
          dynamic_cast<const KeptRefusal*>(&e) == nullptr;
      if (!content && !first) rethrowInEntry(p->index, e);
      if (!content) break;
      try {
        rethrowInEntry(p->index, e);
      } catch (const FhirError& located) {
        if (!first) first.emplace(located.kind(), located.issues());
        issues.insert(issues.end(), located.issues().begin(), located.issues().end());
      }
    }
  }
  if (first) throw FhirError(first->kind(), std::move(issues));
}

// Refuses a transaction that changes one resource twice (checked before any work).
void checkDistinctTargets(const std::vector<PreparedEntry>& entries) {
  std::set<std::string> targets;
  for (const auto& p : entries) {
    if (p.route.id.empty() || p.method == "GET") continue;
    if (!targets.insert(p.route.type + "/" + p.route.id).second) {
      entryError(p.index, ErrorKind::kInvalid, "business-rule",
                 "The transaction changes " + p.route.type + "/" + p.route.id + " more than once");
    }
  }
}

// One attempt of a transaction inside `tx`: `entries` start from fresh copies of the request.
std::map<std::string, std::string> executePrepared(const ApiContext& ctx,
                                                   store::StoreTransaction& tx,
                                                   std::vector<PreparedEntry>& entries) {
  for (auto& p : entries) {
    if (p.input.body) p.input.body = copyOf(*p.input.body);
  }
  lockConditionalTargets(tx, entries);
  std::map<std::string, std::string> resolved = resolveTargets(ctx, tx, entries);
  std::vector<fhir::Issue> dangling;  // every entry's, so the answer names them all
  for (auto& p : entries) {
    if (!p.input.body || p.method == "PATCH") continue;
    rewriteReferences(*p.input.body, resolved, p.input.body->GetAllocator());
    const std::string reference = unresolvedReference(*p.input.body);
    if (!reference.empty()) {
      const FhirError e(ErrorKind::kInvalid, "not-found",
                        "Reference '" + reference + "' names no entry of this transaction",
                        entryPath(p.index) + ".resource");
      dangling.insert(dangling.end(), e.issues().begin(), e.issues().end());
    }
  }
  if (!dangling.empty()) throw FhirError(ErrorKind::kInvalid, std::move(dangling));
  runInOrder(ctx, tx, entries);
  return resolved;
}

std::string processTransaction(const ApiContext& ctx, store::ResourceStore& store,
                               std::vector<PreparedEntry>& entries, const std::string& baseUrl,
                               bool returnRepresentation) {
  checkDistinctTargets(entries);
  const std::vector<PreparedEntry> pristine = entries;
  inTransactionKeepingRefusals(store, [&](store::StoreTransaction& tx) {
    entries = pristine;  // a retried attempt starts again from the request, with fresh bodies
    executePrepared(ctx, tx, entries);
  });
  std::vector<fhir::BundleEntry> out;
  for (const auto& p : entries) out.push_back(responseEntry(p, baseUrl, returnRepresentation));
  return fhir::writeBundle("transaction-response", ctx.ids.newId(),
                           fhir::formatInstant(ctx.clock.now()), std::nullopt, {}, out);
}

std::string processBatch(const ApiContext& ctx, store::ResourceStore& store,
                         const rapidjson::Value& entries, const std::string& baseUrl,
                         bool returnRepresentation, const InteractionInput& origin) {
  std::vector<fhir::BundleEntry> out;
  std::size_t i = 0;
  for (const auto& entry : entries.GetArray()) {
    try {
      PreparedEntry p = prepareEntry(ctx, i, entry, baseUrl, origin);
      auto work = [&](store::StoreTransaction& tx) {
        p.result = performInteraction(ctx, tx, p.route, p.input);
      };
      if (isReadOnly(p.route)) {
        store.inReadOnly(work);
      } else {
        inTransactionKeepingRefusals(store, work);
      }
      out.push_back(responseEntry(p, baseUrl, returnRepresentation));
    } catch (const FhirError& e) {
      out.push_back(errorEntry(i, e));
    }
    ++i;
  }
  return fhir::writeBundle("batch-response", ctx.ids.newId(), fhir::formatInstant(ctx.clock.now()),
                           std::nullopt, {}, out);
}

}  // namespace

std::string processBundle(const ApiContext& ctx, store::ResourceStore& store,
                          const rapidjson::Value& bundle, const std::string& baseUrl,
                          bool returnRepresentation, const InteractionInput& origin) {
  requireResourceOfType(bundle, "Bundle");
  const std::string type = fhir::getString(bundle, "type");
  if (type != "batch" && type != "transaction") {
    throw FhirError(ErrorKind::kInvalid, "invalid",
                    "POST / takes a Bundle of type batch or transaction, not '" + type + "'",
                    "Bundle.type");
  }
  const rapidjson::Value* entries = fhir::findMember(bundle, "entry");
  if (!entries) {
    return fhir::writeBundle(type + "-response", ctx.ids.newId(),
                             fhir::formatInstant(ctx.clock.now()), std::nullopt, {}, {});
  }
  if (!entries->IsArray()) {
    throw FhirError(ErrorKind::kInvalid, "structure", "Bundle.entry must be an array",
                    "Bundle.entry");
  }
  if (entries->Size() > ctx.limits.maxBundleEntries) {
    throw FhirError(
        ErrorKind::kPayloadTooLarge, "too-costly",
        "The Bundle has more than " + std::to_string(ctx.limits.maxBundleEntries) + " entries");
  }
  if (type == "batch") {
    return processBatch(ctx, store, *entries, baseUrl, returnRepresentation, origin);
  }
  std::vector<PreparedEntry> prepared;
  std::size_t i = 0;
  for (const auto& entry : entries->GetArray()) {
    prepared.push_back(prepareEntry(ctx, i++, entry, baseUrl, origin));
  }
  return processTransaction(ctx, store, prepared, baseUrl, returnRepresentation);
}

TransactionRun runTransactionIn(const ApiContext& ctx, store::StoreTransaction& tx,
                                const rapidjson::Value& bundle, const std::string& baseUrl,
                                const InteractionInput& origin) {
  // A message carries the directory entries it mentions (the sender's Organization, the
  // PractitionerRole that refers...). A partner may not write the directory, so the adapter
  // stores those on the sender's behalf; every other entry runs as the sender.
  InteractionInput onBehalf = origin;
  onBehalf.caller = security::Caller::onBehalfOf(origin.caller.odsCode);
  std::vector<PreparedEntry> entries;
  const rapidjson::Value* list = fhir::findMember(bundle, "entry");
  if (list && list->IsArray()) {
    std::size_t i = 0;
    for (const auto& entry : list->GetArray()) {
      const rapidjson::Value* resource = fhir::findMember(entry, "resource");
      const std::string type = resource ? fhir::getString(*resource, "resourceType") : "";
      const bool directory =
          !type.empty() && security::categoryOf(type) != security::Category::kRecord;
      entries.push_back(prepareEntry(ctx, i++, entry, baseUrl, directory ? onBehalf : origin));
    }
  }
  checkDistinctTargets(entries);
  TransactionRun run;
  run.resolved = executePrepared(ctx, tx, entries);
  for (const auto& p : entries) run.versions.push_back(p.result.version);
  return run;
}

}  // namespace sp::rest
