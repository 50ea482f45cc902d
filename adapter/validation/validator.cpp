#include "validation/validator.h"

#include <unordered_map>
#include <unordered_set>

#include "fhir/json.h"
#include "validation/invariant_engine.h"
#include "validation/primitive_formats.h"
#include "validation/value_match.h"

namespace sp::validation {
namespace {

using fhir::ElementDefinition;
using fhir::Issue;
using fhir::Severity;
using fhir::StructureDefinition;
using rapidjson::Value;

std::string capitalised(const std::string& s) {
  std::string out = s;
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// The type named by the suffix of a choice element's JSON name ("valueQuantity" -> "Quantity").
const fhir::TypeRef* choiceType(const ElementDefinition& def, const std::string& name) {
  const std::string prefix = def.choicePrefix();
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return nullptr;
  const std::string suffix = name.substr(prefix.size());
  for (const auto& t : def.types) {
    if (capitalised(t.code) == suffix) return &t;
  }
  return nullptr;
}

std::string lastSegment(const std::string& url) { return url.substr(url.rfind('/') + 1); }

// The resource type a literal reference names ("Patient/1", ".../Patient/1/_history/2").
std::string referencedType(const std::string& reference) {
  if (reference.empty() || reference[0] == '#' || reference.rfind("urn:", 0) == 0) return "";
  std::string r = reference;
  const auto history = r.find("/_history/");
  if (history != std::string::npos) r.resize(history);
  const auto slash = r.rfind('/');
  if (slash == std::string::npos || slash == 0) return "";
  const auto prev = r.rfind('/', slash - 1);
  return r.substr(prev == std::string::npos ? 0 : prev + 1,
                  slash - (prev == std::string::npos ? 0 : prev + 1));
}

class Walk {
 public:
  // "Task.input:due.value[x]" as "Task.input.value[x]".
  static std::string withoutSliceNames(const std::string& id) {
    std::string out;
    bool inSlice = false;
    for (char c : id) {
      if (c == ':') inSlice = true;
      if (c == '.') inSlice = false;
      if (!inSlice) out += c;
    }
    return out;
  }

  Walk(const fhir::Definitions& defs, const InvariantEngine& invariants, const Value& root)
      : defs_(defs), invariants_(invariants), root_(root) {}

  std::vector<Issue> take() { return std::move(issues_); }

  void resource(const Value& r, const StructureDefinition& sd, const std::string& loc) {
    const Value* saved = currentResource_;
    currentResource_ = &r;
    complex(r, sd, sd.root().id, loc, true);
    currentResource_ = saved;
  }

 private:
  void issue(Severity severity, const char* code, const std::string& loc, std::string why) {
    issues_.push_back(Issue{severity, code, std::move(why), loc});
  }
  void error(const char* code, const std::string& loc, std::string why) {
    issue(Severity::kError, code, loc, std::move(why));
  }

  // The members of an object against the children of element `elementId` in `sd`.
  void complex(const Value& obj, const StructureDefinition& sd, const std::string& elementId,
               const std::string& loc, bool isResource) {
    if (!obj.IsObject()) {
      error("value", loc, "must be a JSON object");
      return;
    }
    if (obj.MemberCount() == 0 && !isResource) {
      error("structure", loc, "must not be an empty object");
      return;
    }
    const auto& children = sd.children(elementId);
    std::unordered_set<const ElementDefinition*> seen;
    std::unordered_map<std::string, std::string> choices;  // prefix -> JSON name used
    for (const auto& m : obj.GetObject()) {
      const std::string name(m.name.GetString(), m.name.GetStringLength());
      if (isResource && name == "resourceType") continue;
      const bool isPrimitiveExtension = name.size() > 1 && name[0] == '_';
      const std::string elementName = isPrimitiveExtension ? name.substr(1) : name;
      const ElementDefinition* def = nullptr;
      const fhir::TypeRef* type = nullptr;
      for (const ElementDefinition* c : children) {
        if (c->isChoice()) {
          if ((type = choiceType(*c, elementName))) def = c;
        } else if (c->name == elementName) {
          def = c;
          type = c->types.empty() ? nullptr : &c->types.front();
        }
        if (def) break;
      }
      const std::string at = loc + "." + name;
      if (!def) {
        error("structure", at, "Unknown element '" + name + "'");
        continue;
      }
      if (isPrimitiveExtension) {
        primitiveExtension(m.value, at);
        continue;
      }
      if (def->isChoice()) {
        auto [it, fresh] = choices.emplace(def->choicePrefix(), name);
        if (!fresh) {
          error("structure", loc + "." + def->choicePrefix() + "[x]",
                "Only one of " + it->second + " and " + name + " may be present");
          continue;
        }
      }
      seen.insert(def);
      if (def->max == 0) {
        error("structure", at, "'" + name + "' is not allowed here");
        continue;
      }
      occurrences(m.value, *def, type ? type->code : "", sd, at);
    }
    for (const ElementDefinition* c : children) {
      if (c->min > 0 && !seen.count(c)) {
        error("required", loc + "." + c->name,
              "'" + c->name + "' is required (at least " + std::to_string(c->min) + ")");
      }
      if (!sd.slices(c->id).empty()) {
        const Value* items = fhir::findMember(obj, c->isChoice() ? "" : c->name.c_str());
        sliceCounts(items, *c, sd, loc + "." + c->name);
      }
    }
    const ElementDefinition* self = sd.element(elementId);
    if (self) {
      invariants_.check(obj, nodeType(sd, *self, isResource), self->constraints, loc,
                        *currentResource_, root_, issues_);
    }
  }

  // The type FHIRPath gives the node whose invariants are checked. A backbone element is named
  // by its path (Parameters.parameter), as the type provider knows it: typed only as
  // BackboneElement, its choice elements (value[x]) would be invisible to FHIRPath, and every
  // Parameters.parameter with a value would break inv-1.
  static std::string nodeType(const StructureDefinition& sd, const ElementDefinition& self,
                              bool isResource) {
    if (isResource || self.types.empty()) return sd.type;
    const std::string& code = self.types.front().code;
    if ((code == "BackboneElement" || code == "Element") && !self.path.empty()) return self.path;
    return code;
  }

  void primitiveExtension(const Value& v, const std::string& at) {
    const StructureDefinition* element = defs_.typeDefinition("Element");
    auto one = [&](const Value& item, const std::string& where) {
      if (item.IsNull()) return;  // null keeps array positions aligned with the values
      if (element) complex(item, *element, element->root().id, where, false);
    };
    if (v.IsArray()) {
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
        one(v[i], at + "[" + std::to_string(i) + "]");
    } else {
      one(v, at);
    }
  }

  void occurrences(const Value& v, const ElementDefinition& def, const std::string& type,
                   const StructureDefinition& sd, const std::string& at) {
    if (v.IsNull()) {
      error("structure", at, "null is not allowed");
      return;
    }
    if (!def.isArray) {
      if (v.IsArray()) {
        error("structure", at, "must be a single value, not an array");
        return;
      }
      value(v, def, type, sd, at);
      return;
    }
    if (!v.IsArray()) {
      error("structure", at, "must be an array");
      return;
    }
    if (v.Empty()) {
      error("structure", at, "must not be an empty array");
      return;
    }
    if (def.max >= 0 && static_cast<int>(v.Size()) > def.max) {
      error("structure", at, "at most " + std::to_string(def.max) + " allowed");
    }
    const auto& slices = sd.slices(def.id);
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      const ElementDefinition* slice = matchingSlice(v[i], slices, sd);
      value(v[i], slice ? *slice : def, type, sd, at + "[" + std::to_string(i) + "]");
    }
  }

  const ElementDefinition* matchingSlice(const Value& item,
                                         const std::vector<const ElementDefinition*>& slices,
                                         const StructureDefinition& sd) const {
    for (const ElementDefinition* s : slices) {
      if (sliceMatches(item, *s, sd)) return s;
    }
    return nullptr;
  }

  // A slice's discriminator, read from what the slice fixes: its own pattern/fixed value, the
  // extension URL of its profile, or fixed/pattern values of its children.
  bool sliceMatches(const Value& item, const ElementDefinition& slice,
                    const StructureDefinition& sd) const {
    if (slice.pattern) return matchesPattern(item, *slice.pattern);
    if (slice.fixed) return matchesFixed(item, *slice.fixed);
    bool anyDiscriminator = false;
    for (const auto& t : slice.types) {
      if (t.code == "Extension" && !t.profiles.empty()) {
        return fhir::getString(item, "url") == t.profiles.front();
      }
    }
    for (const ElementDefinition* c : sd.children(slice.id)) {
      if (!c->fixed && !c->pattern) continue;
      anyDiscriminator = true;
      const Value* member = fhir::findMember(item, c->name.c_str());
      if (!member) return false;
      if (c->fixed && !matchesFixed(*member, *c->fixed)) return false;
      if (c->pattern && !matchesPattern(*member, *c->pattern)) return false;
    }
    return anyDiscriminator;
  }

  void sliceCounts(const Value* items, const ElementDefinition& sliced,
                   const StructureDefinition& sd, const std::string& at) {
    for (const ElementDefinition* s : sd.slices(sliced.id)) {
      int count = 0;
      if (items && items->IsArray()) {
        for (const auto& item : items->GetArray()) {
          if (matchingSlice(item, sd.slices(sliced.id), sd) == s) ++count;
        }
      } else if (items && matchingSlice(*items, sd.slices(sliced.id), sd) == s) {
        count = 1;
      }
      if (count < s->min) {
        error("required", at + ":" + s->sliceName,
              "slice '" + s->sliceName + "' needs at least " + std::to_string(s->min));
      }
      if (s->max >= 0 && count > s->max) {
        error("structure", at + ":" + s->sliceName,
              "slice '" + s->sliceName + "' allows at most " + std::to_string(s->max));
      }
    }
  }

  void value(const Value& v, const ElementDefinition& def, const std::string& type,
             const StructureDefinition& sd, const std::string& at) {
    if (v.IsNull()) {
      error("structure", at, "null is not allowed");
      return;
    }
    if (!def.contentReference.empty()) {
      complex(v, sd, def.contentReference.substr(1), at, false);
    } else if (isPrimitiveType(type)) {
      const std::string problem = primitiveProblem(type, v);
      if (!problem.empty()) {
        error("value", at, "'" + def.name + "' " + problem);
        return;
      }
      if (type == "code") codeBinding(def, v, at);
    } else if (!sd.children(def.id).empty()) {
      complex(v, sd, def.id, at, false);  // a backbone element, or a type the profile expanded
    } else if (type == "Resource" || defs_.isResourceType(type)) {
      inlineResource(v, at);
    } else if (type == "Extension" && extensionDefinition(v)) {
      const StructureDefinition& ext = *extensionDefinition(v);
      complex(v, ext, ext.root().id, at, false);
    } else if (const StructureDefinition* typeSd = defs_.typeDefinition(type)) {
      complex(v, *typeSd, typeSd->root().id, at, false);
    }
    if (type == "Coding" || type == "CodeableConcept") codedBinding(def, type, v, at);
    if (type == "Reference") referenceTarget(def, v, at);
    if (def.fixed && !matchesFixed(v, *def.fixed)) {
      error("value", at, "'" + def.name + "' must be exactly the fixed value");
    }
    if (def.pattern && !matchesPattern(v, *def.pattern)) {
      error("value", at, "'" + def.name + "' does not match the required pattern");
    }
  }

  const StructureDefinition* extensionDefinition(const Value& v) const {
    const std::string url = fhir::getString(v, "url");
    if (url.empty()) return nullptr;
    const StructureDefinition* sd = defs_.structureDefinition(url);
    return sd && sd->type == "Extension" ? sd : nullptr;
  }

  void inlineResource(const Value& v, const std::string& at) {
    const std::string type = fhir::getString(v, "resourceType");
    const StructureDefinition* sd =
        defs_.isResourceType(type) ? defs_.typeDefinition(type) : nullptr;
    if (!sd) {
      error("structure", at, "unknown resourceType '" + type + "'");
      return;
    }
    resource(v, *sd, at);
  }

  void codeBinding(const ElementDefinition& def, const Value& codeValue, const std::string& at) {
    if (def.binding.valueSet.empty() || !codeValue.IsString()) return;
    const std::string code(codeValue.GetString(), codeValue.GetStringLength());
    const auto inSet = defs_.terminology().contains(def.binding.valueSet, "", code);
    if (!inSet || *inSet) return;
    bindingIssue(def, at, "'" + code + "'");
  }

  void bindingIssue(const ElementDefinition& def, const std::string& at, const std::string& what) {
    const std::string why = what + " is not in the value set " + def.binding.valueSet;
    if (def.binding.strength == "required") {
      error("code-invalid", at, why);
    } else if (def.binding.strength == "extensible") {
      issue(Severity::kWarning, "code-invalid", at, why);
    }
  }

  void codedBinding(const ElementDefinition& def, const std::string& type, const Value& v,
                    const std::string& at) {
    if (def.binding.valueSet.empty() || !v.IsObject()) return;
    if (def.binding.strength != "required" && def.binding.strength != "extensible") return;
    std::vector<const Value*> codings;
    if (type == "Coding") {
      codings.push_back(&v);
    } else if (const Value* list = fhir::findMember(v, "coding"); list && list->IsArray()) {
      for (const auto& c : list->GetArray()) codings.push_back(&c);
    }
    bool known = false;
    for (const Value* c : codings) {
      const auto inSet = defs_.terminology().contains(
          def.binding.valueSet, fhir::getString(*c, "system"), fhir::getString(*c, "code"));
      if (!inSet) return;  // the value set cannot be checked here
      known = true;
      if (*inSet) return;
    }
    if (!known) {
      // No codes at all: only a required binding is broken by that, and only if checkable.
      if (def.binding.strength != "required") return;
      if (!defs_.terminology().contains(def.binding.valueSet, "", "").has_value()) return;
    }
    bindingIssue(def, at, codings.empty() ? std::string("a concept without codes") : "no coding");
  }

  void referenceTarget(const ElementDefinition& def, const Value& v, const std::string& at) {
    const std::string target = referencedType(fhir::getString(v, "reference"));
    if (target.empty()) return;
    std::vector<std::string> allowed;
    for (const auto& t : def.types) {
      if (t.code != "Reference") continue;
      for (const auto& url : t.targetProfiles) {
        const StructureDefinition* sd = defs_.structureDefinition(url);
        allowed.push_back(sd ? sd->type : lastSegment(url));
      }
    }
    if (allowed.empty()) return;
    for (const auto& a : allowed) {
      if (a == target || a == "Resource") return;
    }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    error("structure", at, "may reference only " + list + ", not " + target);
  }

  const fhir::Definitions& defs_;
  const InvariantEngine& invariants_;
  const Value& root_;
  const Value* currentResource_ = nullptr;
  std::vector<Issue> issues_;
};

std::vector<Issue> unknownResourceType(const std::string& type) {
  return {
      Issue{Severity::kError, "structure", "Unknown resourceType '" + type + "'", "resourceType"}};
}

}  // namespace

Validator::Validator(const fhir::Definitions& definitions)
    : defs_(definitions), invariants_(std::make_unique<InvariantEngine>(definitions)) {}

Validator::~Validator() = default;

const std::vector<std::string>& Validator::skippedInvariants() const {
  return invariants_->skipped();
}

bool Validator::hasErrors(const std::vector<Issue>& issues) {
  for (const auto& i : issues) {
    if (i.severity == Severity::kError || i.severity == Severity::kFatal) return true;
  }
  return false;
}

std::vector<Issue> Validator::validateAgainst(const Value& resource,
                                              const StructureDefinition& sd) const {
  Walk walk(defs_, *invariants_, resource);
  walk.resource(resource, sd, fhir::getString(resource, "resourceType"));
  return walk.take();
}

const StructureDefinition* Validator::coreDefinition(const std::string& type) const {
  return defs_.isResourceType(type) ? defs_.typeDefinition(type) : nullptr;
}

std::vector<Issue> Validator::validateCore(const Value& resource) const {
  const std::string type = fhir::getString(resource, "resourceType");
  const StructureDefinition* core = coreDefinition(type);
  return core ? validateAgainst(resource, *core) : unknownResourceType(type);
}

std::vector<Issue> Validator::validate(const Value& resource,
                                       const std::vector<std::string>& profiles) const {
  const std::string type = fhir::getString(resource, "resourceType");
  const StructureDefinition* core = coreDefinition(type);
  if (!core) return unknownResourceType(type);
  std::vector<std::string> named = profiles;
  if (const Value* meta = fhir::findMember(resource, "meta")) {
    if (const Value* list = fhir::findMember(*meta, "profile"); list && list->IsArray()) {
      for (const auto& p : list->GetArray()) {
        if (p.IsString() && defs_.structureDefinition(p.GetString()))
          named.emplace_back(p.GetString());
      }
    }
  }
  const auto& required = defs_.requiredProfiles(type);
  bool namesRequired = required.empty();
  for (const auto& r : required) {
    for (const auto& n : named) namesRequired = namesRequired || n == r;
  }

  // A profile's snapshot holds everything the core definition says, so a resource is walked
  // once per profile, and against the core definition only when no profile applies.
  std::vector<Issue> issues;
  std::unordered_set<std::string> done;
  for (const auto& url : named) {
    const StructureDefinition* profile = defs_.structureDefinition(url);
    if (!profile || !done.insert(url).second || profile->type != type) continue;
    for (auto& i : validateAgainst(resource, *profile)) issues.push_back(std::move(i));
  }
  if (!namesRequired) {
    // Conform to at least one required profile; report against the first when none fits.
    std::vector<Issue> firstProblems;
    bool fits = false;
    for (const auto& url : required) {
      auto found = validateAgainst(resource, *defs_.structureDefinition(url));
      if (!hasErrors(found)) {
        fits = true;
        for (auto& i : found) issues.push_back(std::move(i));
        break;
      }
      if (firstProblems.empty()) firstProblems = std::move(found);
    }
    if (!fits) {
      for (auto& i : firstProblems) issues.push_back(std::move(i));
    }
  } else if (done.empty()) {
    issues = validateAgainst(resource, *core);
  }
  // Core and profile walks see the same faults: keep each (code, location) once.
  std::vector<Issue> unique;
  std::unordered_set<std::string> keys;
  for (auto& i : issues) {
    if (keys.insert(i.code + "@" + i.expression + "@" + fhir::severityCode(i.severity)).second) {
      unique.push_back(std::move(i));
    }
  }
  return unique;
}

}  // namespace sp::validation
