#include "fhir/terminology.h"

#include "fhir/canonical.h"
#include "fhir/json.h"

namespace sp::fhir {
namespace {

void collectCodes(const rapidjson::Value& concepts, std::vector<std::string>& out) {
  if (!concepts.IsArray()) return;
  for (const auto& c : concepts.GetArray()) {
    const std::string code = getString(c, "code");
    if (!code.empty()) out.push_back(code);
    if (const auto* nested = findMember(c, "concept")) collectCodes(*nested, out);
  }
}

}  // namespace

void Terminology::add(const rapidjson::Value& resource) {
  const std::string type = getString(resource, "resourceType");
  const std::string url = getString(resource, "url");
  if (url.empty()) return;
  if (type == "ValueSet") {
    rapidjson::Document copy;
    copy.CopyFrom(resource, copy.GetAllocator());
    valueSets_[url] = std::move(copy);
  } else if (type == "CodeSystem" && getString(resource, "content") == "complete") {
    std::vector<std::string> codes;
    if (const auto* concepts = findMember(resource, "concept")) collectCodes(*concepts, codes);
    codeSystems_[url] = std::move(codes);
  }
}

std::optional<Terminology::Expansion> Terminology::expand(const std::string& url, int depth) const {
  auto vs = valueSets_.find(url);
  if (vs == valueSets_.end() || depth > 8) return std::nullopt;
  const auto* compose = findMember(vs->second, "compose");
  const auto* includes = compose ? findMember(*compose, "include") : nullptr;
  if (!includes || !includes->IsArray()) return std::nullopt;
  Expansion out;
  auto addCode = [&out](const std::string& system, const std::string& code) {
    out.systemAndCode.insert(system + "|" + code);
    out.codes.insert(code);
  };
  for (const auto& include : includes->GetArray()) {
    if (findMember(include, "filter")) return std::nullopt;  // filters are not evaluated
    if (const auto* nested = findMember(include, "valueSet"); nested && nested->IsArray()) {
      for (const auto& v : nested->GetArray()) {
        if (!v.IsString()) continue;
        auto sub = expand(stripVersion(v.GetString()), depth + 1);
        if (!sub) return std::nullopt;
        out.systemAndCode.insert(sub->systemAndCode.begin(), sub->systemAndCode.end());
        out.codes.insert(sub->codes.begin(), sub->codes.end());
      }
    }
    const std::string system = getString(include, "system");
    if (system.empty()) continue;
    if (const auto* concepts = findMember(include, "concept"); concepts && concepts->IsArray()) {
      for (const auto& c : concepts->GetArray()) addCode(system, getString(c, "code"));
      continue;
    }
    auto cs = codeSystems_.find(system);
    if (cs == codeSystems_.end()) return std::nullopt;  // a whole system we do not hold
    for (const auto& code : cs->second) addCode(system, code);
  }
  return out;
}

void Terminology::expandAll() {
  for (const auto& [url, vs] : valueSets_) {
    if (auto expansion = expand(url, 0)) expansions_[url] = std::move(*expansion);
  }
}

std::optional<bool> Terminology::contains(const std::string& valueSet, const std::string& system,
                                          const std::string& code) const {
  auto it = expansions_.find(stripVersion(valueSet));
  if (it == expansions_.end()) return std::nullopt;
  if (system.empty()) return it->second.codes.count(code) > 0;
  return it->second.systemAndCode.count(system + "|" + code) > 0;
}

}  // namespace sp::fhir
