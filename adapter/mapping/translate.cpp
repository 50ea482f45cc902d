#include "mapping/translate.h"

namespace sp::mapping {
namespace {

bool dependenciesMet(const MapTarget& target, const Dependencies* known) {
  if (!known) return true;
  for (const DependsOn& d : target.dependsOn) {
    auto it = known->byProperty.find(d.property);
    if (it == known->byProperty.end()) return false;
    bool met = false;
    for (const Concept& c : it->second) {
      if (c.code == d.value && (d.system.empty() || c.system == d.system)) met = true;
    }
    if (!met) return false;
  }
  return true;
}

void forward(const ConceptMap& map, const MapGroup& group, const TranslateQuery& q,
             std::vector<Match>& out) {
  if (const MapElement* element = group.element(q.code)) {
    for (const MapTarget& t : element->targets) {
      if (!dependenciesMet(t, q.dependencies)) continue;
      out.push_back({t.equivalence,
                     {t.code.empty() ? "" : group.target, t.code, t.display},
                     map.url,
                     t.comment});
    }
    return;
  }
  if (group.unmappedMode == UnmappedMode::kProvided) {
    out.push_back({Equivalence::kEqual,
                   {group.target, q.code, ""},
                   map.url,
                   "not listed: the map's unmapped mode 'provided' keeps the code"});
  } else if (group.unmappedMode == UnmappedMode::kFixed) {
    out.push_back({Equivalence::kInexact,
                   {group.target, group.unmappedCode, group.unmappedDisplay},
                   map.url,
                   "not listed: the map's unmapped mode 'fixed' gives this code"});
  }
}

void backward(const ConceptMap& map, const MapGroup& group, const TranslateQuery& q,
              std::vector<Match>& out) {
  for (const MapElement& element : group.elements) {
    for (const MapTarget& t : element.targets) {
      if (t.code != q.code || !dependenciesMet(t, q.dependencies)) continue;
      out.push_back({reversed(t.equivalence),
                     {group.source, element.code, element.display},
                     map.url,
                     t.comment});
    }
  }
}

}  // namespace

std::vector<Match> translate(const ConceptMap& map, const TranslateQuery& q) {
  std::vector<Match> out;
  for (const MapGroup& group : map.groups) {
    const std::string& from = q.reverse ? group.target : group.source;
    const std::string& to = q.reverse ? group.source : group.target;
    if (from != q.system) continue;
    if (!q.targetSystem.empty() && to != q.targetSystem) continue;
    if (q.reverse) {
      backward(map, group, q, out);
    } else {
      forward(map, group, q, out);
    }
  }
  return out;
}

bool anyTranslation(const std::vector<Match>& matches) {
  for (const Match& m : matches) {
    if (translates(m.equivalence)) return true;
  }
  return false;
}

}  // namespace sp::mapping
