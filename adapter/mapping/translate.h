// Translation of one code through one ConceptMap, with the semantics of R4 ConceptMap/$translate.
// Pure functions over an immutable ConceptMap: safe from any thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mapping/concept_map.h"

namespace sp::mapping {

struct Concept {
  std::string system;
  std::string code;
  std::string display;
};

struct Match {
  Equivalence equivalence = Equivalence::kEquivalent;
  Concept concept;     // code empty for an unmatched or disjoint target that names none
  std::string mapUrl;  // the ConceptMap that gave the match ($translate's `source` part)
  std::string comment;
};

// What the caller knows about the context of the code, for targets with dependsOn: the
// concepts each property (an element name such as "MessageHeader.reason") holds.
struct Dependencies {
  std::map<std::string, std::vector<Concept>> byProperty;
};

struct TranslateQuery {
  std::string system;
  std::string code;
  std::string targetSystem;  // empty: every target system of the map
  // false: `system`|`code` is a source concept and the matches are targets. true: it is a
  // target concept and the matches are the source concepts that map to it, each with the
  // equivalence seen from that side (a source mapped `wider` comes back `narrower`).
  bool reverse = false;
  // null: dependsOn conditions are not checked (every target is a candidate). Otherwise a
  // target is a match only when every condition is met by a concept given for its property.
  const Dependencies* dependencies = nullptr;
};

// Every match, in map order. An element listed with `unmatched` or `disjoint` gives a match
// with that equivalence (so the caller can tell "known not to map" from "not listed"). A code the
// map does not list gives no match, unless the group declares `unmapped` (mode `provided`: the
// same code, `equal`; mode `fixed`: the fixed code, `inexact`). Reverse translation ignores
// `unmapped`.
std::vector<Match> translate(const ConceptMap& map, const TranslateQuery& query);

// True when at least one match translates (its equivalence is neither unmatched nor disjoint).
bool anyTranslation(const std::vector<Match>& matches);

}  // namespace sp::mapping
