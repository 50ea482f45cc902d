#include "mapping/partner_config.h"

#include <cctype>
#include <set>

#include "fhir/json.h"
#include "mapping/concept_map.h"

namespace sp::mapping {
namespace {

bool isName(const std::string& s, bool upperFirst) {
  if (s.empty()) return false;
  if (upperFirst && !std::isupper(static_cast<unsigned char>(s[0]))) return false;
  if (!upperFirst && !std::islower(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

class Reader {
 public:
  std::vector<std::string> problems;

  void problem(const std::string& where, const std::string& what) {
    problems.push_back(where + ": " + what);
  }

  void onlyMembers(const rapidjson::Value& object, const std::string& where,
                   std::initializer_list<const char*> allowed) {
    for (const auto& m : object.GetObject()) {
      const std::string name = m.name.GetString();
      bool ok = false;
      for (const char* a : allowed) ok = ok || name == a;
      if (!ok) problem(where, "unknown member '" + name + "'");
    }
  }

  std::string text(const rapidjson::Value& object, const char* name, const std::string& where,
                   bool required) {
    const rapidjson::Value* v = fhir::findMember(object, name);
    if (!v) {
      if (required) problem(where, std::string("'") + name + "' is required");
      return "";
    }
    if (!v->IsString() || v->GetStringLength() == 0) {
      problem(where, std::string("'") + name + "' must be a non-empty string");
      return "";
    }
    return v->GetString();
  }

  std::vector<std::string> texts(const rapidjson::Value& object, const char* name,
                                 const std::string& where) {
    std::vector<std::string> out;
    const rapidjson::Value* v = fhir::findMember(object, name);
    if (!v) return out;
    if (!v->IsArray()) {
      problem(where, std::string("'") + name + "' must be an array of strings");
      return out;
    }
    for (const auto& item : v->GetArray()) {
      if (!item.IsString() || item.GetStringLength() == 0) {
        problem(where, std::string("'") + name + "' must hold non-empty strings");
        continue;
      }
      out.push_back(item.GetString());
    }
    return out;
  }

  ElementPath path(const std::string& text, const std::string& where) {
    try {
      return parseElementPath(text);
    } catch (const MapError& e) {
      problem(where, e.what());
      return {};
    }
  }

  const rapidjson::Value* objects(const rapidjson::Value& object, const char* name,
                                  const std::string& where) {
    const rapidjson::Value* v = fhir::findMember(object, name);
    if (!v) return nullptr;
    bool ok = v->IsArray();
    if (ok) {
      for (const auto& item : v->GetArray()) ok = ok && item.IsObject();
    }
    if (!ok) {
      problem(where, std::string("'") + name + "' must be an array of objects");
      return nullptr;
    }
    return v;
  }
};

Partner readPartner(Reader& r, const rapidjson::Value& json, const std::string& where) {
  Partner p;
  r.onlyMembers(json, where,
                {"id", "description", "organisations", "endpoints", "inbound", "ownVocabulary"});
  p.id = r.text(json, "id", where, true);
  p.description = r.text(json, "description", where, false);
  p.organisations = r.texts(json, "organisations", where);
  p.endpoints = r.texts(json, "endpoints", where);
  if (p.organisations.empty() && p.endpoints.empty()) {
    r.problem(where, "names no organisation and no endpoint, so it would apply to nobody");
  }
  if (const rapidjson::Value* inbound = r.objects(json, "inbound", where)) {
    for (rapidjson::SizeType i = 0; i < inbound->Size(); ++i) {
      const rapidjson::Value& e = (*inbound)[i];
      const std::string w = where + ".inbound[" + std::to_string(i) + "]";
      r.onlyMembers(e, w, {"conceptMap", "element", "setsCode", "unmapped"});
      InboundRule rule;
      rule.conceptMap = r.text(e, "conceptMap", w, true);
      rule.element = r.path(r.text(e, "element", w, true), w);
      const std::string unmapped = r.text(e, "unmapped", w, false);
      if (!unmapped.empty() && unmapped != "warn" && unmapped != "refuse") {
        r.problem(w, "'unmapped' must be 'warn' or 'refuse'");
      }
      rule.refusesUnmapped = unmapped == "refuse";
      if (const rapidjson::Value* sets = fhir::findMember(e, "setsCode")) {
        if (!sets->IsObject()) {
          r.problem(w, "'setsCode' must be an object");
        } else {
          r.onlyMembers(*sets, w + ".setsCode", {"element", "system"});
          rule.setsCode = r.path(r.text(*sets, "element", w + ".setsCode", true), w + ".setsCode");
          rule.setsCodeSystem = r.text(*sets, "system", w + ".setsCode", true);
          if (!rule.setsCode.text.empty() &&
              (rule.setsCode.steps.size() != 1 ||
               rule.setsCode.resourceType != rule.element.resourceType)) {
            r.problem(w + ".setsCode",
                      "element must be a code directly under " + rule.element.resourceType);
          }
        }
      }
      p.inbound.push_back(std::move(rule));
    }
  }
  if (const rapidjson::Value* own = r.objects(json, "ownVocabulary", where)) {
    for (rapidjson::SizeType i = 0; i < own->Size(); ++i) {
      const rapidjson::Value& e = (*own)[i];
      const std::string w = where + ".ownVocabulary[" + std::to_string(i) + "]";
      r.onlyMembers(e, w, {"conceptMap", "element"});
      OutboundRule rule;
      rule.conceptMap = r.text(e, "conceptMap", w, true);
      rule.element = r.path(r.text(e, "element", w, true), w);
      p.ownVocabulary.push_back(std::move(rule));
    }
  }
  return p;
}

}  // namespace

ElementPath parseElementPath(const std::string& text) {
  ElementPath path;
  path.text = text;
  std::size_t start = 0;
  std::vector<std::string> parts;
  while (true) {
    const std::size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  bool ok = parts.size() >= 2 && isName(parts[0], true);
  for (std::size_t i = 1; ok && i < parts.size(); ++i) ok = isName(parts[i], false);
  if (!ok) {
    throw MapError({"'" + text + "' is not an element path such as Task.businessStatus"});
  }
  path.resourceType = parts[0];
  path.steps.assign(parts.begin() + 1, parts.end());
  return path;
}

PartnerConfig PartnerConfig::parse(const rapidjson::Value& json) {
  Reader r;
  PartnerConfig config;
  if (!json.IsObject()) throw MapError({"the configuration must be a JSON object"});
  r.onlyMembers(json, "configuration", {"description", "partners"});
  const rapidjson::Value* partners = r.objects(json, "partners", "configuration");
  if (!partners) r.problem("configuration", "'partners' is required");
  std::set<std::string> ids;
  if (partners) {
    for (rapidjson::SizeType i = 0; i < partners->Size(); ++i) {
      Partner p = readPartner(r, (*partners)[i], "partners[" + std::to_string(i) + "]");
      if (!p.id.empty() && !ids.insert(p.id).second) {
        r.problem("partners[" + std::to_string(i) + "]", "id '" + p.id + "' is used twice");
      }
      config.partners_.push_back(std::move(p));
    }
  }
  if (!r.problems.empty()) throw MapError(std::move(r.problems));
  return config;
}

std::vector<const Partner*> PartnerConfig::partnersFor(const Sender& sender) const {
  std::vector<const Partner*> out;
  for (const Partner& p : partners_) {
    bool applies = false;
    for (const std::string& o : p.organisations) {
      applies = applies || o == "*" || (!sender.organisation.empty() && o == sender.organisation);
    }
    for (const std::string& e : p.endpoints) {
      applies = applies || (!sender.endpoint.empty() && e == sender.endpoint);
    }
    if (applies) out.push_back(&p);
  }
  return out;
}

}  // namespace sp::mapping
