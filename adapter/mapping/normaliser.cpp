#include "mapping/normaliser.h"

#include <algorithm>
#include <map>
#include <set>

#include "fhir/json.h"

namespace sp::mapping {
namespace {

using Allocator = rapidjson::Document::AllocatorType;
using fhir::Issue;
using fhir::Severity;

struct Located {
  rapidjson::Value* value;
  std::string location;  // FHIRPath with indexes: "ServiceRequest.reasonCode[1]"
};

// Every value at `steps` below `node` (arrays at any step are walked).
void collect(rapidjson::Value& node, const std::vector<std::string>& steps, std::size_t i,
             const std::string& location, std::vector<Located>& out) {
  if (i == steps.size()) {
    out.push_back({&node, location});
    return;
  }
  if (!node.IsObject()) return;
  auto it = node.FindMember(steps[i].c_str());
  if (it == node.MemberEnd()) return;
  if (it->value.IsArray()) {
    for (rapidjson::SizeType j = 0; j < it->value.Size(); ++j) {
      collect(it->value[j], steps, i + 1, location + "." + steps[i] + "[" + std::to_string(j) + "]",
              out);
    }
  } else {
    collect(it->value, steps, i + 1, location + "." + steps[i], out);
  }
}

bool isSourceSystem(const ConceptMap& map, const std::string& system) {
  for (const MapGroup& g : map.groups) {
    if (g.source == system) return true;
  }
  return false;
}

bool isTargetSystem(const ConceptMap& map, const std::string& system) {
  for (const MapGroup& g : map.groups) {
    if (g.target == system) return true;
  }
  return false;
}

// A coding the map would produce: one of its target codes, or any code of a target system
// that is not also one of its source systems.
bool isCanonical(const ConceptMap& map, const std::string& system, const std::string& code) {
  if (!isTargetSystem(map, system)) return false;
  if (!isSourceSystem(map, system)) return true;
  for (const MapGroup& g : map.groups) {
    if (g.target != system) continue;
    for (const MapElement& e : g.elements) {
      for (const MapTarget& t : e.targets) {
        if (t.code == code && translates(t.equivalence)) return true;
      }
    }
  }
  return false;
}

std::string quoted(const std::string& system, const std::string& code) {
  return "'" + code + "' (" + system + ")";
}

rapidjson::Value codingValue(const Concept& c, Allocator& a) {
  rapidjson::Value coding(rapidjson::kObjectType);
  coding.AddMember("system", fhir::makeString(c.system, a), a);
  coding.AddMember("code", fhir::makeString(c.code, a), a);
  if (!c.display.empty()) coding.AddMember("display", fhir::makeString(c.display, a), a);
  return coding;
}

// The concepts a dependsOn property names in the resource ("MessageHeader.reason"): codings of
// CodeableConcepts, Codings, and plain strings.
Dependencies dependenciesOf(const ConceptMap& map, rapidjson::Value& root, const std::string& type,
                            const Dependencies* extra) {
  Dependencies deps;
  if (extra) deps = *extra;
  std::set<std::string> properties;
  for (const MapGroup& g : map.groups) {
    for (const MapElement& e : g.elements) {
      for (const MapTarget& t : e.targets) {
        for (const DependsOn& d : t.dependsOn) properties.insert(d.property);
      }
    }
  }
  for (const std::string& property : properties) {
    ElementPath path;
    try {
      path = parseElementPath(property);
    } catch (const MapError&) {
      continue;  // not an element path: only `extra` can satisfy it
    }
    if (path.resourceType != type) continue;
    std::vector<Located> found;
    collect(root, path.steps, 0, type, found);
    auto& concepts = deps.byProperty[property];
    for (const Located& l : found) {
      const rapidjson::Value& v = *l.value;
      if (v.IsString()) {
        concepts.push_back({"", v.GetString(), ""});
      } else if (const rapidjson::Value* codings =
                     v.IsObject() ? fhir::findMember(v, "coding") : nullptr;
                 codings && codings->IsArray()) {
        for (const auto& c : codings->GetArray()) {
          concepts.push_back({fhir::getString(c, "system"), fhir::getString(c, "code"), ""});
        }
      } else if (v.IsObject()) {
        concepts.push_back({fhir::getString(v, "system"), fhir::getString(v, "code"), ""});
      }
    }
  }
  return deps;
}

// The translations of a set of partner codings, one per target system.
struct Translation {
  std::map<std::string, Match> chosen;  // target system -> match
  std::map<std::string, Concept> from;  // target system -> the partner code it translates
  std::vector<std::string> why;         // why codes did not translate (for the unmapped issue)
  std::vector<std::string> ambiguous;   // target systems with several different translations
};

Translation translateAll(const ConceptMap& map, const std::vector<Concept>& originals,
                         const Dependencies& deps) {
  Translation out;
  std::map<std::string, std::vector<std::pair<Match, Concept>>> bySystem;
  for (const Concept& o : originals) {
    TranslateQuery q;
    q.system = o.system;
    q.code = o.code;
    q.dependencies = &deps;
    const std::vector<Match> matches = translate(map, q);
    if (matches.empty()) out.why.push_back(quoted(o.system, o.code) + " is not in the map");
    bool any = false;
    for (const Match& m : matches) {
      if (translates(m.equivalence)) {
        bySystem[m.concept.system].push_back({m, o});
        any = true;
      } else if (!any) {
        out.why.push_back(quoted(o.system, o.code) + " is mapped as " +
                          equivalenceCode(m.equivalence) +
                          (m.comment.empty() ? "" : " (" + m.comment + ")"));
      }
    }
  }
  for (auto& [system, matches] : bySystem) {
    std::set<std::string> codes;
    for (const auto& [m, o] : matches) codes.insert(m.concept.code);
    if (codes.size() > 1) {
      std::string list;
      for (const auto& c : codes) list += (list.empty() ? "" : " or ") + c;
      out.ambiguous.push_back(system + " (" + list + ")");
      continue;
    }
    const std::pair<Match, Concept>* best = &matches.front();
    for (const auto& candidate : matches) {
      if (isExact(candidate.first.equivalence) && !isExact(best->first.equivalence)) {
        best = &candidate;
      }
    }
    out.chosen[system] = best->first;
    out.from[system] = best->second;
  }
  return out;
}

void noteEquivalence(const Match& m, const Concept& from, const std::string& location,
                     Normalisation& result) {
  if (isExact(m.equivalence)) return;
  result.notes.push_back({Severity::kInformation, "informational",
                          "Partner code " + quoted(from.system, from.code) + " was translated to " +
                              quoted(m.concept.system, m.concept.code) + " with equivalence '" +
                              equivalenceCode(m.equivalence) + "' by ConceptMap " + m.mapUrl +
                              (m.comment.empty() ? "" : ": " + m.comment),
                          location});
}

void unmapped(const ConceptMap& map, const InboundRule& rule, const std::vector<Concept>& originals,
              const Translation& t, const std::string& location, Normalisation& result) {
  std::string codes;
  for (const Concept& o : originals)
    codes += (codes.empty() ? "" : ", ") + quoted(o.system, o.code);
  std::string why;
  for (const auto& w : t.why) why += "; " + w;
  for (const auto& a : t.ambiguous) why += "; it translates to several codes of " + a;
  const bool refuse = rule.refusesUnmapped;
  Issue issue{refuse ? Severity::kError : Severity::kWarning, "code-invalid",
              "Code " + codes + " has no translation in ConceptMap " + map.url + why +
                  (refuse ? ". This partner's entry in partners.json refuses codes the map "
                            "cannot translate"
                          : ". Kept as sent"),
              location};
  (refuse ? result.refusals : result.notes).push_back(std::move(issue));
}

// "location system|code" of each coding the writer was shown at a rule's element.
using Shown = std::set<std::string>;

void collectShown(const rapidjson::Value* asRead, const InboundRule& rule, const std::string& type,
                  Shown& shown) {
  if (!asRead || !asRead->IsObject()) return;
  std::vector<Located> found;  // collect only reads: the const_cast changes nothing
  collect(const_cast<rapidjson::Value&>(*asRead), rule.element.steps, 0, type, found);
  for (const Located& l : found) {
    if (!l.value->IsObject()) continue;
    if (const auto* codings = fhir::findMember(*l.value, "coding"); codings && codings->IsArray()) {
      for (const auto& c : codings->GetArray()) {
        shown.insert(l.location + " " + fhir::getString(c, "system") + "|" +
                     fhir::getString(c, "code"));
      }
    } else if (l.value->HasMember("code")) {
      shown.insert(l.location + " " + fhir::getString(*l.value, "system") + "|" +
                   fhir::getString(*l.value, "code"));
    }
  }
}

void normaliseCodeableConcept(const ConceptMap& map, const InboundRule& rule, rapidjson::Value& cc,
                              const std::string& location, rapidjson::Value& root,
                              const Dependencies& deps, const Shown& shown, Allocator& a,
                              Normalisation& result) {
  if (!cc.IsObject() || !cc.HasMember("coding") || !cc["coding"].IsArray()) return;
  rapidjson::Value* codings = &cc["coding"];
  std::vector<Concept> originals;
  std::vector<std::string> originalKeys;
  bool hasCanonical = false;
  for (const auto& c : codings->GetArray()) {
    const std::string system = fhir::getString(c, "system");
    const std::string code = fhir::getString(c, "code");
    if (system.empty() || code.empty()) continue;
    if (isCanonical(map, system, code)) {
      hasCanonical = true;
    } else if (shown.count(location + " " + system + "|" + code) > 0) {
      // The writer's copy of what it read (perhaps the word presentTo added): not its change,
      // so it does not override what the writer did change (a new Task.status).
      continue;
    } else if (isSourceSystem(map, system)) {
      originals.push_back({system, code, fhir::getString(c, "display")});
      originalKeys.push_back(system + "|" + code);
    }
  }
  if (originals.empty()) return;  // already canonical, or not this map's vocabulary
  const Translation t = translateAll(map, originals, deps);
  if (t.chosen.empty()) {
    if (!hasCanonical) unmapped(map, rule, originals, t, location, result);
    return;
  }
  for (const auto& a2 : t.ambiguous) {
    result.notes.push_back({Severity::kWarning, "code-invalid",
                            "Partner codes translate to several codes of " + a2 +
                                " by ConceptMap " + map.url + "; none was added",
                            location});
  }
  for (const auto& [system, m] : t.chosen) {
    const Concept& from = t.from.at(system);
    if (rule.hasSetsCode() && system == rule.setsCodeSystem) {
      const std::string& member = rule.setsCode.steps.front();
      const std::string before = fhir::getString(root, member.c_str());
      if (before != m.concept.code) {
        fhir::setMember(root, member.c_str(), fhir::makeString(m.concept.code, a), a);
        result.notes.push_back({Severity::kInformation, "informational",
                                rule.setsCode.text + " is '" + m.concept.code + "'" +
                                    (before.empty() ? "" : " (not '" + before + "' as sent)") +
                                    ": the translation of partner code " +
                                    quoted(from.system, from.code) + " by ConceptMap " + map.url,
                                rule.setsCode.text});
      }
      noteEquivalence(m, from, rule.setsCode.text, result);
      continue;
    }
    rapidjson::Value kept(rapidjson::kArrayType);
    bool present = false;
    for (auto& c : codings->GetArray()) {
      const std::string s = fhir::getString(c, "system");
      const std::string code = fhir::getString(c, "code");
      const bool stale =
          s == system && code != m.concept.code && isCanonical(map, s, code) &&
          std::find(originalKeys.begin(), originalKeys.end(), s + "|" + code) == originalKeys.end();
      if (s == system && code == m.concept.code) present = true;
      if (stale) {
        result.notes.push_back(
            {Severity::kInformation, "informational",
             "Coding " + quoted(s, code) + " was replaced by " + quoted(system, m.concept.code) +
                 ", the translation of the sender's own code " + quoted(from.system, from.code),
             location});
        continue;
      }
      kept.PushBack(c, a);
    }
    *codings = kept;
    if (present) continue;  // the sender gave the canonical coding itself
    codings->PushBack(codingValue(m.concept, a), a);
    noteEquivalence(m, from, location, result);
  }
}

void normaliseCoding(const ConceptMap& map, const InboundRule& rule, rapidjson::Value& coding,
                     const std::string& location, const Dependencies& deps, const Shown& shown,
                     Allocator& a, Normalisation& result) {
  if (!coding.IsObject()) return;
  const Concept original{fhir::getString(coding, "system"), fhir::getString(coding, "code"),
                         fhir::getString(coding, "display")};
  if (original.system.empty() || original.code.empty()) return;
  if (shown.count(location + " " + original.system + "|" + original.code) > 0) return;
  if (isCanonical(map, original.system, original.code) || !isSourceSystem(map, original.system)) {
    return;
  }
  const Translation t = translateAll(map, {original}, deps);
  if (t.chosen.empty()) {
    unmapped(map, rule, {original}, t, location, result);
    return;
  }
  rapidjson::Value extensions(rapidjson::kArrayType);
  if (auto old = coding.FindMember("extension");
      old != coding.MemberEnd() && old->value.IsArray()) {
    for (auto& e : old->value.GetArray()) {
      if (fhir::getString(e, "url") != kCanonicalCodingExtension) extensions.PushBack(e, a);
    }
  }
  for (const auto& [system, m] : t.chosen) {
    rapidjson::Value ext(rapidjson::kObjectType);
    ext.AddMember("url", rapidjson::StringRef(kCanonicalCodingExtension), a);
    ext.AddMember("valueCoding", codingValue(m.concept, a), a);
    extensions.PushBack(ext, a);
    noteEquivalence(m, original, location, result);
  }
  fhir::setMember(coding, "extension", std::move(extensions), a);
}

}  // namespace

Normalisation normaliseInbound(const MappingSet& set, rapidjson::Document& resource,
                               const Sender& sender, const Dependencies* extra,
                               const rapidjson::Value* asRead) {
  Normalisation result;
  if (!resource.IsObject()) return result;
  auto& a = resource.GetAllocator();
  for (const auto& change : set.identifierSystems().normalise(resource, a)) {
    result.notes.push_back({Severity::kInformation, "informational",
                            "Identifier system " + change.from + " is spelled " + change.to,
                            change.location});
  }
  const std::string type = fhir::getString(resource, "resourceType");
  Sender who = sender;
  who.endpoint = set.identifierSystems().canonicalToken(who.endpoint);
  if (who.endpoint.empty() && type == "MessageHeader") {
    if (const auto* source = fhir::findMember(resource, "source"); source && source->IsObject()) {
      who.endpoint = fhir::getString(*source, "endpoint");
    }
  }
  std::set<std::string> done;  // the same rule named by two partner entries runs once
  for (const Partner* partner : set.partners().partnersFor(who)) {
    for (const InboundRule& rule : partner->inbound) {
      if (rule.element.resourceType != type) continue;
      if (!done.insert(rule.conceptMap + " " + rule.element.text).second) continue;
      const ConceptMap* map = set.conceptMap(rule.conceptMap);
      if (!map) continue;  // checked at load
      const Dependencies deps = dependenciesOf(*map, resource, type, extra);
      Shown shown;
      collectShown(asRead, rule, type, shown);
      std::vector<Located> found;
      collect(resource, rule.element.steps, 0, type, found);
      for (const Located& l : found) {
        if (!l.value->IsObject()) continue;
        if (l.value->HasMember("coding") || !l.value->HasMember("code")) {
          normaliseCodeableConcept(*map, rule, *l.value, l.location, resource, deps, shown, a,
                                   result);
        } else {
          normaliseCoding(*map, rule, *l.value, l.location, deps, shown, a, result);
        }
      }
    }
  }
  return result;
}

std::optional<Concept> ownWordFor(const ConceptMap& map, const Concept& canonical) {
  TranslateQuery q;
  q.system = canonical.system;
  q.code = canonical.code;
  q.reverse = true;
  std::map<std::string, Concept> all;
  std::map<std::string, Concept> exact;
  for (const Match& m : translate(map, q)) {
    if (!translates(m.equivalence)) continue;
    const std::string key = m.concept.system + "|" + m.concept.code;
    all[key] = m.concept;
    if (isExact(m.equivalence)) exact[key] = m.concept;
  }
  if (all.size() == 1) return all.begin()->second;
  if (exact.size() == 1) return exact.begin()->second;
  return std::nullopt;
}

int presentTo(const MappingSet& set, rapidjson::Document& resource, const Sender& reader) {
  if (!resource.IsObject() || (reader.organisation.empty() && reader.endpoint.empty())) return 0;
  auto& a = resource.GetAllocator();
  const std::string type = fhir::getString(resource, "resourceType");
  int changed = 0;
  for (const Partner* partner : set.partners().partnersFor(reader)) {
    for (const OutboundRule& rule : partner->ownVocabulary) {
      if (rule.element.resourceType != type) continue;
      const ConceptMap* map = set.conceptMap(rule.conceptMap);
      if (!map) continue;
      std::vector<Located> found;
      collect(resource, rule.element.steps, 0, type, found);
      for (const Located& l : found) {
        if (!l.value->IsObject() || !l.value->HasMember("coding")) continue;
        rapidjson::Value* codings = &(*l.value)["coding"];
        if (!codings->IsArray()) continue;  // Coding elements keep their one coding
        std::map<std::string, std::optional<Concept>> words;  // partner system -> its word
        for (const auto& c : codings->GetArray()) {
          const Concept canonical{fhir::getString(c, "system"), fhir::getString(c, "code"), ""};
          if (!isCanonical(*map, canonical.system, canonical.code)) continue;
          const std::optional<Concept> word = ownWordFor(*map, canonical);
          if (!word) continue;
          auto it = words.find(word->system);
          if (it == words.end()) {
            words[word->system] = word;
          } else if (it->second && it->second->code != word->code) {
            it->second.reset();  // canonical codings that disagree: say nothing
          }
        }
        for (const auto& [system, word] : words) {
          if (!word) continue;
          rapidjson::Value kept(rapidjson::kArrayType);
          bool present = false;
          for (auto& c : codings->GetArray()) {
            if (fhir::getString(c, "system") == system) {
              if (fhir::getString(c, "code") == word->code) {
                present = true;
              } else {
                ++changed;  // the partner's earlier word, no longer true
                continue;
              }
            }
            kept.PushBack(c, a);
          }
          if (!present) {
            kept.PushBack(codingValue(*word, a), a);
            ++changed;
          }
          *codings = kept;
        }
      }
    }
  }
  return changed;
}

}  // namespace sp::mapping
