#include "rest/resource_write.h"

#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/access_control.h"
#include "search/index_extractor.h"
#include "validation/validator.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

void requireResourceOfType(const rapidjson::Value& resource, const std::string& type) {
  if (!resource.IsObject()) {
    throw FhirError(ErrorKind::kInvalid, "structure", "The body must be a JSON object");
  }
  const rapidjson::Value* rt = fhir::findMember(resource, "resourceType");
  if (!rt || !rt->IsString()) {
    throw FhirError(ErrorKind::kInvalid, "required", "The resource has no resourceType",
                    "resourceType");
  }
  const std::string actual = fhir::getString(resource, "resourceType");
  if (actual != type) {
    throw FhirError(ErrorKind::kInvalid, "invalid",
                    "resourceType '" + actual + "' does not match the URL's type '" + type + "'",
                    "resourceType");
  }
}

const rapidjson::Value* WriteContext::previousResource() {
  if (!previous || previous->deleted || previous->body.empty()) return nullptr;
  if (!parsedPrevious) {
    auto doc = std::make_shared<rapidjson::Document>();
    fhir::parseJson(previous->body, *doc);
    parsedPrevious = std::move(doc);
  }
  return parsedPrevious.get();
}

void writeVersion(const ApiContext& ctx, store::StoreTransaction& tx, const std::string& type,
                  const std::string& id, rapidjson::Document& resource,
                  const std::optional<store::ResourceVersion>& previous, const std::string& method,
                  const InteractionInput& in, InteractionResult& result) {
  WriteContext context{ctx,          tx,     type, id, previous, method, in.caller, result.warnings,
                       std::nullopt, nullptr};
  const std::vector<const WriteRule*> rules =
      ctx.rules ? ctx.rules->forType(type) : std::vector<const WriteRule*>{};
  for (const WriteRule* rule : rules) rule->beforeWrite(resource, context);
  auto& a = resource.GetAllocator();
  store::ResourceVersion v;
  v.type = type;
  v.id = id;
  // A rule may have recorded a step of its own first: this version follows it.
  const std::optional<store::ResourceVersion>& base =
      context.stepBefore ? context.stepBefore : previous;
  v.versionId = base ? base->versionId + 1 : 1;
  v.lastUpdated = ctx.clock.now();
  v.method = method;
  // Rebuild the object so resourceType and id lead, as people expect to read them.
  rapidjson::Value ordered(rapidjson::kObjectType);
  ordered.AddMember("resourceType", fhir::makeString(type, a), a);
  ordered.AddMember("id", fhir::makeString(id, a), a);
  rapidjson::Value meta(rapidjson::kObjectType);
  if (auto* old = fhir::findMember(resource, "meta"); old && old->IsObject())
    meta.CopyFrom(*old, a);
  fhir::setMember(meta, "versionId", fhir::makeString(std::to_string(v.versionId), a), a);
  fhir::setMember(meta, "lastUpdated", fhir::makeString(fhir::formatInstant(v.lastUpdated), a), a);
  ordered.AddMember("meta", meta, a);
  for (auto& m : resource.GetObject()) {
    const std::string name = m.name.GetString();
    if (name == "resourceType" || name == "id" || name == "meta") continue;
    ordered.AddMember(m.name, m.value, a);
  }
  static_cast<rapidjson::Value&>(resource).Swap(ordered);
  if (ctx.validator) {
    auto issues = ctx.validator->validate(resource);
    if (validation::Validator::hasErrors(issues)) {
      throw FhirError(ErrorKind::kUnprocessable, std::move(issues));
    }
    for (auto& issue : issues) result.warnings.push_back(std::move(issue));
  }
  authoriseWrite(tx, type, resource, context.previousResource(), in);
  v.body = fhir::writeJson(resource);
  tx.append(v, identifierTokens(resource),
            ctx.indexer ? ctx.indexer->extract(resource) : store::SearchIndex{});
  grantAccess(tx, type, id, resource, previous, context.previousResource(), in);
  WriteContext afterContext{
      ctx, tx, type, id, base, method, in.caller, result.warnings, std::nullopt, nullptr};
  if (!context.stepBefore) afterContext.parsedPrevious = context.parsedPrevious;
  for (const WriteRule* rule : rules) rule->afterWrite(v, resource, afterContext);
  result.version = std::move(v);
}

