// FHIR R4 ConceptMap as data: the groups, elements and targets a translation walks, read once
// from JSON and immutable afterwards (safe to share between threads).
//
// The parser is strict, because a map that is wrong translates partner codes wrongly without
// anyone noticing: parseConceptMap collects every problem it finds (each with a location such as
// `group[0].element[2].target[0].equivalence`) and throws MapError with all of them.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/project_urls.h"

namespace sp::mapping {

// The project's canonical base. What happens to a code a map does not translate is the
// partner's choice (InboundRule::refusesUnmapped, partners.json), not the map's.
inline constexpr const char* kCanonicalBase = fhir::kProjectBase;

// R4 ConceptMapEquivalence (http://hl7.org/fhir/concept-map-equivalence).
enum class Equivalence {
  kRelatedTo,
  kEquivalent,
  kEqual,
  kWider,
  kSubsumes,
  kNarrower,
  kSpecializes,
  kInexact,
  kUnmatched,
  kDisjoint,
};

std::optional<Equivalence> parseEquivalence(std::string_view code);
const char* equivalenceCode(Equivalence equivalence);
// True when the target is a translation at all (everything but unmatched and disjoint).
bool translates(Equivalence equivalence);
// True for equivalent and equal: the translation needs no remark.
bool isExact(Equivalence equivalence);
// The equivalence seen from the target's side (wider <-> narrower, subsumes <-> specializes).
Equivalence reversed(Equivalence equivalence);

// A condition on a target (R4 dependsOn): the mapping holds only when the element named by
// `property` holds `system`|`value`.
struct DependsOn {
  std::string property;
  std::string system;
  std::string value;
};

struct MapTarget {
  std::string code;  // empty for unmatched without a code
  std::string display;
  Equivalence equivalence = Equivalence::kEquivalent;
  std::string comment;
  std::vector<DependsOn> dependsOn;
};

struct MapElement {
  std::string code;
  std::string display;
  std::vector<MapTarget> targets;
};

// group.unmapped: what a code of the source system that no element lists maps to.
enum class UnmappedMode { kNone, kProvided, kFixed };

struct MapGroup {
  std::string source;  // code system URL
  std::string sourceVersion;
  std::string target;
  std::string targetVersion;
  std::vector<MapElement> elements;
  UnmappedMode unmappedMode = UnmappedMode::kNone;
  std::string unmappedCode;  // kFixed
  std::string unmappedDisplay;

  const MapElement* element(const std::string& code) const;
};

struct ConceptMap {
  std::string id;
  std::string url;
  std::string version;
  std::string name;
  std::string title;
  std::string sourceScope;  // sourceUri / sourceCanonical (a ValueSet)
  std::string targetScope;  // targetUri / targetCanonical
  std::vector<MapGroup> groups;
};

class MapError : public std::runtime_error {
 public:
  explicit MapError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Reads a ConceptMap resource. Throws MapError listing every problem: not a ConceptMap, no
// url, an unknown equivalence, a target without a code that is not unmatched, narrower or
// inexact without a comment (R4 cmd-1), a source code listed twice in a group, an unmapped mode
// this server does not follow (other-map).
ConceptMap parseConceptMap(const rapidjson::Value& json);

}  // namespace sp::mapping
