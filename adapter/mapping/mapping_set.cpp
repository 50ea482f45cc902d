#include "mapping/mapping_set.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fhir/definitions.h"
#include "fhir/errors.h"
#include "fhir/ids.h"
#include "fhir/json.h"

namespace sp::mapping {
namespace {

constexpr const char* kPartnersFile = "partners.json";

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

[[noreturn]] void fail(const std::string& file, const std::vector<std::string>& problems) {
  std::string text = "mapping file " + file + " is wrong:";
  for (const auto& p : problems) text += "\n  - " + p;
  throw MappingLoadError(text);
}

void parseFile(const MappingFile& file, const std::string& shown, rapidjson::Document& out) {
  try {
    fhir::parseJson(file.text, out);
  } catch (const fhir::FhirError& e) {
    fail(shown, {std::string("not valid JSON: ") + e.what()});
  }
}

// The ValueSet that holds the whole of code system `system`, by the naming conventions of the
// project (.../CodeSystem/x -> .../ValueSet/x) and of FHIR core (http://hl7.org/fhir/x ->
// http://hl7.org/fhir/ValueSet/x); empty when neither applies.
std::string wholeSystemValueSet(const std::string& system) {
  const std::string project = std::string(kCanonicalBase) + "/CodeSystem/";
  if (startsWith(system, project)) {
    return std::string(kCanonicalBase) + "/ValueSet/" + system.substr(project.size());
  }
  const std::string core = "http://hl7.org/fhir/";
  if (startsWith(system, core) && system.find('/', core.size()) == std::string::npos) {
    return core + "ValueSet/" + system.substr(core.size());
  }
  return "";
}

// Target codes of systems whose ValueSet the server knows must be codes of that system.
void checkTargetCodes(const ConceptMap& map, const fhir::Definitions& defs,
                      std::vector<std::string>& problems) {
  for (std::size_t g = 0; g < map.groups.size(); ++g) {
    const MapGroup& group = map.groups[g];
    const std::string vs = wholeSystemValueSet(group.target);
    if (vs.empty() || !defs.terminology().knowsValueSet(vs)) continue;
    for (std::size_t e = 0; e < group.elements.size(); ++e) {
      for (std::size_t t = 0; t < group.elements[e].targets.size(); ++t) {
        const std::string& code = group.elements[e].targets[t].code;
        if (code.empty()) continue;
        if (defs.terminology().contains(vs, group.target, code) == false) {
          problems.push_back("group[" + std::to_string(g) + "].element[" + std::to_string(e) +
                             "].target[" + std::to_string(t) + "]: '" + code +
                             "' is not a code of " + group.target);
        }
      }
    }
  }
}

// The element a path names in the core definition of its resource type (choice elements
// such as MessageHeader.eventCoding included); null when there is none.
const fhir::ElementDefinition* findElement(const ElementPath& path, const fhir::Definitions& defs,
                                           std::string& typeCode) {
  if (!defs.isResourceType(path.resourceType)) return nullptr;
  const fhir::StructureDefinition* sd = defs.typeDefinition(path.resourceType);
  if (!sd) return nullptr;
  std::string parent = path.resourceType;
  const fhir::ElementDefinition* found = nullptr;
  for (const std::string& step : path.steps) {
    found = nullptr;
    for (const fhir::ElementDefinition* child : sd->children(parent)) {
      if (child->name == step && child->types.size() <= 1) {
        found = child;
        typeCode = child->types.empty() ? "" : child->types.front().code;
        break;
      }
      if (!child->isChoice()) continue;
      for (const auto& type : child->types) {
        std::string suffix = type.code;
        if (!suffix.empty()) suffix[0] = static_cast<char>(std::toupper(suffix[0]));
        if (child->choicePrefix() + suffix == step) {
          found = child;
          typeCode = type.code;
        }
      }
      if (found) break;
    }
    if (!found) return nullptr;
    parent = found->id;
  }
  return found;
}

void checkPartners(const PartnerConfig& config, const MappingSet& set,
                   const fhir::Definitions* defs, std::vector<std::string>& problems) {
  for (std::size_t p = 0; p < config.partners().size(); ++p) {
    const Partner& partner = config.partners()[p];
    const std::string where = "partners[" + std::to_string(p) + "] (" + partner.id + ")";
    for (const std::string& endpoint : partner.endpoints) {
      const std::string canonical = set.identifierSystems().canonicalToken(endpoint);
      if (canonical != endpoint) {
        problems.push_back(where + ": endpoint " + endpoint + " should be spelled " + canonical);
      }
    }
    auto checkElement = [&](const std::string& w, const std::string& mapUrl,
                            const ElementPath& element) -> const ConceptMap* {
      const ConceptMap* map = set.conceptMap(mapUrl);
      if (!map) problems.push_back(w + ": no ConceptMap in this folder has url " + mapUrl);
      if (defs && !element.text.empty()) {
        std::string type;
        if (!findElement(element, *defs, type)) {
          problems.push_back(w + ": " + element.text + " is not an element of FHIR R4");
        } else if (type != "CodeableConcept" && type != "Coding") {
          problems.push_back(w + ": " + element.text + " is a " + type +
                             ", not a CodeableConcept or Coding");
        }
      }
      return map;
    };
    for (std::size_t i = 0; i < partner.inbound.size(); ++i) {
      const InboundRule& rule = partner.inbound[i];
      const std::string w = where + ".inbound[" + std::to_string(i) + "]";
      const ConceptMap* map = checkElement(w, rule.conceptMap, rule.element);
      if (!rule.hasSetsCode()) continue;
      std::string type;
      if (defs && (!findElement(rule.setsCode, *defs, type) || type != "code")) {
        problems.push_back(w + ".setsCode: " + rule.setsCode.text + " is not a code element");
      }
      if (map && std::none_of(map->groups.begin(), map->groups.end(),
                              [&](const MapGroup& g) { return g.target == rule.setsCodeSystem; })) {
        problems.push_back(w + ".setsCode: ConceptMap " + map->url + " has no group with target " +
                           rule.setsCodeSystem);
      }
    }
    for (std::size_t i = 0; i < partner.ownVocabulary.size(); ++i) {
      const OutboundRule& rule = partner.ownVocabulary[i];
      checkElement(where + ".ownVocabulary[" + std::to_string(i) + "]", rule.conceptMap,
                   rule.element);
    }
  }
}

}  // namespace

MappingSet MappingSet::load(const std::string& dir, const fhir::Definitions* definitions) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    throw MappingLoadError("mapping folder " + dir +
                           " does not exist (set --mappings-dir or SP_MAPPINGS_DIR)");
  }
  std::vector<MappingFile> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in) throw MappingLoadError("cannot read mapping file " + entry.path().string());
    std::ostringstream text;
    text << in.rdbuf();
    files.push_back({entry.path().filename().string(), text.str()});
  }
  std::sort(files.begin(), files.end(),
            [](const MappingFile& a, const MappingFile& b) { return a.name < b.name; });
  return fromFiles(files, dir + "/", definitions);
}