void storeMessageBundle(const ApiContext& ctx, store::StoreTransaction& tx, const std::string& id,
                        rapidjson::Document& bundle, const std::vector<MessageTag>& tags) {
  auto& a = bundle.GetAllocator();
  rapidjson::Value tagArray(rapidjson::kArrayType);
  for (const MessageTag& t : tags) {
    if (t.code.empty()) continue;
    rapidjson::Value tag(rapidjson::kObjectType);
    tag.AddMember("system", fhir::makeString(t.system, a), a);
    tag.AddMember("code", fhir::makeString(t.code, a), a);
    tagArray.PushBack(tag, a);
  }
  rapidjson::Value meta(rapidjson::kObjectType);
  meta.AddMember("tag", tagArray, a);
  fhir::setMember(bundle, "meta", std::move(meta), a);
  ApiContext plain = ctx;
  plain.validator = nullptr;
  plain.rules = nullptr;
  InteractionInput in;
  InteractionResult result;
  writeVersion(plain, tx, "Bundle", id, bundle, std::nullopt, "POST", in, result);
}

std::vector<store::IdentifierToken> identifierTokens(const rapidjson::Value& resource) {
  std::vector<store::IdentifierToken> tokens;
  const rapidjson::Value* identifier = fhir::findMember(resource, "identifier");
  if (!identifier) return tokens;
  auto add = [&](const rapidjson::Value& one) {
    const std::string value = fhir::getString(one, "value");
    if (!value.empty()) tokens.push_back({fhir::getString(one, "system"), value});
  };
  if (identifier->IsArray()) {
    for (const auto& one : identifier->GetArray()) add(one);
  } else if (identifier->IsObject()) {
    add(*identifier);
  }
  return tokens;
}

std::vector<std::string> matchCriteria(store::StoreTransaction& tx, const std::string& type,
                                       const QueryParams& criteria) {
  if (criteria.empty()) {
    throw FhirError(ErrorKind::kInvalid, "required", "Conditional request without criteria");
  }
  std::optional<std::vector<std::string>> ids;
  auto intersect = [&ids](std::vector<std::string> found) {
    if (!ids) {
      ids = std::move(found);
      return;
    }
    std::vector<std::string> both;
    for (const auto& id : *ids) {
      for (const auto& f : found) {
        if (f == id) both.push_back(id);
      }
    }
    ids = std::move(both);
  };
  for (const auto& [name, value] : criteria) {
    if (name == "_id") {
      auto current = tx.current(type, value, false);
      intersect(current && !current->deleted ? std::vector<std::string>{value}
                                             : std::vector<std::string>{});
    } else if (name == "identifier") {
      const std::size_t bar = value.find('|');
      store::IdentifierToken token{bar == std::string::npos ? "" : value.substr(0, bar),
                                   bar == std::string::npos ? value : value.substr(bar + 1)};
      if (token.value.empty()) {
        throw FhirError(ErrorKind::kInvalid, "value", "identifier criteria need a value");
      }
      intersect(tx.findByIdentifier(type, token));
    } else {
      throw FhirError(ErrorKind::kInvalid, "not-supported",
                      "Conditional criteria support _id and identifier only, not '" + name + "'");
    }
  }
  return *ids;
}

std::string conditionalLockKey(const std::string& type, const QueryParams& criteria) {
  std::string key = "conditional:" + type + "?";
  for (const auto& [name, value] : criteria) key += name + "=" + value + "&";
  return key;
}

void checkIfMatch(const std::string& ifMatch,
                  const std::optional<store::ResourceVersion>& current) {
  if (ifMatch.empty()) return;
  const auto wanted = fhir::parseEtagVersion(ifMatch);
  if (!wanted) {
    throw FhirError(ErrorKind::kInvalid, "value", "If-Match must be an ETag such as W/\"3\"");
  }
  if (!current || current->deleted || current->versionId != *wanted) {
    throw FhirError(ErrorKind::kPreconditionFailed, "conflict",
                    "If-Match names version " + std::to_string(*wanted) + " but the current is " +
                        (current && !current->deleted ? std::to_string(current->versionId)
                                                      : std::string("none")));
  }
}

}  // namespace sp::rest
