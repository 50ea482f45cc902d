#include "services/translate_operation.h"

#include <set>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "mapping/concept_map.h"
#include "mapping/mapping_set.h"
#include "mapping/translate.h"
#include "rest/interactions.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

struct TranslateParams {
  std::string url;
  std::string conceptMapVersion;
  const rapidjson::Value* conceptMap = nullptr;
  std::vector<mapping::Concept> concepts;  // from code+system, coding or codeableConcept
  int conceptInputs = 0;                   // how many of those three were given
  std::string code;
  std::string system;
  std::string source;
  std::string target;
  std::string targetSystem;
  bool reverse = false;
  mapping::Dependencies dependencies;
  bool hasDependencies = false;
};

[[noreturn]] void invalid(const std::string& why, const std::string& code = "invalid") {
  throw FhirError(ErrorKind::kInvalid, code, why);
}

bool parseBoolean(const std::string& name, const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  invalid(name + " must be true or false, not '" + text + "'", "value");
}

mapping::Concept conceptOf(const rapidjson::Value& coding) {
  return {fhir::getString(coding, "system"), fhir::getString(coding, "code"),
          fhir::getString(coding, "display")};
}

void addCodeableConcept(TranslateParams& p, const rapidjson::Value& cc) {
  ++p.conceptInputs;
  if (const auto* codings = fhir::findMember(cc, "coding"); codings && codings->IsArray()) {
    for (const auto& c : codings->GetArray()) p.concepts.push_back(conceptOf(c));
  }
  if (p.concepts.empty()) invalid("codeableConcept has no coding to translate", "required");
}

// The first value[x] of a parameter as text, whichever type carries it.
std::string valueText(const rapidjson::Value& parameter) {
  for (const char* name : {"valueUri", "valueCanonical", "valueUrl", "valueCode", "valueString"}) {
    const std::string v = fhir::getString(parameter, name);
    if (!v.empty()) return v;
  }
  return "";
}

void readBody(const rapidjson::Value& body, TranslateParams& p) {
  if (fhir::getString(body, "resourceType") != "Parameters") {
    invalid("POST $translate takes a Parameters resource");
  }
  const auto* params = fhir::findMember(body, "parameter");
  if (!params || !params->IsArray()) return;
  for (const auto& param : params->GetArray()) {
    const std::string name = fhir::getString(param, "name");
    if (name == "url") p.url = valueText(param);
    if (name == "conceptMapVersion") p.conceptMapVersion = valueText(param);
    if (name == "conceptMap") p.conceptMap = fhir::findMember(param, "resource");
    if (name == "code") p.code = valueText(param);
    if (name == "system") p.system = valueText(param);
    if (name == "source") p.source = valueText(param);
    if (name == "target") p.target = valueText(param);
    if (name == "targetsystem") p.targetSystem = valueText(param);
    if (name == "reverse") {
      const auto* v = fhir::findMember(param, "valueBoolean");
      if (!v || !v->IsBool()) invalid("reverse must be a valueBoolean", "value");
      p.reverse = v->GetBool();
    }
    if (name == "coding") {
      const auto* v = fhir::findMember(param, "valueCoding");
      if (!v || !v->IsObject()) invalid("coding must be a valueCoding", "value");
      ++p.conceptInputs;
      p.concepts.push_back(conceptOf(*v));
    }
    if (name == "codeableConcept") {
      const auto* v = fhir::findMember(param, "valueCodeableConcept");
      if (!v || !v->IsObject()) invalid("codeableConcept must be a valueCodeableConcept", "value");
      addCodeableConcept(p, *v);
    }
    if (name == "dependency") {
      p.hasDependencies = true;
      std::string element;
      std::vector<mapping::Concept> concepts;
      if (const auto* parts = fhir::findMember(param, "part"); parts && parts->IsArray()) {
        for (const auto& part : parts->GetArray()) {
          const std::string partName = fhir::getString(part, "name");
          if (partName == "element") element = valueText(part);
          const auto* cc = fhir::findMember(part, "valueCodeableConcept");
          if (partName == "concept" && cc) {
            if (const auto* codings = fhir::findMember(*cc, "coding");
                codings && codings->IsArray()) {
              for (const auto& c : codings->GetArray()) concepts.push_back(conceptOf(c));
            }
          }
        }
      }
      if (element.empty()) invalid("dependency needs an element part", "required");
      auto& known = p.dependencies.byProperty[element];
      known.insert(known.end(), concepts.begin(), concepts.end());
    }
  }
}

