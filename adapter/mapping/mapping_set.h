// The mapping tables of mappings/: ConceptMaps (ConceptMap-<id>.json), identifier system
// spellings (NamingSystem-<id>.json) and the partner configuration (partners.json).
//
// Loaded once at start-up and checked thoroughly, because a wrong table silently mistranslates:
// a problem in any file stops start-up with MappingLoadError, whose message names the file and
// every problem found in it. Read-only afterwards, so it is safe to share between threads.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mapping/concept_map.h"
#include "mapping/identifier_systems.h"
#include "mapping/partner_config.h"

namespace sp::fhir {
class Definitions;
}

namespace sp::mapping {

class MappingLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file of the folder as read: its name and JSON text.
struct MappingFile {
  std::string name;  // "ConceptMap-vcse-case-status.json"
  std::string text;
};

class MappingSet {
 public:
  // Reads `dir` (files ending in .json; others, such as a README, are ignored). Throws
  // MappingLoadError when the folder cannot be read or any file is wrong.
  static MappingSet load(const std::string& dir, const fhir::Definitions* definitions);

  // The same checks over files given in memory; `origin` prefixes file names in messages.
  // With `definitions`, element paths are checked against the resource definitions and target
  // codes of the project's (and FHIR core) code systems against their ValueSets.
  static MappingSet fromFiles(const std::vector<MappingFile>& files, const std::string& origin,
                              const fhir::Definitions* definitions);

  MappingSet() = default;

  const std::vector<ConceptMap>& conceptMaps() const { return maps_; }
  // By canonical URL (and version, when given); null when unknown.
  const ConceptMap* conceptMap(const std::string& url, const std::string& version = "") const;
  const IdentifierSystems& identifierSystems() const { return systems_; }
  const PartnerConfig& partners() const { return partners_; }

  // The conformance resources of the folder (ConceptMaps and NamingSystems), to be stored so
  // that they can be read and searched.
  struct Resource {
    std::string type;
    std::string id;
    std::string json;
    std::string file;
  };
  const std::vector<Resource>& resources() const { return resources_; }

 private:
  std::vector<ConceptMap> maps_;
  IdentifierSystems systems_;
  PartnerConfig partners_;
  std::vector<Resource> resources_;
};

}  // namespace sp::mapping
