#include "mapping/oruk_publish.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <set>

#include "fhir/json.h"
#include "fhir/project_urls.h"

namespace sp::mapping {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

namespace {

constexpr const char* kOrgIdGuideBase = "https://org-id.guide/list/";

std::uint64_t fnv1a(const std::string& text, std::uint64_t h) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string taxonomyName(const std::string& system) {
  const std::string ours = std::string(fhir::kProjectBase) + "/oruk-taxonomy/";
  return system.rfind(ours, 0) == 0 ? system.substr(ours.size()) : system;
}

void put(Value& object, const char* name, const std::string& text, Allocator& a) {
  if (!text.empty()) fhir::setMember(object, name, fhir::makeString(text, a), a);
}

std::string telecom(const Value& resource, const char* system) {
  const Value* list = fhir::findMember(resource, "telecom");
  if (!list || !list->IsArray()) return "";
  for (const auto& t : list->GetArray()) {
    if (fhir::getString(t, "system") == system) return fhir::getString(t, "value");
  }
  return "";
}

// The ages of the eligibility the import wrote ("from age 12 to age 100").
struct Ages {
  std::string minimum;
  std::string maximum;
};

Ages agesOf(const Value& service) {
  Ages ages;
  const Value* list = fhir::findMember(service, "eligibility");
  if (!list || !list->IsArray()) return ages;
  for (const auto& e : list->GetArray()) {
    const Value* code = fhir::findMember(e, "code");
    if (!code || fhir::getString(*code, "text") != "age") continue;
    const std::string comment = fhir::getString(e, "comment");
    auto number = [&comment](const std::string& after) {
      const auto pos = comment.find(after);
      if (pos == std::string::npos) return std::string();
      std::string n;
      for (std::size_t i = pos + after.size();
           i < comment.size() &&
           (std::isdigit(static_cast<unsigned char>(comment[i])) || comment[i] == '.');
           ++i) {
        n += comment[i];
      }
      return n;
    };
    ages.minimum = number("from age ");
    ages.maximum = number("to age ");
  }
  return ages;
}

void putNumber(Value& object, const char* name, const std::string& text, Allocator& a) {
  if (text.empty()) return;
  fhir::setMember(object, name, fhir::makeDecimal(text, a), a);
}

std::string byday(const Value& availableTime) {
  static const char* const kDays[][2] = {{"mon", "MO"}, {"tue", "TU"}, {"wed", "WE"}, {"thu", "TH"},
                                         {"fri", "FR"}, {"sat", "SA"}, {"sun", "SU"}};
  std::string out;
  for (const auto& d : fhir::getStrings(availableTime, "daysOfWeek")) {
    for (const auto& k : kDays) {
      if (d == k[0]) out += (out.empty() ? "" : ",") + std::string(k[1]);
    }
  }
  return out;
}

Value organizationJson(const Value& org, Allocator& a) {
  Value out(rapidjson::kObjectType);
  const std::string id = fhir::getString(org, "id");
  put(out, "id", id, a);
  const std::string name = fhir::getString(org, "name");
  put(out, "name", name, a);
  // R4 has no description; the UK profile requires one.
  put(out, "description", name, a);
  put(out, "email", telecom(org, "email"), a);
  put(out, "website", telecom(org, "url"), a);
  Value identifiers(rapidjson::kArrayType);
  if (const Value* list = fhir::findMember(org, "identifier"); list && list->IsArray()) {
    for (const auto& i : list->GetArray()) {
      const std::string system = fhir::getString(i, "system");
      if (system.rfind(kOrgIdGuideBase, 0) != 0) continue;
      const std::string scheme = system.substr(std::string(kOrgIdGuideBase).size());
      Value oi(rapidjson::kObjectType);
      put(oi, "id", orukUuid(id + "|" + system + "|" + fhir::getString(i, "value")), a);
      put(oi, "organization_id", id, a);
      put(oi, "identifier_scheme", scheme, a);
      put(oi, "identifier_type", scheme, a);
      put(oi, "identifier", fhir::getString(i, "value"), a);
      identifiers.PushBack(oi, a);
    }
  }
  if (!identifiers.Empty())
    fhir::setMember(out, "organization_identifiers", std::move(identifiers), a);
  return out;
}

Value locationJson(const Value& location, Allocator& a) {
  Value out(rapidjson::kObjectType);
  const std::string id = fhir::getString(location, "id");
  put(out, "id", id, a);
  put(out, "location_type", "physical", a);
  put(out, "name", fhir::getString(location, "name"), a);
  put(out, "description", fhir::getString(location, "description"), a);
  if (const Value* position = fhir::findMember(location, "position")) {
    const Value* latitude = fhir::findMember(*position, "latitude");
    const Value* longitude = fhir::findMember(*position, "longitude");
    if (latitude && longitude) {
      putNumber(out, "latitude", fhir::numberText(*latitude), a);
      putNumber(out, "longitude", fhir::numberText(*longitude), a);
    }
  }
  if (const Value* list = fhir::findMember(location, "identifier"); list && list->IsArray()) {
    for (const auto& i : list->GetArray()) {
      const Value* type = fhir::findMember(i, "type");
      if (!fhir::getString(i, "system").empty() || !type) continue;
      put(out, "external_identifier", fhir::getString(i, "value"), a);
      put(out, "external_identifier_type", fhir::getString(*type, "text"), a);
      break;
    }
  }
  if (const Value* address = fhir::findMember(location, "address");
      address && address->IsObject()) {
    Value ad(rapidjson::kObjectType);
    put(ad, "id", orukUuid(id + "|address"), a);
    put(ad, "location_id", id, a);
    const auto lines = fhir::getStrings(*address, "line");
    // Required by the UK profile even when R4 holds nothing for them: "" then.
    fhir::setMember(ad, "address_1", fhir::makeString(lines.empty() ? "" : lines[0], a), a);
    if (lines.size() > 1) put(ad, "address_2", lines[1], a);
    fhir::setMember(ad, "city", fhir::makeString(fhir::getString(*address, "city"), a), a);
    put(ad, "region", fhir::getString(*address, "district"), a);
    fhir::setMember(ad, "state_province", fhir::makeString(fhir::getString(*address, "state"), a),
                    a);
    fhir::setMember(ad, "postal_code", fhir::makeString(fhir::getString(*address, "postalCode"), a),
                    a);
    fhir::setMember(ad, "country", fhir::makeString(fhir::getString(*address, "country"), a), a);
    const std::string type = fhir::getString(*address, "type");
    fhir::setMember(ad, "address_type",
                    fhir::makeString(type == "postal" ? "postal" : "physical", a), a);
    Value list(rapidjson::kArrayType);
    list.PushBack(ad, a);
    fhir::setMember(out, "addresses", std::move(list), a);
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string orukUuid(const std::string& seed) {
  const std::uint64_t hi = fnv1a(seed, 1469598103934665603ULL);
  const std::uint64_t lo = fnv1a(seed + "#", hi ^ 0x9e3779b97f4a7c15ULL);
  char out[37];
  std::snprintf(out, sizeof out, "%08llx-%04llx-5%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xfff),
                static_cast<unsigned long long>(0x8000 | ((lo >> 48) & 0x3fff)),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return out;
}

std::vector<OrukTerm> orukTerms(const Value& service) {
  std::vector<OrukTerm> terms;
  std::set<std::string> seen;
  for (const char* element : {"type", "category"}) {
    const Value* list = fhir::findMember(service, element);
    if (!list || !list->IsArray()) continue;
    for (const auto& concept : list->GetArray()) {
      const Value* codings = fhir::findMember(concept, "coding");
      if (!codings || !codings->IsArray()) continue;
      for (const auto& c : codings->GetArray()) {
        const std::string system = fhir::getString(c, "system");
        const std::string code = fhir::getString(c, "code");
        if (code.empty() || !seen.insert(system + "|" + code).second) continue;
        OrukTerm t;
        t.id = orukUuid(system + "|" + code);
        t.code = code;
        t.name = fhir::getString(c, "display").empty() ? code : fhir::getString(c, "display");
        t.taxonomy = taxonomyName(system);
        t.taxonomyId = orukUuid(system);
        terms.push_back(std::move(t));
      }
    }
    if (!terms.empty()) break;  // the terms it was imported with; else its categories
  }
  return terms;
}

Value orukTermJson(const OrukTerm& term, Allocator& a) {
  Value t(rapidjson::kObjectType);
  put(t, "id", term.id, a);
  put(t, "name", term.name, a);
  put(t, "description", term.name, a);
  put(t, "taxonomy", term.taxonomy, a);
  put(t, "taxonomy_id", term.taxonomyId, a);
  put(t, "term", term.code, a);
  return t;
}

Value orukService(const PublishedEntry& entry, bool nested, Allocator& a) {
  const Value& hs = *entry.service;
  const std::string id = fhir::getString(hs, "id");
  Value out(rapidjson::kObjectType);
  put(out, "id", id, a);
  if (entry.organization)
    put(out, "organization_id", fhir::getString(*entry.organization, "id"), a);
  put(out, "name", fhir::getString(hs, "name"), a);
  put(out, "description", fhir::getString(hs, "extraDetails"), a);
  put(out, "url", telecom(hs, "url"), a);
  put(out, "email", telecom(hs, "email"), a);
  const Value* active = fhir::findMember(hs, "active");
  put(out, "status", active && active->IsBool() && !active->GetBool() ? "inactive" : "active", a);
  const Ages ages = agesOf(hs);
  putNumber(out, "minimum_age", ages.minimum, a);
  putNumber(out, "maximum_age", ages.maximum, a);
  if (const Value* meta = fhir::findMember(hs, "meta")) {
    put(out, "last_modified", fhir::getString(*meta, "lastUpdated"), a);
  }
  if (entry.organization) {
    fhir::setMember(out, "organization", organizationJson(*entry.organization, a), a);
  }
  if (!nested) return out;

  Value schedules(rapidjson::kArrayType);
  const std::string exceptions = fhir::getString(hs, "availabilityExceptions");
  if (const Value* times = fhir::findMember(hs, "availableTime"); times && times->IsArray()) {
    rapidjson::SizeType i = 0;
    for (const auto& t : times->GetArray()) {
      Value s(rapidjson::kObjectType);
      put(s, "id", orukUuid(id + "|schedule|" + std::to_string(i)), a);
      put(s, "service_id", id, a);
      put(s, "freq", "WEEKLY", a);
      put(s, "byday", byday(t), a);
      put(s, "opens_at", fhir::getString(t, "availableStartTime"), a);
      put(s, "closes_at", fhir::getString(t, "availableEndTime"), a);
      if (i == 0) put(s, "description", exceptions, a);
      schedules.PushBack(s, a);
      ++i;
    }
  }
  if (schedules.Empty() && !exceptions.empty()) {
    Value s(rapidjson::kObjectType);
    put(s, "id", orukUuid(id + "|schedule|0"), a);
    put(s, "service_id", id, a);
    put(s, "description", exceptions, a);
    schedules.PushBack(s, a);
  }
  fhir::setMember(out, "schedules", std::move(schedules), a);

  Value sals(rapidjson::kArrayType);
  for (const Value* location : entry.locations) {
    const std::string locationId = fhir::getString(*location, "id");
    Value sal(rapidjson::kObjectType);
    put(sal, "id", orukUuid(id + "|" + locationId), a);
    put(sal, "service_id", id, a);
    put(sal, "location_id", locationId, a);
    fhir::setMember(sal, "location", locationJson(*location, a), a);
    sals.PushBack(sal, a);
  }
  fhir::setMember(out, "service_at_locations", std::move(sals), a);

  Value costs(rapidjson::kArrayType);
  if (const Value* codes = fhir::findMember(hs, "serviceProvisionCode");
      codes && codes->IsArray()) {
    for (const auto& concept : codes->GetArray()) {
      const Value* codings = fhir::findMember(concept, "coding");
      if (!codings || !codings->IsArray()) continue;
      for (const auto& c : codings->GetArray()) {
        if (fhir::getString(c, "code") != "cost") continue;
        Value cost(rapidjson::kObjectType);
        put(cost, "id", orukUuid(id + "|cost"), a);
        put(cost, "service_id", id, a);
        put(cost, "option", "Fees apply", a);
        costs.PushBack(cost, a);
      }
    }
  }
  fhir::setMember(out, "cost_options", std::move(costs), a);

  Value attributes(rapidjson::kArrayType);
  for (const auto& term : orukTerms(hs)) {
    Value attribute(rapidjson::kObjectType);
    put(attribute, "id", orukUuid(id + "|" + term.id), a);
    put(attribute, "link_id", id, a);
    put(attribute, "link_type", "service", a);
    put(attribute, "link_entity", "service", a);
    put(attribute, "taxonomy_term_id", term.id, a);
    fhir::setMember(attribute, "taxonomy_term", orukTermJson(term, a), a);
    attributes.PushBack(attribute, a);
  }
  fhir::setMember(out, "attributes", std::move(attributes), a);
  return out;
}

Value orukServiceAtLocation(const PublishedEntry& entry, const Value& location, bool nested,
                            Allocator& a) {
  const std::string serviceId = fhir::getString(*entry.service, "id");
  const std::string locationId = fhir::getString(location, "id");
  Value out(rapidjson::kObjectType);
  put(out, "id", orukUuid(serviceId + "|" + locationId), a);
  put(out, "service_id", serviceId, a);
  put(out, "location_id", locationId, a);
  fhir::setMember(out, "location", locationJson(location, a), a);
  PublishedEntry alone = entry;
  alone.locations.clear();
  Value service = orukService(alone, nested, a);
  fhir::removeMember(service, "service_at_locations");
  fhir::setMember(out, "service", std::move(service), a);
  return out;
}

// "nv11aa", " NV1  1AA " -> "NV1 1AA"; "nv1" -> "NV1".
std::string normalPostcode(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.find(' ') == std::string::npos && out.size() >= 5) out.insert(out.size() - 3, " ");
  return out;
}

bool hasPostcode(const Value& location, const std::string& postcode) {
  const Value* address = fhir::findMember(location, "address");
  if (!address || !address->IsObject()) return false;
  const std::string held = normalPostcode(fhir::getString(*address, "postalCode"));
  const std::string wanted = normalPostcode(postcode);
  if (wanted.empty() || held.empty()) return false;
  if (held == wanted) return true;
  if (held.rfind(wanted + " ", 0) == 0) return true;  // a district: "NV1" in "NV1 1AA"
  return wanted.find(' ') != std::string::npos && held.rfind(wanted, 0) == 0;  // a sector
}

bool matchesFilter(const Value& hs, const OrukFilter& f) {
  if (!f.search.empty()) {
    const std::string text =
        lower(fhir::getString(hs, "name") + "\n" + fhir::getString(hs, "extraDetails"));
    if (text.find(lower(f.search)) == std::string::npos) return false;
  }
  if (!f.taxonomyTermId.empty() || !f.taxonomyId.empty()) {
    bool found = false;
    for (const auto& t : orukTerms(hs)) {
      found |= (f.taxonomyTermId.empty() || t.id == f.taxonomyTermId) &&
               (f.taxonomyId.empty() || t.taxonomyId == f.taxonomyId);
    }
    if (!found) return false;
  }
  const Ages ages = agesOf(hs);
  try {
    if (f.minimumAge && (ages.minimum.empty() || std::stod(ages.minimum) < *f.minimumAge)) {
      return false;
    }
    if (f.maximumAge && (ages.maximum.empty() || std::stod(ages.maximum) > *f.maximumAge)) {
      return false;
    }
  } catch (const std::exception&) {
    return false;
  }
  if (!f.day.empty() || !f.startTime.empty() || !f.endTime.empty()) {
    auto normal = [](std::string t) { return t.size() == 5 ? t + ":00" : t; };
    bool open = false;
    const Value* times = fhir::findMember(hs, "availableTime");
    if (times && times->IsArray()) {
      for (const auto& t : times->GetArray()) {
        const std::string days = byday(t);
        if (!f.day.empty() && days.find(f.day) == std::string::npos) continue;
        const std::string opens = fhir::getString(t, "availableStartTime");
        const std::string closes = fhir::getString(t, "availableEndTime");
        if (!f.startTime.empty() && (opens.empty() || opens < normal(f.startTime))) continue;
        if (!f.endTime.empty() && (closes.empty() || closes > normal(f.endTime))) continue;
        open = true;
      }
    }
    if (!open) return false;
  }
  return true;
}

rapidjson::Document orukPage(const Value& contents, std::size_t totalItems, int page, int perPage) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  const auto per = static_cast<std::size_t>(std::max(perPage, 1));
  const auto pages = static_cast<std::int64_t>((totalItems + per - 1) / per);
  const auto size = static_cast<std::int64_t>(contents.Size());
  doc.AddMember("total_items", Value(static_cast<std::int64_t>(totalItems)), a);
  doc.AddMember("total_pages", Value(pages), a);
  doc.AddMember("page_number", Value(page), a);
  doc.AddMember("size", Value(size), a);
  doc.AddMember("first_page", Value(page <= 1), a);
  doc.AddMember("last_page", Value(static_cast<std::int64_t>(page) >= pages), a);
  doc.AddMember("empty", Value(size == 0), a);
  doc.AddMember("contents", Value(contents, a), a);  // a deep copy into this document
  return doc;
}

}  // namespace sp::mapping