void readQuery(const rest::QueryParams& query, TranslateParams& p) {
  for (const auto& [name, value] : query) {
    if (name == "url") p.url = value;
    if (name == "conceptMapVersion") p.conceptMapVersion = value;
    if (name == "code") p.code = value;
    if (name == "system") p.system = value;
    if (name == "source") p.source = value;
    if (name == "target") p.target = value;
    if (name == "targetsystem") p.targetSystem = value;
    if (name == "reverse") p.reverse = parseBoolean(name, value);
    if (name == "coding") {  // in a URL a Coding can only be written system|code
      const std::size_t bar = value.find('|');
      if (bar == std::string::npos) invalid("coding in a URL is written system|code", "value");
      ++p.conceptInputs;
      p.concepts.push_back({value.substr(0, bar), value.substr(bar + 1), ""});
    }
    if (name == "conceptMap" || name == "codeableConcept" || name == "dependency") {
      invalid(name + " cannot be given in the URL: POST a Parameters resource", "not-supported");
    }
  }
}

TranslateParams readParams(const rest::InteractionInput& in) {
  TranslateParams p;
  readQuery(in.query, p);
  if (in.body) readBody(*in.body, p);
  if (!p.code.empty()) {
    if (p.system.empty()) invalid("code needs system (the code system of the code)", "required");
    ++p.conceptInputs;
    p.concepts.push_back({p.system, p.code, ""});
  }
  if (p.conceptInputs == 0) {
    invalid("$translate needs a concept: code and system, coding, or codeableConcept", "required");
  }
  if (p.conceptInputs > 1) {
    invalid("give only one of code and system, coding, or codeableConcept");
  }
  for (const auto& c : p.concepts) {
    if (c.system.empty() || c.code.empty()) {
      invalid("every concept to translate needs a system and a code", "required");
    }
  }
  return p;
}

// The maps the request names, parsed or loaded; `owned` keeps parsed ones alive.
std::vector<const mapping::ConceptMap*> mapsFor(const mapping::MappingSet* mappings,
                                                store::StoreTransaction& tx,
                                                const rest::Route& route, const TranslateParams& p,
                                                std::vector<mapping::ConceptMap>& owned) {
  auto parse = [&owned](const rapidjson::Value& json, ErrorKind kind, const std::string& what) {
    try {
      owned.push_back(mapping::parseConceptMap(json));
    } catch (const mapping::MapError& e) {
      std::vector<fhir::Issue> issues;
      for (const auto& problem : e.problems()) {
        issues.push_back({fhir::Severity::kError, "invalid", what + ": " + problem, ""});
      }
      throw FhirError(kind, std::move(issues));
    }
  };
  if (!route.id.empty()) {
    const auto current = tx.current("ConceptMap", route.id, false);
    if (!current)
      throw FhirError(ErrorKind::kNotFound, "not-found", "ConceptMap/" + route.id + " not found");
    if (current->deleted) {
      throw FhirError(ErrorKind::kGone, "deleted", "ConceptMap/" + route.id + " was deleted");
    }
    rapidjson::Document doc;
    fhir::parseJson(current->body, doc);
    parse(doc, ErrorKind::kUnprocessable, "ConceptMap/" + route.id);
    return {&owned.back()};
  }
  if (p.conceptMap) {
    parse(*p.conceptMap, ErrorKind::kInvalid, "conceptMap");
    return {&owned.back()};
  }
  if (!p.url.empty()) {
    const mapping::ConceptMap* map =
        mappings ? mappings->conceptMap(p.url, p.conceptMapVersion) : nullptr;
    if (!map) {
      throw FhirError(ErrorKind::kNotFound, "not-found",
                      "No ConceptMap with url " + p.url +
                          (p.conceptMapVersion.empty() ? "" : " version " + p.conceptMapVersion) +
                          " is loaded on this server");
    }
    return {map};
  }
  std::vector<const mapping::ConceptMap*> out;
  if (!mappings) return out;
  for (const auto& map : mappings->conceptMaps()) {
    const std::string& from = p.reverse ? map.targetScope : map.sourceScope;
    const std::string& to = p.reverse ? map.sourceScope : map.targetScope;
    if (!p.source.empty() && from != p.source) continue;
    if (!p.target.empty() && to != p.target) continue;
    out.push_back(&map);
  }
  return out;
}

