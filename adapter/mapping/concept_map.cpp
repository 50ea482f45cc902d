#include "mapping/concept_map.h"

#include <set>

#include "fhir/json.h"

namespace sp::mapping {
namespace {

struct EquivalenceName {
  Equivalence value;
  const char* code;
};

constexpr EquivalenceName kEquivalences[] = {
    {Equivalence::kRelatedTo, "relatedto"},
    {Equivalence::kEquivalent, "equivalent"},
    {Equivalence::kEqual, "equal"},
    {Equivalence::kWider, "wider"},
    {Equivalence::kSubsumes, "subsumes"},
    {Equivalence::kNarrower, "narrower"},
    {Equivalence::kSpecializes, "specializes"},
    {Equivalence::kInexact, "inexact"},
    {Equivalence::kUnmatched, "unmatched"},
    {Equivalence::kDisjoint, "disjoint"},
};

std::string joinProblems(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
  return text;
}

// Collects problems while reading; every accessor records what is wrong and carries on.
class Reader {
 public:
  std::vector<std::string> problems;

  void problem(const std::string& where, const std::string& what) {
    problems.push_back(where.empty() ? what : where + ": " + what);
  }

  // An optional string member; a member of another JSON type is a problem.
  std::string text(const rapidjson::Value& object, const char* name, const std::string& where,
                   bool required = false) {
    const rapidjson::Value* v = fhir::findMember(object, name);
    if (!v) {
      if (required) problem(where, std::string("'") + name + "' is required");
      return "";
    }
    if (!v->IsString() || v->GetStringLength() == 0) {
      problem(where, std::string("'") + name + "' must be a non-empty string");
      return "";
    }
    return std::string(v->GetString(), v->GetStringLength());
  }

