#include "search/index_extractor.h"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "fhir/json.h"
#include "fhirpath/type_system.h"
#include "search/type_narrowing.h"

namespace sp::search {
namespace {

using store::DateRow;
using store::GeoRow;
using store::NumberRow;
using store::ReferenceRow;
using store::StringRow;
using store::TokenRow;
using store::UriRow;

// The kind of rows a parameter type gives; nullopt for the types that are not indexed.
std::optional<ParameterKind> kindOf(const fhir::SearchParameterDefinition& definition) {
  const std::string& type = definition.type;
  if (type == "token") return ParameterKind::kToken;
  if (type == "string") return ParameterKind::kString;
  if (type == "reference") return ParameterKind::kReference;
  if (type == "date") return ParameterKind::kDate;
  if (type == "number" || type == "quantity") return ParameterKind::kNumber;
  if (type == "uri") return ParameterKind::kUri;
  if (type == "special" && definition.code == "near") return ParameterKind::kGeo;
  return std::nullopt;  // composite, other special parameters
}

std::string describe(const fhir::SearchParameterDefinition& definition) {
  std::string out = definition.code + " (";
  for (std::size_t i = 0; i < definition.bases.size(); ++i) {
    if (i > 0) out += ", ";
    out += definition.bases[i];
  }
  return out + ")";
}

// Sorts rows and drops repeats; `key` gives the fields that make a row.
template <typename Row, typename Key>
void deduplicate(std::vector<Row>& rows, Key key) {
  if (rows.size() < 2) return;
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) { return key(a) < key(b); });
  rows.erase(std::unique(rows.begin(), rows.end(),
                         [&](const Row& a, const Row& b) { return key(a) == key(b); }),
             rows.end());
}

void deduplicate(store::SearchIndex& index) {
  deduplicate(index.tokens,
              [](const TokenRow& r) { return std::tie(r.param, r.system, r.code, r.text); });
  deduplicate(index.strings,
              [](const StringRow& r) { return std::tie(r.param, r.normalised, r.exact); });
  deduplicate(index.references, [](const ReferenceRow& r) {
    return std::tie(r.param, r.targetType, r.targetId, r.url, r.identifierSystem,
                    r.identifierValue);
  });
  deduplicate(index.dates, [](const DateRow& r) { return std::tie(r.param, r.low, r.high); });
  deduplicate(index.numbers,
              [](const NumberRow& r) { return std::tie(r.param, r.value, r.system, r.code); });
  deduplicate(index.uris, [](const UriRow& r) { return std::tie(r.param, r.uri); });
  deduplicate(index.geo,
              [](const GeoRow& r) { return std::tie(r.param, r.latitude, r.longitude); });
}

// The parsed narrowed text; `fallback` (the whole expression) if narrowing broke it.
fhirpath::Expression parsedOr(const std::string& text, const fhirpath::Expression& fallback) {
  try {
    return fhirpath::Expression::parse(text);
  } catch (const fhirpath::FhirPathSyntaxError&) {
    return fallback;
  }
}

}  // namespace

IndexExtractor::IndexExtractor(const fhir::Definitions& definitions)
    : definitions_(definitions), types_(definitions) {
  for (const auto& definition : definitions.searchParameters()) {
    if (const auto kind = kindOf(definition)) add(definition, *kind);
  }
}

void IndexExtractor::add(const fhir::SearchParameterDefinition& definition, ParameterKind kind) {
  const std::vector<std::string> types = typesOf(definition);
  if (types.empty()) return;
  if (definition.expression.empty()) {
    skipped_.push_back(describe(definition) + ": no expression");
    return;
  }
  std::optional<fhirpath::Expression> whole;
  try {
    whole = fhirpath::Expression::parse(definition.expression);
  } catch (const fhirpath::FhirPathSyntaxError& e) {
    skipped_.push_back(describe(definition) + ": " + e.what());
    return;
  }
  if (definition.code == "_id") whole.reset();  // listed, but the store searches ids itself
  const auto isResourceType = [this](const std::string& t) {
    return definitions_.isResourceType(t);
  };
  std::map<std::string, const Compiled*> byText;  // types that narrow alike share one parse
  for (const auto& type : types) {
    std::string text = definition.expression;
    if (whole && definition.bases.size() > 1) text = narrowToType(text, type, isResourceType);
    auto& compiled = byText[text];
    if (!compiled) {
      std::optional<fhirpath::Expression> expression;
      if (whole && !text.empty()) {
        expression = text == definition.expression ? *whole : parsedOr(text, *whole);
      }
      compiled = &compiled_.emplace_back(Compiled{&definition, kind, std::move(expression)});
    }
    byType_[type][definition.code] = compiled;  // a later parameter with the same code wins
  }
}

std::vector<std::string> IndexExtractor::typesOf(
    const fhir::SearchParameterDefinition& definition) const {
  std::set<std::string> types;
  for (const auto& base : definition.bases) {
    if (base == "Resource" || base == "DomainResource") {
      for (const auto& type : definitions_.resourceTypes()) {
        if (fhirpath::derivesFrom(type, base)) types.insert(type);
      }
    } else if (definitions_.isResourceType(base)) {
      types.insert(base);
    }
  }
  return {types.begin(), types.end()};
}

store::SearchIndex IndexExtractor::extract(const rapidjson::Value& resource) const {
  store::SearchIndex index;
  const auto found = byType_.find(fhir::getString(resource, "resourceType"));
  if (found == byType_.end()) return index;
  fhirpath::Environment env;
  env.resource = fhirpath::resourceNode(resource);
  env.types = &types_;
  for (const auto& [code, compiled] : found->second) {
    if (!compiled->expression) continue;
    fhirpath::Collection items;
    try {
      items = compiled->expression->evaluate(env.resource, env);
    } catch (const fhirpath::FhirPathEvaluationError&) {
      continue;  // this resource's data does not suit the expression: no rows for it
    }
    for (const auto& item : items) appendRows(compiled->kind, code, item, definitions_, index);
  }
  deduplicate(index);
  return index;
}

const fhir::SearchParameterDefinition* IndexExtractor::parameter(const std::string& type,
                                                                 const std::string& code) const {
  const auto found = byType_.find(type);
  if (found == byType_.end()) return nullptr;
  const auto it = found->second.find(code);
  return it == found->second.end() ? nullptr : it->second->definition;
}

std::vector<const fhir::SearchParameterDefinition*> IndexExtractor::parameters(
    const std::string& type) const {
  std::vector<const fhir::SearchParameterDefinition*> out;
  const auto found = byType_.find(type);
  if (found == byType_.end()) return out;
  for (const auto& [code, compiled] : found->second) out.push_back(compiled->definition);
  return out;
}

}  // namespace sp::search
