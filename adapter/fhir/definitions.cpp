#include "fhir/definitions.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "fhir/snapshot.h"

namespace sp::fhir {
namespace {

constexpr const char* kCoreBase = "http://hl7.org/fhir/StructureDefinition/";

rapidjson::Document readJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read definitions file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  try {
    parseJson(text.str(), doc, JsonLimits{512});
  } catch (const FhirError& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return doc;
}

template <typename Visit>
void forEachEntry(const rapidjson::Document& bundle, const std::string& path, Visit visit) {
  const rapidjson::Value* entries = findMember(bundle, "entry");
  if (!entries || !entries->IsArray()) throw std::runtime_error(path + ": not a Bundle");
  for (const auto& entry : entries->GetArray()) {
    if (const rapidjson::Value* resource = findMember(entry, "resource")) visit(*resource);
  }
}

SearchParameterDefinition searchParameterOf(const rapidjson::Value& json) {
  return SearchParameterDefinition{getString(json, "url"),   getString(json, "code"),
                                   getString(json, "type"),  getString(json, "expression"),
                                   getStrings(json, "base"), getStrings(json, "target")};
}

}  // namespace

void Definitions::addStructureDefinition(std::unique_ptr<StructureDefinition> sd) {
  const StructureDefinition* raw = sd.get();
  if (sd->derivation != "constraint" && !sd->type.empty() && sd->url == kCoreBase + sd->type) {
    byType_[sd->type] = raw;
    if (sd->kind == "resource" && !sd->isAbstract) resourceTypes_.insert(sd->type);
  }
  byUrl_[sd->url] = std::move(sd);
}

Definitions Definitions::load(const std::string& profilesDir) {
  Definitions defs;
  for (const char* file : {"profiles-types.json", "profiles-resources.json"}) {
    const std::string path = profilesDir + "/r4/" + file;
    const rapidjson::Document bundle = readJsonFile(path);
    forEachEntry(bundle, path, [&](const rapidjson::Value& r) {
      if (getString(r, "resourceType") != "StructureDefinition") return;
      // The npm source carries a few definitions of later versions (SubscriptionStatus, 4.3.0):
      // only R4's own types are served, routed and validated.
      const std::string version = getString(r, "version");
      if (!version.empty() && version != defs.fhirVersion_) return;
      defs.addStructureDefinition(
          std::make_unique<StructureDefinition>(parseStructureDefinition(r, "snapshot")));
    });
  }
  if (defs.resourceTypes_.empty()) throw std::runtime_error(profilesDir + "/r4: no resource types");
  {
    const std::string path = profilesDir + "/r4/valuesets.json";
    const rapidjson::Document bundle = readJsonFile(path);
    forEachEntry(bundle, path, [&](const rapidjson::Value& r) { defs.terminology_.add(r); });
  }
  {
    const std::string path = profilesDir + "/r4/search-parameters.json";
    const rapidjson::Document bundle = readJsonFile(path);
    forEachEntry(bundle, path, [&](const rapidjson::Value& r) {
      defs.searchParams_.push_back(searchParameterOf(r));
    });
  }

  // The project's own resources: one per file, in name order for a stable result.
  std::vector<std::filesystem::path> files;
  const std::filesystem::path spDir = std::filesystem::path(profilesDir) / "sp";
  if (std::filesystem::is_directory(spDir)) {
    for (const auto& f : std::filesystem::directory_iterator(spDir)) {
      if (f.path().extension() == ".json") files.push_back(f.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::pair<std::string, rapidjson::Document>> differentials;
  for (const auto& file : files) {
    rapidjson::Document doc = readJsonFile(file.string());
    const std::string type = getString(doc, "resourceType");
    if (getString(doc, "url").empty()) {
      throw std::runtime_error(file.string() + ": a conformance resource needs a url");
    }
    defs.projectResources_.push_back(writeJson(doc));
    if (type == "StructureDefinition") {
      differentials.emplace_back(file.string(), std::move(doc));
    } else if (type == "ValueSet" || type == "CodeSystem") {
      defs.terminology_.add(doc);
    } else if (type == "SearchParameter") {
      defs.searchParams_.push_back(searchParameterOf(doc));
    }
  }
  defs.terminology_.expandAll();

  // Profiles may build on each other: resolve in rounds until none is left waiting.
  auto typeLookup = [&defs](const std::string& type) { return defs.typeDefinition(type); };
  while (!differentials.empty()) {
    const std::size_t before = differentials.size();
    for (auto it = differentials.begin(); it != differentials.end();) {
      const auto& [file, doc] = *it;
      auto sd =
          std::make_unique<StructureDefinition>(parseStructureDefinition(doc, "differential"));
      const StructureDefinition* base = defs.structureDefinition(sd->baseDefinition);
      if (!base) {
        ++it;
        continue;
      }
      try {
        sd->setElements(generateSnapshot(*base, sd->elements(), typeLookup));
      } catch (const std::exception& e) {
        throw std::runtime_error(file + ": " + e.what());
      }
      if (sd->kind == "resource") defs.profiles_.push_back(sd.get());
      defs.addStructureDefinition(std::move(sd));
      it = differentials.erase(it);
    }
    if (differentials.size() == before) {
      throw std::runtime_error(differentials.front().first + ": unknown baseDefinition");
    }
  }
  const std::string requiredPath = profilesDir + "/required-profiles.json";
  if (std::filesystem::exists(requiredPath)) {
    const rapidjson::Document required = readJsonFile(requiredPath);
    if (!required.IsObject()) throw std::runtime_error(requiredPath + ": must be an object");
    for (const auto& m : required.GetObject()) {
      for (const auto& url : getStrings(required, m.name.GetString())) {
        if (!defs.structureDefinition(url)) {
          throw std::runtime_error(requiredPath + ": unknown profile " + url);
        }
        defs.requiredProfiles_[m.name.GetString()].push_back(url);
      }
    }
  }
  return defs;
}

const std::vector<std::string>& Definitions::requiredProfiles(const std::string& type) const {
  static const std::vector<std::string> kNone;
  auto it = requiredProfiles_.find(type);
  return it == requiredProfiles_.end() ? kNone : it->second;
}

Definitions Definitions::withResourceTypes(std::set<std::string> types) {
  Definitions defs;
  defs.resourceTypes_ = std::move(types);
  return defs;
}

const StructureDefinition* Definitions::structureDefinition(const std::string& url) const {
  auto it = byUrl_.find(url);
  return it == byUrl_.end() ? nullptr : it->second.get();
}

std::vector<const StructureDefinition*> Definitions::allStructureDefinitions() const {
  std::vector<const StructureDefinition*> all;
  for (const auto& [url, sd] : byUrl_) all.push_back(sd.get());
  return all;
}

const StructureDefinition* Definitions::typeDefinition(const std::string& type) const {
  auto it = byType_.find(type);
  return it == byType_.end() ? nullptr : it->second;
}

}  // namespace sp::fhir
