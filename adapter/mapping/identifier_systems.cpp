#include "mapping/identifier_systems.h"

#include "fhir/json.h"
#include "mapping/concept_map.h"

namespace sp::mapping {
namespace {

void walk(rapidjson::Value& value, const std::string& path, const IdentifierSystems& table,
          rapidjson::Document::AllocatorType& a, std::vector<IdentifierSystems::Change>& out) {
  if (value.IsArray()) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      walk(value[i], path + "[" + std::to_string(i) + "]", table, a, out);
    }
    return;
  }
  if (!value.IsObject()) return;
  rapidjson::Value* system = nullptr;
  bool hasValue = false;
  for (auto& m : value.GetObject()) {
    const std::string name(m.name.GetString(), m.name.GetStringLength());
    if (name == "system" && m.value.IsString()) system = &m.value;
    if (name == "value" && m.value.IsString()) hasValue = true;
    if (name == "endpoint" && m.value.IsString()) {
      const std::string before(m.value.GetString(), m.value.GetStringLength());
      const std::string after = table.canonicalToken(before);
      if (after != before) {
        out.push_back({path + ".endpoint", before, after});
        m.value = fhir::makeString(after, a);
      }
    }
  }
  if (system && hasValue) {
    const std::string before(system->GetString(), system->GetStringLength());
    const std::string& after = table.canonical(before);
    if (after != before) {
      out.push_back({path + ".system", before, after});
      *system = fhir::makeString(after, a);
    }
  }
  for (auto& m : value.GetObject()) {
    if (m.value.IsObject() || m.value.IsArray()) {
      const std::string name(m.name.GetString(), m.name.GetStringLength());
      walk(m.value, path + "." + name, table, a, out);
    }
  }
}

}  // namespace

void IdentifierSystems::add(const rapidjson::Value& ns) {
  std::vector<std::string> problems;
  if (!ns.IsObject() || fhir::getString(ns, "resourceType") != "NamingSystem") {
    throw MapError({"not a NamingSystem resource"});
  }
  std::string preferred;
  std::vector<std::string> spellings;
  const rapidjson::Value* ids = fhir::findMember(ns, "uniqueId");
  if (!ids || !ids->IsArray() || ids->Empty()) {
    throw MapError({"uniqueId: at least one is required"});
  }
  for (rapidjson::SizeType i = 0; i < ids->Size(); ++i) {
    const rapidjson::Value& id = (*ids)[i];
    const std::string where = "uniqueId[" + std::to_string(i) + "]";
    if (!id.IsObject()) {
      problems.push_back(where + ": must be an object");
      continue;
    }
    if (fhir::getString(id, "type") != "uri") continue;  // oids and others are not spellings
    const std::string value = fhir::getString(id, "value");
    if (value.empty()) {
      problems.push_back(where + ": 'value' is required");
      continue;
    }
    const rapidjson::Value* pref = fhir::findMember(id, "preferred");
    if (pref && pref->IsBool() && pref->GetBool()) {
      if (!preferred.empty()) problems.push_back(where + ": a second preferred uri");
      preferred = value;
    }
    spellings.push_back(value);
  }
  if (preferred.empty()) problems.push_back("uniqueId: no uri is marked preferred");
  for (const std::string& s : spellings) {
    auto it = toCanonical_.find(s);
    if (it != toCanonical_.end() && it->second != preferred) {
      problems.push_back("uniqueId '" + s + "' already means " + it->second);
    }
  }
  if (!problems.empty()) throw MapError(std::move(problems));
  for (const std::string& s : spellings) toCanonical_[s] = preferred;
}

const std::string& IdentifierSystems::canonical(const std::string& system) const {
  auto it = toCanonical_.find(system);
  return it == toCanonical_.end() ? system : it->second;
}

std::string IdentifierSystems::canonicalToken(const std::string& token) const {
  const std::size_t bar = token.find('|');
  if (bar == std::string::npos) return token;
  return canonical(token.substr(0, bar)) + token.substr(bar);
}

std::vector<IdentifierSystems::Change> IdentifierSystems::normalise(
    rapidjson::Value& resource, rapidjson::Document::AllocatorType& allocator) const {
  std::vector<Change> out;
  if (toCanonical_.empty() || !resource.IsObject()) return out;
  walk(resource, fhir::getString(resource, "resourceType"), *this, allocator, out);
  return out;
}

}  // namespace sp::mapping