rapidjson::Value part(const char* name, const char* valueName, rapidjson::Value value,
                      rapidjson::Document::AllocatorType& a) {
  rapidjson::Value p(rapidjson::kObjectType);
  p.AddMember("name", rapidjson::StringRef(name), a);
  p.AddMember(rapidjson::StringRef(valueName), value, a);
  return p;
}

std::string answer(const std::vector<mapping::Match>& matches, const TranslateParams& p,
                   std::size_t mapCount) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("resourceType", "Parameters", a);
  rapidjson::Value params(rapidjson::kArrayType);
  const bool result = mapping::anyTranslation(matches);
  params.PushBack(part("result", "valueBoolean", rapidjson::Value(result), a), a);
  std::string message;
  if (!result) {
    std::string what;
    for (const auto& c : p.concepts) what += (what.empty() ? "" : ", ") + c.system + "|" + c.code;
    message = mapCount == 0
                  ? "No ConceptMap on this server fits the request"
                  : "No translation of " + what + (p.reverse ? " (reverse)" : "") + " in " +
                        std::to_string(mapCount) + " ConceptMap" + (mapCount == 1 ? "" : "s");
  }
  std::set<std::string> comments;
  for (const auto& m : matches) {
    if (!mapping::isExact(m.equivalence) && !m.comment.empty()) comments.insert(m.comment);
  }
  for (const auto& c : comments) message += (message.empty() ? "" : "; ") + c;
  if (!message.empty()) {
    params.PushBack(part("message", "valueString", fhir::makeString(message, a), a), a);
  }
  for (const auto& m : matches) {
    rapidjson::Value parts(rapidjson::kArrayType);
    parts.PushBack(
        part("equivalence", "valueCode",
             rapidjson::Value(rapidjson::StringRef(mapping::equivalenceCode(m.equivalence))), a),
        a);
    if (!m.concept.code.empty()) {
      rapidjson::Value coding(rapidjson::kObjectType);
      coding.AddMember("system", fhir::makeString(m.concept.system, a), a);
      coding.AddMember("code", fhir::makeString(m.concept.code, a), a);
      if (!m.concept.display.empty()) {
        coding.AddMember("display", fhir::makeString(m.concept.display, a), a);
      }
      parts.PushBack(part("concept", "valueCoding", std::move(coding), a), a);
    }
    if (!m.mapUrl.empty())
      parts.PushBack(part("source", "valueUri", fhir::makeString(m.mapUrl, a), a), a);
    rapidjson::Value match(rapidjson::kObjectType);
    match.AddMember("name", "match", a);
    match.AddMember("part", parts, a);
    params.PushBack(match, a);
  }
  doc.AddMember("parameter", params, a);
  return fhir::writeJson(doc);
}

}  // namespace

rest::InteractionResult TranslateOperation::run(const rest::ApiContext&,
                                                store::StoreTransaction& tx,
                                                const rest::Route& route,
                                                const rest::InteractionInput& in) const {
  if (route.type != "ConceptMap") {
    throw FhirError(ErrorKind::kNotFound, "not-supported",
                    "$translate is an operation on ConceptMap");
  }
  const TranslateParams p = readParams(in);
  std::vector<mapping::ConceptMap> owned;
  owned.reserve(1);
  const auto maps = mapsFor(mappings_, tx, route, p, owned);
  std::vector<mapping::Match> matches;
  for (const mapping::ConceptMap* map : maps) {
    for (const auto& concept : p.concepts) {
      mapping::TranslateQuery q;
      q.system = concept.system;
      q.code = concept.code;
      q.targetSystem = p.targetSystem;
      q.reverse = p.reverse;
      q.dependencies = p.hasDependencies ? &p.dependencies : nullptr;
      for (auto& m : mapping::translate(*map, q)) matches.push_back(std::move(m));
    }
  }
  rest::InteractionResult result;
  result.bundleBody = answer(matches, p, maps.size());  // a Parameters answer, shown as is
  return result;
}

}  // namespace sp::services