MappingSet MappingSet::fromFiles(const std::vector<MappingFile>& files, const std::string& origin,
                                 const fhir::Definitions* definitions) {
  MappingSet set;
  const MappingFile* partnersFile = nullptr;
  std::set<std::string> urls;
  for (const MappingFile& file : files) {
    const std::string shown = origin + file.name;
    if (file.name == kPartnersFile) {
      partnersFile = &file;
      continue;
    }
    std::string type;
    for (const char* t : {"ConceptMap", "NamingSystem"}) {
      if (startsWith(file.name, std::string(t) + "-") && endsWith(file.name, ".json")) type = t;
    }
    if (type.empty()) {
      fail(shown, {"unexpected file: mapping files are ConceptMap-<id>.json, "
                   "NamingSystem-<id>.json and partners.json"});
    }
    const std::string id =
        file.name.substr(type.size() + 1, file.name.size() - type.size() - 1 - 5);
    rapidjson::Document doc;
    parseFile(file, shown, doc);
    std::vector<std::string> problems;
    if (fhir::getString(doc, "resourceType") != type) {
      fail(shown, {"resourceType must be " + type + " (from the file name)"});
    }
    if (fhir::getString(doc, "id") != id) {
      problems.push_back("id must be '" + id + "' (from the file name)");
    }
    if (!fhir::isValidId(id)) problems.push_back("'" + id + "' is not a valid resource id");
    if (type == "ConceptMap") {
      ConceptMap map;
      try {
        map = parseConceptMap(doc);
      } catch (const MapError& e) {
        for (const auto& p : e.problems()) problems.push_back(p);
      }
      const std::string expectedUrl = std::string(kCanonicalBase) + "/ConceptMap/" + id;
      if (!map.url.empty() && map.url != expectedUrl) {
        problems.push_back("url must be " + expectedUrl + " (the project's canonical base)");
      }
      if (!map.url.empty() && !urls.insert(map.url).second) {
        problems.push_back("url " + map.url + " is used by another map");
      }
      if (definitions) checkTargetCodes(map, *definitions, problems);
      if (!problems.empty()) fail(shown, problems);
      set.maps_.push_back(std::move(map));
    } else {
      try {
        set.systems_.add(doc);
      } catch (const MapError& e) {
        for (const auto& p : e.problems()) problems.push_back(p);
      }
      if (!problems.empty()) fail(shown, problems);
    }
    set.resources_.push_back({type, id, file.text, file.name});
  }
  const std::string shownPartners = origin + kPartnersFile;
  if (!partnersFile) fail(shownPartners, {"the partner configuration is missing"});
  rapidjson::Document doc;
  parseFile(*partnersFile, shownPartners, doc);
  try {
    set.partners_ = PartnerConfig::parse(doc);
  } catch (const MapError& e) {
    fail(shownPartners, e.problems());
  }
  std::vector<std::string> problems;
  checkPartners(set.partners_, set, definitions, problems);
  if (!problems.empty()) fail(shownPartners, problems);
  return set;
}

const ConceptMap* MappingSet::conceptMap(const std::string& url, const std::string& version) const {
  for (const ConceptMap& map : maps_) {
    if (map.url == url && (version.empty() || map.version == version)) return &map;
  }
  return nullptr;
}

}  // namespace sp::mapping
