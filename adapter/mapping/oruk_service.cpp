#include "mapping/oruk_service.h"

#include <cctype>
#include <set>

#include "fhir/ids.h"
#include "fhir/json.h"
#include "fhir/project_urls.h"
#include "mapping/translate.h"

namespace sp::mapping {

using fhir::Issue;
using fhir::Severity;
using rapidjson::Document;
using rapidjson::Value;

namespace {

constexpr const char* kServiceCategorySystem =
    "http://terminology.hl7.org/CodeSystem/service-category";
constexpr const char* kProvisionSystem =
    "http://terminology.hl7.org/CodeSystem/service-provision-conditions";
constexpr const char* kOrgIdGuideBase = "https://org-id.guide/list/";

// Collects the problems of one item, each located under `where`.
class Problems {
 public:
  Problems(std::vector<Issue>& issues, std::string where)
      : issues_(issues), where_(std::move(where)) {}
  void error(const std::string& field, const std::string& text) {
    issues_.push_back({Severity::kError, "invalid", text, at(field)});
  }
  void warning(const std::string& field, const std::string& text) {
    issues_.push_back({Severity::kWarning, "informational", text, at(field)});
  }
  std::string at(const std::string& field) const {
    return field.empty() ? where_ : where_ + "." + field;
  }

 private:
  std::vector<Issue>& issues_;
  std::string where_;
};

bool looksLikeEmail(const std::string& s) {
  const auto at = s.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= s.size()) return false;
  if (s.find('@', at + 1) != std::string::npos) return false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return s.find('.', at) != std::string::npos;
}

bool looksLikeUri(const std::string& s) {
  const auto colon = s.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A string member: absent, null and "" (real feeds send empty strings for absent fields) give
// nothing; another type is an error.
std::optional<std::string> optionalString(const Value& object, const char* name, Problems& p) {
  const Value* v = fhir::findMember(object, name);
  if (!v || v->IsNull()) return std::nullopt;
  if (!v->IsString()) {
    p.error(name, std::string(name) + " must be a string");
    return std::nullopt;
  }
  std::string s(v->GetString(), v->GetStringLength());
  if (s.empty()) return std::nullopt;
  return s;
}

std::string requiredString(const Value& object, const char* name, Problems& p) {
  const auto s = optionalString(object, name, p);
  if (!s && !(fhir::findMember(object, name) && !fhir::findMember(object, name)->IsString() &&
              !fhir::findMember(object, name)->IsNull())) {
    p.error(name, std::string(name) + " is required");
  }
  return s.value_or("");
}

std::optional<std::string> optionalEmail(const Value& object, const char* name, Problems& p) {
  auto s = optionalString(object, name, p);
  if (s && !looksLikeEmail(*s)) {
    p.error(name, std::string(name) + " '" + *s + "' is not an email address");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> optionalUri(const Value& object, const char* name, Problems& p) {
  auto s = optionalString(object, name, p);
  if (s && !looksLikeUri(*s)) {
    p.error(name, std::string(name) + " '" + *s + "' is not an absolute URI");
    return std::nullopt;
  }
  return s;
}

// A number member as its JSON text (decimals keep their digits); nullopt when absent.
std::optional<std::string> optionalNumber(const Value& object, const char* name, Problems& p) {
  const Value* v = fhir::findMember(object, name);
  if (!v || v->IsNull()) return std::nullopt;
  const std::string text = fhir::numberText(*v);
  if (text.empty()) {
    p.error(name, std::string(name) + " must be a number");
    return std::nullopt;
  }
  return text;
}

const Value* optionalArray(const Value& object, const char* name, Problems& p) {
  const Value* v = fhir::findMember(object, name);
  if (!v || v->IsNull()) return nullptr;
  if (!v->IsArray()) {
    p.error(name, std::string(name) + " must be an array");
    return nullptr;
  }
  return v;
}

const Value* optionalObject(const Value& object, const char* name, Problems& p) {
  const Value* v = fhir::findMember(object, name);
  if (!v || v->IsNull()) return nullptr;
  if (!v->IsObject()) {
    p.error(name, std::string(name) + " must be an object");
    return nullptr;
  }
  return v;
}

class Builder {
 public:
  explicit Builder(Document& doc) : doc_(doc), a_(doc.GetAllocator()) {}
  Value str(const std::string& s) { return fhir::makeString(s, a_); }
  void set(Value& object, const char* name, Value value) {
    fhir::setMember(object, name, std::move(value), a_);
  }
  void set(Value& object, const char* name, const std::string& s) { set(object, name, str(s)); }
  Value& array(Value& object, const char* name) {
    return fhir::memberOfType(object, name, rapidjson::kArrayType, a_);
  }
  void push(Value& array, Value value) { array.PushBack(std::move(value), a_); }
  Value identifier(const std::string& system, const std::string& value) {
    Value id(rapidjson::kObjectType);
    if (!system.empty()) set(id, "system", system);
    set(id, "value", value);
    return id;
  }
  Value telecom(const char* system, const std::string& value) {
    Value t(rapidjson::kObjectType);
    set(t, "system", str(system));
    set(t, "value", value);
    return t;
  }
  Value logicalReference(const std::string& system, const std::string& value,
                         const std::string& display) {
    Value r(rapidjson::kObjectType);
    set(r, "identifier", identifier(system, value));
    if (!display.empty()) set(r, "display", display);
    return r;
  }
  Value coding(const std::string& system, const std::string& code, const std::string& display) {
    Value c(rapidjson::kObjectType);
    if (!system.empty()) set(c, "system", system);
    set(c, "code", code);
    if (!display.empty()) set(c, "display", display);
    return c;
  }
  Document& doc_;
  Document::AllocatorType& a_;
};

void setSource(Builder& b, Value& resource, const std::string& source) {
  Value meta(rapidjson::kObjectType);
  b.set(meta, "source", source);
  b.set(resource, "meta", std::move(meta));
}

// "09:00:00Z", "09:00", "09:00:00+01:00" -> "09:00:00"; nullopt for anything else.
std::optional<std::string> fhirTime(std::string t) {
  if (t.size() >= 5 && (t.back() == 'Z' || t.back() == 'z')) t.pop_back();
  if (t.size() > 8 && (t[8] == '+' || t[8] == '-')) t = t.substr(0, 8);
  if (t.size() == 5) t += ":00";
  if (t.size() != 8 || t[2] != ':' || t[5] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4, 6, 7}) {
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
  }
  if (std::stoi(t.substr(0, 2)) > 23 || std::stoi(t.substr(3, 2)) > 59 ||
      std::stoi(t.substr(6, 2)) > 59) {
    return std::nullopt;
  }
  return t;
}

std::optional<std::string> fhirDay(const std::string& day) {
  static const char* const kDays[][2] = {{"MO", "mon"}, {"TU", "tue"}, {"WE", "wed"}, {"TH", "thu"},
                                         {"FR", "fri"}, {"SA", "sat"}, {"SU", "sun"}};
  for (const auto& d : kDays) {
    if (day == d[0]) return std::string(d[1]);
  }
  return std::nullopt;
}

std::vector<std::string> splitCommas(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      cur += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

void mapSchedules(const Value& service, Builder& b, Value& hs, Problems& p) {
  const Value* schedules = optionalArray(service, "schedules", p);
  if (!schedules) return;
  std::string exceptions;
  for (rapidjson::SizeType i = 0; i < schedules->Size(); ++i) {
    const Value& s = (*schedules)[i];
    const std::string at = "schedules[" + std::to_string(i) + "]";
    if (!s.IsObject()) {
      p.warning(at, "a schedule that is not an object is left out");
      continue;
    }
    const std::string description = fhir::getString(s, "description");
    if (!description.empty()) {
      if (!exceptions.empty()) exceptions += "\n";
      exceptions += description;
    }
    const std::string freq = fhir::getString(s, "freq");
    std::vector<std::string> days;
    bool daysOk = true;
    for (const auto& d : splitCommas(fhir::getString(s, "byday"))) {
      if (auto day = fhirDay(d)) {
        days.push_back(*day);
      } else {
        daysOk = false;
      }
    }
    if (freq != "WEEKLY" || !daysOk || days.empty()) {
      p.warning(at,
                "only weekly schedules on named days fit R4 availableTime; this one is kept "
                "as text in availabilityExceptions");
      continue;
    }
    Value t(rapidjson::kObjectType);
    Value& list = b.array(t, "daysOfWeek");
    for (const auto& d : days) b.push(list, b.str(d));
    const auto opens = fhirTime(fhir::getString(s, "opens_at"));
    const auto closes = fhirTime(fhir::getString(s, "closes_at"));
    if (opens && closes) {
      b.set(t, "availableStartTime", *opens);
      b.set(t, "availableEndTime", *closes);
    } else {
      b.set(t, "allDay", Value(true));
      if (!fhir::getString(s, "opens_at").empty() || !fhir::getString(s, "closes_at").empty()) {
        p.warning(at, "opens_at/closes_at are not times; the days are kept without hours");
      }
    }
    b.push(b.array(hs, "availableTime"), std::move(t));
  }
  if (!exceptions.empty()) b.set(hs, "availabilityExceptions", exceptions);
}

struct Term {
  std::string system;
  std::string code;
  std::string display;
};

std::vector<Term> taxonomyTerms(const Value& service, Problems& p) {
  std::vector<Term> terms;
  const Value* attributes = optionalArray(service, "attributes", p);
  if (!attributes) return terms;
  for (const auto& attribute : attributes->GetArray()) {
    if (!attribute.IsObject()) continue;
    const Value* term = fhir::findMember(attribute, "taxonomy_term");
    if (!term || !term->IsObject()) continue;
    Term t;
    t.code = fhir::getString(*term, "term");
    if (t.code.empty()) t.code = fhir::getString(*term, "code");
    if (t.code.empty()) t.code = fhir::getString(*term, "name");
    t.display = fhir::getString(*term, "name");
    t.system = taxonomySystem(fhir::getString(*term, "taxonomy"));
    if (!t.code.empty()) terms.push_back(std::move(t));
  }
  return terms;
}

std::vector<Concept> translated(const ConceptMap* map, const Term& term) {
  std::vector<Concept> out;
  if (!map) return out;
  TranslateQuery q;
  q.system = term.system;
  q.code = term.code;
  for (const auto& m : translate(*map, q)) {
    if (translates(m.equivalence) && !m.concept.code.empty()) out.push_back(m.concept);
  }
  return out;
}

void mapTaxonomy(const Value& service, const TaxonomyMaps& maps, Builder& b, Value& hs,
                 Problems& p) {
  std::set<std::string> categories;
  std::set<std::string> cohorts;
  std::string access;
  for (const Term& term : taxonomyTerms(service, p)) {
    Value type(rapidjson::kObjectType);
    b.push(b.array(type, "coding"), b.coding(term.system, term.code, term.display));
    b.push(b.array(hs, "type"), std::move(type));
    for (const auto& c : translated(maps.category, term)) {
      if (!categories.insert(c.system + "|" + c.code).second) continue;
      Value category(rapidjson::kObjectType);
      b.push(b.array(category, "coding"),
             b.coding(c.system.empty() ? kServiceCategorySystem : c.system, c.code, c.display));
      b.push(b.array(hs, "category"), std::move(category));
    }
    for (const auto& c : translated(maps.cohort, term)) {
      if (!cohorts.insert(c.code).second) continue;
      Value ext(rapidjson::kObjectType);
      b.set(ext, "url", b.str(fhir::kCohortsServedExtension));
      b.set(ext, "valueCoding", b.coding(c.system, c.code, c.display));
      b.push(b.array(hs, "extension"), std::move(ext));
    }
    for (const auto& c : translated(maps.access, term)) {
      if (!access.empty()) break;
      access = c.code;
    }
  }
  if (!access.empty()) {
    Value ext(rapidjson::kObjectType);
    b.set(ext, "url", b.str(std::string(fhir::kProjectBase) + "/StructureDefinition/access-type"));
    b.set(ext, "valueCode", access);
    b.push(b.array(hs, "extension"), std::move(ext));
  }
}

std::optional<Document> mapOrganization(const Value& org, const OrukFeed& feed,
                                        const std::string& orgIdField, Problems& p) {
  Document doc(rapidjson::kObjectType);
  Builder b(doc);
  const std::string id = requiredString(org, "id", p);
  const std::string name = requiredString(org, "name", p);
  if (id.empty() || name.empty()) return std::nullopt;
  (void)orgIdField;
  b.set(doc, "resourceType", b.str("Organization"));
  setSource(b, doc, feed.baseUrl);
  Value& ids = b.array(doc, "identifier");
  b.push(ids, b.identifier(feed.organizationSystem(), id));
  if (const Value* list = optionalArray(org, "organization_identifiers", p)) {
    for (const auto& oi : list->GetArray()) {
      if (!oi.IsObject()) continue;
      const std::string scheme = fhir::getString(oi, "identifier_scheme");
      const std::string value = fhir::getString(oi, "identifier");
      if (scheme.empty() || value.empty()) continue;
      b.push(ids, b.identifier(kOrgIdGuideBase + scheme, value));
    }
  }
  b.set(doc, "active", Value(true));
  b.set(doc, "name", name);
  if (auto email = optionalEmail(org, "email", p)) {
    b.push(b.array(doc, "telecom"), b.telecom("email", *email));
  }
  auto website = optionalUri(org, "website", p);
  if (!website) website = optionalUri(org, "url", p);  // ORUK v1
  if (website) b.push(b.array(doc, "telecom"), b.telecom("url", *website));
  return doc;
}

bool inRange(const std::string& number, double limit) {
  try {
    const double v = std::stod(number);
    return v >= -limit && v <= limit;
  } catch (const std::exception&) {
    return false;
  }
}

std::optional<Document> mapLocation(const Value& location, const OrukFeed& feed, Problems& p) {
  Document doc(rapidjson::kObjectType);
  Builder b(doc);
  const std::string id = requiredString(location, "id", p);
  if (id.empty()) return std::nullopt;
  b.set(doc, "resourceType", b.str("Location"));
  setSource(b, doc, feed.baseUrl);
  Value& ids = b.array(doc, "identifier");
  b.push(ids, b.identifier(feed.locationSystem(), id));
  if (auto external = optionalString(location, "external_identifier", p)) {
    Value identifier = b.identifier("", *external);
    if (auto type = optionalString(location, "external_identifier_type", p)) {
      Value cc(rapidjson::kObjectType);
      b.set(cc, "text", *type);
      b.set(identifier, "type", std::move(cc));
    }
    b.push(ids, std::move(identifier));
  }
  b.set(doc, "status", b.str("active"));
  if (auto name = optionalString(location, "name", p)) b.set(doc, "name", *name);
  if (auto description = optionalString(location, "description", p)) {
    b.set(doc, "description", *description);
  }
  const auto latitude = optionalNumber(location, "latitude", p);
  const auto longitude = optionalNumber(location, "longitude", p);
  if (latitude && longitude) {
    if (inRange(*latitude, 90) && inRange(*longitude, 180)) {
      Value position(rapidjson::kObjectType);
      b.set(position, "longitude", fhir::makeDecimal(*longitude, b.a_));
      b.set(position, "latitude", fhir::makeDecimal(*latitude, b.a_));
      b.set(doc, "position", std::move(position));
    } else {
      p.warning("latitude", "latitude " + *latitude + ", longitude " + *longitude +
                                " is not a position on Earth; left out");
    }
  }
  if (const Value* addresses = optionalArray(location, "addresses", p)) {
    // R4 holds one address: the first physical one, else the first.
    const Value* chosen = nullptr;
    for (const auto& a : addresses->GetArray()) {
      if (!a.IsObject()) continue;
      if (!chosen) chosen = &a;
      if (fhir::getString(a, "address_type") == "physical") {
        chosen = &a;
        break;
      }
    }
    if (addresses->Size() > 1)
      p.warning("addresses", "R4 keeps one address; the others are left out");
    if (chosen) {
      Value address(rapidjson::kObjectType);
      const std::string type = fhir::getString(*chosen, "address_type");
      if (type == "physical" || type == "postal") b.set(address, "type", type);
      Value lines(rapidjson::kArrayType);
      for (const char* f : {"address_1", "address_2"}) {
        const std::string line = fhir::getString(*chosen, f);
        if (!line.empty()) b.push(lines, b.str(line));
      }
      if (!lines.Empty()) b.set(address, "line", std::move(lines));
      const char* const kFields[][2] = {{"city", "city"},
                                        {"region", "district"},
                                        {"state_province", "state"},
                                        {"postal_code", "postalCode"},
                                        {"country", "country"}};
      for (const auto& f : kFields) {
        const std::string v = fhir::getString(*chosen, f[0]);
        if (!v.empty()) b.set(address, f[1], v);
      }
      if (address.MemberCount() > 0) b.set(doc, "address", std::move(address));
    }
  }
  return doc;
}

bool isKnownStatus(const std::string& s) {
  return s == "active" || s == "inactive" || s == "defunct" || s == "temporarily closed";
}

}  // namespace

bool MappedService::refused() const {
  for (const auto& i : issues) {
    if (i.severity == Severity::kError || i.severity == Severity::kFatal) return true;
  }
  return false;
}

std::string taxonomySystem(const std::string& taxonomy) {
  if (taxonomy.empty()) return "";
  if (looksLikeUri(taxonomy)) return taxonomy;
  std::string safe;
  for (char c : taxonomy) {
    safe +=
        std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '-';
  }
  return std::string(fhir::kProjectBase) + "/oruk-taxonomy/" + safe;
}

MappedService mapOrukService(const Value& item, const OrukFeed& feed, const TaxonomyMaps& maps,
                             const std::string& where) {
  MappedService out;
  Problems p(out.issues, where);
  if (!item.IsObject()) {
    p.error("", "a service must be a JSON object");
    return out;
  }
  const bool v1 = feed.version == OrukVersion::kV1;
  Document& doc = out.service;
  doc.SetObject();
  Builder b(doc);
  out.orukId = requiredString(item, "id", p);
  const std::string name = requiredString(item, "name", p);
  std::string status = "active";
  if (auto s = optionalString(item, "status", p)) {
    status = *s;
    if (!isKnownStatus(status)) {
      p.error("status", "status '" + status +
                            "' is not one of active, inactive, defunct, temporarily closed");
    }
  } else if (!v1) {
    if (!fhir::findMember(item, "status")) p.error("status", "status is required");
  }
  const auto description = optionalString(item, "description", p);
  const auto url = optionalUri(item, "url", p);
  const auto email = optionalEmail(item, "email", p);
  const auto lastModified = optionalString(item, "last_modified", p);
  std::optional<std::string> lastModifiedInstant;
  if (lastModified) {
    if (fhir::parseInstant(*lastModified)) {
      lastModifiedInstant = lastModified;
    } else {
      p.error("last_modified", "last_modified '" + *lastModified + "' is not a date-time");
    }
  }
  const auto minimumAge = optionalNumber(item, "minimum_age", p);
  const auto maximumAge = optionalNumber(item, "maximum_age", p);
  for (const char* f : {"fees", "accreditations", "assured_date", "alert"}) {
    (void)optionalString(item, f, p);
  }
  (void)optionalEmail(item, "assurer_email", p);
  const Value* organization = optionalObject(item, "organization", p);
  const auto organizationId = optionalString(item, "organization_id", p);
  if (v1 && !organization) p.error("organization", "organization is required in ORUK v1");

  b.set(doc, "resourceType", b.str("HealthcareService"));
  setSource(b, doc, feed.baseUrl + "/services/" + out.orukId);
  if (lastModifiedInstant) {
    Value ext(rapidjson::kObjectType);
    b.set(ext, "url", b.str(kSourceLastModifiedExtension));
    b.set(ext, "valueInstant", *lastModifiedInstant);
    b.push(b.array(doc, "extension"), std::move(ext));
  }
  b.push(b.array(doc, "identifier"), b.identifier(feed.serviceSystem(), out.orukId));
  b.set(doc, "active", Value(status == "active"));
  if (status == "temporarily closed") {
    p.warning("status", "temporarily closed is held as inactive (R4 has no such status)");
  }

  // The organisation: nested, else by id only.
  if (organization) {
    Problems op(out.issues, p.at("organization"));
    out.organization = mapOrganization(*organization, feed, "id", op);
    if (out.organization) {
      b.set(doc, "providedBy",
            b.logicalReference(feed.organizationSystem(), fhir::getString(*organization, "id"),
                               fhir::getString(*organization, "name")));
    }
  } else if (organizationId) {
    b.set(doc, "providedBy", b.logicalReference(feed.organizationSystem(), *organizationId, ""));
  }

  mapTaxonomy(item, maps, b, doc, p);
  b.set(doc, "name", name);
  if (description) b.set(doc, "extraDetails", *description);
  if (url) b.push(b.array(doc, "telecom"), b.telecom("url", *url));
  if (email) b.push(b.array(doc, "telecom"), b.telecom("email", *email));

  if (const Value* sals = optionalArray(item, "service_at_locations", p)) {
    for (rapidjson::SizeType i = 0; i < sals->Size(); ++i) {
      const Value& sal = (*sals)[i];
      const std::string at = "service_at_locations[" + std::to_string(i) + "].location";
      const Value* location = sal.IsObject() ? fhir::findMember(sal, "location") : nullptr;
      if (!location || !location->IsObject()) {
        p.warning("service_at_locations[" + std::to_string(i) + "]",
                  "a service_at_location without a nested location is left out");
        continue;
      }
      Problems lp(out.issues, p.at(at));
      if (auto mapped = mapLocation(*location, feed, lp)) {
        b.push(b.array(doc, "location"),
               b.logicalReference(feed.locationSystem(), fhir::getString(*location, "id"),
                                  fhir::getString(*location, "name")));
        out.locations.push_back(std::move(*mapped));
      }
    }
  }

  if (minimumAge || maximumAge) {
    Value eligibility(rapidjson::kObjectType);
    Value code(rapidjson::kObjectType);
    b.set(code, "text", b.str("age"));
    b.set(eligibility, "code", std::move(code));
    std::string text;
    if (minimumAge) text = "from age " + *minimumAge;
    if (maximumAge) text += std::string(text.empty() ? "" : " ") + "to age " + *maximumAge;
    b.set(eligibility, "comment", text);
    b.push(b.array(doc, "eligibility"), std::move(eligibility));
  }

  mapSchedules(item, b, doc, p);

  if (const Value* costs = optionalArray(item, "cost_options", p); costs && !costs->Empty()) {
    Value provision(rapidjson::kObjectType);
    b.push(b.array(provision, "coding"), b.coding(kProvisionSystem, "cost", "Fees apply"));
    b.push(b.array(doc, "serviceProvisionCode"), std::move(provision));
  }
  if (out.refused()) {
    out.organization.reset();
    out.locations.clear();
  }
  return out;
}

}  // namespace sp::mapping