  // An optional array member; absent gives an empty array.
  const rapidjson::Value* array(const rapidjson::Value& object, const char* name,
                                const std::string& where) {
    const rapidjson::Value* v = fhir::findMember(object, name);
    if (!v) return nullptr;
    if (!v->IsArray()) {
      problem(where, std::string("'") + name + "' must be an array");
      return nullptr;
    }
    return v;
  }
};

std::string at(const std::string& base, const char* name, rapidjson::SizeType i) {
  return base + (base.empty() ? "" : ".") + name + "[" + std::to_string(i) + "]";
}

MapTarget readTarget(Reader& r, const rapidjson::Value& json, const std::string& where) {
  MapTarget t;
  if (!json.IsObject()) {
    r.problem(where, "must be an object");
    return t;
  }
  t.code = r.text(json, "code", where);
  t.display = r.text(json, "display", where);
  t.comment = r.text(json, "comment", where);
  const std::string equivalence = r.text(json, "equivalence", where, true);
  if (!equivalence.empty()) {
    if (auto e = parseEquivalence(equivalence)) {
      t.equivalence = *e;
    } else {
      r.problem(where, "unknown equivalence '" + equivalence + "'");
    }
  }
  if (t.code.empty() && translates(t.equivalence) && !equivalence.empty()) {
    r.problem(where,
              "a target that translates needs a code (only unmatched and disjoint may omit it)");
  }
  if ((t.equivalence == Equivalence::kNarrower || t.equivalence == Equivalence::kInexact) &&
      t.comment.empty()) {
    r.problem(where, "a narrower or inexact target needs a comment saying how (R4 cmd-1)");
  }
  if (fhir::findMember(json, "product")) {
    r.problem(where, "'product' is not supported by this server");
  }
  if (const rapidjson::Value* deps = r.array(json, "dependsOn", where)) {
    for (rapidjson::SizeType i = 0; i < deps->Size(); ++i) {
      const std::string dw = at(where, "dependsOn", i);
      const rapidjson::Value& d = (*deps)[i];
      if (!d.IsObject()) {
        r.problem(dw, "must be an object");
        continue;
      }
      DependsOn dep;
      dep.property = r.text(d, "property", dw, true);
      dep.system = r.text(d, "system", dw);
      dep.value = r.text(d, "value", dw, true);
      t.dependsOn.push_back(std::move(dep));
    }
  }
  return t;
}

MapGroup readGroup(Reader& r, const rapidjson::Value& json, const std::string& where) {
  MapGroup g;
  if (!json.IsObject()) {
    r.problem(where, "must be an object");
    return g;
  }
  g.source = r.text(json, "source", where, true);
  g.sourceVersion = r.text(json, "sourceVersion", where);
  g.target = r.text(json, "target", where, true);
  g.targetVersion = r.text(json, "targetVersion", where);
  std::set<std::string> seen;
  if (const rapidjson::Value* elements = r.array(json, "element", where)) {
    for (rapidjson::SizeType i = 0; i < elements->Size(); ++i) {
      const std::string ew = at(where, "element", i);
      const rapidjson::Value& e = (*elements)[i];
      if (!e.IsObject()) {
        r.problem(ew, "must be an object");
        continue;
      }
      MapElement element;
      element.code = r.text(e, "code", ew, true);
      element.display = r.text(e, "display", ew);
      if (!element.code.empty() && !seen.insert(element.code).second) {
        r.problem(ew, "code '" + element.code + "' is listed twice in this group");
      }
      const rapidjson::Value* targets = r.array(e, "target", ew);
      if (!targets || targets->Empty()) {
        r.problem(ew, "code '" + element.code + "' has no target (say 'unmatched' explicitly)");
      } else {
        for (rapidjson::SizeType j = 0; j < targets->Size(); ++j) {
          element.targets.push_back(readTarget(r, (*targets)[j], at(ew, "target", j)));
        }
      }
      g.elements.push_back(std::move(element));
    }
  }
  if (g.elements.empty()) r.problem(where, "the group maps no element");
  if (const rapidjson::Value* unmapped = fhir::findMember(json, "unmapped")) {
    const std::string uw = where + ".unmapped";
    const std::string mode = unmapped->IsObject() ? r.text(*unmapped, "mode", uw, true) : "";
    if (mode == "provided") {
      g.unmappedMode = UnmappedMode::kProvided;
    } else if (mode == "fixed") {
      g.unmappedMode = UnmappedMode::kFixed;
      g.unmappedCode = r.text(*unmapped, "code", uw, true);
      g.unmappedDisplay = r.text(*unmapped, "display", uw);
    } else {
      r.problem(uw, "mode must be 'provided' or 'fixed' ('other-map' is not supported)");
    }
  }
  return g;
}

}  // namespace

std::optional<Equivalence> parseEquivalence(std::string_view code) {
  for (const auto& e : kEquivalences) {
    if (code == e.code) return e.value;
  }
  return std::nullopt;
}

const char* equivalenceCode(Equivalence equivalence) {
  for (const auto& e : kEquivalences) {
    if (e.value == equivalence) return e.code;
  }
  return "unmatched";
}

bool translates(Equivalence equivalence) {
  return equivalence != Equivalence::kUnmatched && equivalence != Equivalence::kDisjoint;
}

bool isExact(Equivalence equivalence) {
  return equivalence == Equivalence::kEquivalent || equivalence == Equivalence::kEqual;
}

Equivalence reversed(Equivalence equivalence) {
  switch (equivalence) {
    case Equivalence::kWider:
      return Equivalence::kNarrower;
    case Equivalence::kNarrower:
      return Equivalence::kWider;
    case Equivalence::kSubsumes:
      return Equivalence::kSpecializes;
    case Equivalence::kSpecializes:
      return Equivalence::kSubsumes;
    default:
      return equivalence;
  }
}

const MapElement* MapGroup::element(const std::string& code) const {
  for (const MapElement& e : elements) {
    if (e.code == code) return &e;
  }
  return nullptr;
}

MapError::MapError(std::vector<std::string> problems)
    : std::runtime_error(joinProblems(problems)), problems_(std::move(problems)) {}

ConceptMap parseConceptMap(const rapidjson::Value& json) {
  Reader r;
  ConceptMap map;
  if (!json.IsObject() || fhir::getString(json, "resourceType") != "ConceptMap") {
    throw MapError({"not a ConceptMap resource"});
  }
  map.id = r.text(json, "id", "");
  map.url = r.text(json, "url", "", true);
  map.version = r.text(json, "version", "");
  map.name = r.text(json, "name", "");
  map.title = r.text(json, "title", "");
  for (const char* name : {"sourceUri", "sourceCanonical"}) {
    if (fhir::findMember(json, name)) map.sourceScope = r.text(json, name, "");
  }
  for (const char* name : {"targetUri", "targetCanonical"}) {
    if (fhir::findMember(json, name)) map.targetScope = r.text(json, name, "");
  }
  r.text(json, "status", "", true);
  const rapidjson::Value* groups = r.array(json, "group", "");
  if (!groups || groups->Empty()) r.problem("", "the map has no group");
  if (groups) {
    for (rapidjson::SizeType i = 0; i < groups->Size(); ++i) {
      map.groups.push_back(readGroup(r, (*groups)[i], at("", "group", i)));
    }
  }
  if (!r.problems.empty()) throw MapError(std::move(r.problems));
  return map;
}

}  // namespace sp::mapping
