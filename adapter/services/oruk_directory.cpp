#include "services/oruk_directory.h"

#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "fhir/operation_outcome.h"
#include "mapping/oruk_publish.h"
#include "store/search_request.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;
using rapidjson::Document;
using rapidjson::Value;

namespace {

constexpr const char* kVersion = "HSDS-UK-3.0";
constexpr const char* kProfile =
    "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md";
constexpr const char* kOpenApi = "https://openreferraluk.org/specifications/3.0/openapi.json";

// The types this API may read: nothing else is ever asked of the store.
bool published(const std::string& type) {
  return type == "HealthcareService" || type == "Organization" || type == "Location";
}

rest::RestResponse json(int status, const std::string& body) {
  rest::RestResponse r;
  r.status = status;
  r.body = body;
  r.headers = {{"Content-Type", "application/json; charset=utf-8"},
               {"Access-Control-Allow-Origin", "*"}};
  return r;
}

bool restricted(const Value& resource) {
  const Value* meta = fhir::findMember(resource, "meta");
  const Value* labels = meta ? fhir::findMember(*meta, "security") : nullptr;
  if (!labels || !labels->IsArray()) return false;
  for (const auto& l : labels->GetArray()) {
    if (fhir::getString(l, "code") == "R") return true;
  }
  return false;
}

// The stored resources a request reads, parsed once.
class Reader {
 public:
  explicit Reader(store::StoreTransaction& tx) : tx_(tx) {}

  // "Type/id" of a published type, or null.
  const Value* resolve(const std::string& reference) {
    const auto slash = reference.find('/');
    if (slash == std::string::npos) return nullptr;
    return read(reference.substr(0, slash), reference.substr(slash + 1));
  }
  const Value* read(const std::string& type, const std::string& id) {
    if (!published(type)) return nullptr;
    const std::string key = type + "/" + id;
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second.get();
    std::unique_ptr<Document> doc;
    const auto v = tx_.current(type, id, false);
    if (v && !v->deleted) {
      doc = std::make_unique<Document>();
      fhir::parseJson(v->body, *doc);
      if (!doc->IsObject() || restricted(*doc)) doc.reset();
    }
    return (cache_[key] = std::move(doc)).get();
  }
  // Every current HealthcareService that is not restricted, in id order.
  std::vector<const Value*> services() {
    std::vector<const Value*> out;
    store::SearchRequest request;
    request.types = {"HealthcareService"};
    request.count = 500;
    while (true) {
      const auto result = tx_.search(request);
      for (const auto& m : result.matches) {
        if (const Value* s = keep("HealthcareService/" + m.version.id, m.version.body)) {
          out.push_back(s);
        }
      }
      if (!result.hasMore || result.matches.empty()) break;
      const auto& last = result.matches.back();
      request.cursor = store::Cursor{last.sortValues, last.version.type, last.version.id, false};
    }
    return out;
  }
  mapping::PublishedEntry entry(const Value& service) {
    mapping::PublishedEntry e;
    e.service = &service;
    if (const Value* by = fhir::findMember(service, "providedBy")) {
      e.organization = resolve(fhir::getString(*by, "reference"));
    }
    if (const Value* list = fhir::findMember(service, "location"); list && list->IsArray()) {
      for (const auto& l : list->GetArray()) {
        const std::string reference = fhir::getString(l, "reference");
        if (reference.rfind("Location/", 0) != 0) continue;
        if (const Value* location = resolve(reference)) e.locations.push_back(location);
      }
    }
    return e;
  }

 private:
  const Value* keep(const std::string& key, const std::string& body) {
    auto doc = std::make_unique<Document>();
    fhir::parseJson(body, *doc);
    if (!doc->IsObject() || restricted(*doc)) doc.reset();
    return (cache_[key] = std::move(doc)).get();
  }
  store::StoreTransaction& tx_;
  std::map<std::string, std::unique_ptr<Document>> cache_;
};

int positiveNumber(const std::string& name, const std::string& value, int fallback, int max) {
  if (value.empty()) return fallback;
  if (value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(value) < 1) {
    throw FhirError(ErrorKind::kInvalid, "value",
                    name + " must be a whole number from 1 (got '" + value + "')", name);
  }
  return std::min(std::stoi(value), max);
}

double ageValue(const std::string& name, const std::string& value) {
  try {
    std::size_t used = 0;
    const double v = std::stod(value, &used);
    if (used == value.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw FhirError(ErrorKind::kInvalid, "value", name + " must be a number (got '" + value + "')",
                  name);
}

std::string checkedTime(const std::string& name, const std::string& value) {
  const bool shape = (value.size() == 5 || value.size() == 8) && value[2] == ':' &&
                     std::isdigit(static_cast<unsigned char>(value[0])) &&
                     std::isdigit(static_cast<unsigned char>(value[1])) &&
                     std::isdigit(static_cast<unsigned char>(value[3])) &&
                     std::isdigit(static_cast<unsigned char>(value[4]));
  if (!shape) {
    throw FhirError(ErrorKind::kInvalid, "value",
                    name + " must be a time HH:MM (got '" + value + "')", name);
  }
  return value;
}

std::string checkedDay(const std::string& value) {
  static const char* const kDays[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
  std::string upper;
  for (char c : value) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* d : kDays) {
    if (upper == d) return upper;
  }
  throw FhirError(ErrorKind::kInvalid, "value", "day must be one of MO, TU, WE, TH, FR, SA, SU",
                  "day");
}

// page and per_page of a list request, and a slice of `items` as the page's contents.
struct Paging {
  int page = 1;
  int perPage = 50;
};

template <typename Item, typename Make>
Document pageOf(const std::vector<Item>& items, const Paging& p, Make make) {
  Document holder;
  auto& a = holder.GetAllocator();
  Value contents(rapidjson::kArrayType);
  const std::size_t start =
      static_cast<std::size_t>(p.page - 1) * static_cast<std::size_t>(p.perPage);
  for (std::size_t i = start; i < items.size() && i < start + static_cast<std::size_t>(p.perPage);
       ++i) {
    contents.PushBack(make(items[i], a), a);
  }
  return mapping::orukPage(contents, items.size(), p.page, p.perPage);
}

}  // namespace

rest::RestResponse OrukDirectory::handle(const rest::RestRequest& request) const {
  try {
    return answer(request);
  } catch (const FhirError& e) {
    int status = 400;
    switch (e.kind()) {
      case ErrorKind::kNotFound:
        status = 404;
        break;
      case ErrorKind::kMethodNotAllowed:
        status = 405;
        break;
      case ErrorKind::kUnavailable:
        status = 503;
        break;
      default:
        status = 400;
    }
    auto r = json(status, fhir::operationOutcomeJson(e.issues()));
    if (status == 405) r.headers.push_back({"Allow", "GET, OPTIONS"});
    return r;
  } catch (const std::exception& e) {
    std::cerr << "directory API: " << request.method << " " << request.path << ": " << e.what()
              << "\n";
    return json(500, fhir::operationOutcomeJson(
                         {{fhir::Severity::kError, "exception", "The directory failed", ""}}));
  }
}

rest::RestResponse OrukDirectory::answer(const rest::RestRequest& request) const {
  if (request.method == "OPTIONS") {  // a browser's preflight
    auto r = json(204, "");
    r.headers.push_back({"Access-Control-Allow-Methods", "GET, OPTIONS"});
    r.headers.push_back({"Access-Control-Allow-Headers", "*"});
    return r;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    throw FhirError(ErrorKind::kMethodNotAllowed, "not-supported",
                    "The directory is read-only: GET only");
  }
  std::string path = request.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::vector<std::string> parts;
  for (std::size_t start = 1; start <= path.size();) {
    const auto slash = path.find('/', start);
    const std::string part =
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.empty()) {
    Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    doc.AddMember("version", Value(kVersion, a), a);
    doc.AddMember("profile", Value(kProfile, a), a);
    doc.AddMember("openapi_url", Value(kOpenApi, a), a);
    return json(200, fhir::writeJson(doc));
  }
  const std::string& collection = parts[0];
  const bool atLocations = collection == "service_at_locations";
  if (parts.size() > 2 || (collection != "services" && !atLocations && collection != "taxonomies" &&
                           collection != "taxonomy_terms")) {
    throw FhirError(ErrorKind::kNotFound, "not-found",
                    "No such endpoint: " + request.path +
                        " (/, /services, /service_at_locations, /taxonomies and /taxonomy_terms "
                        "are served)");
  }
  std::string postcode;
  Paging paging;
  mapping::OrukFilter filter;
  for (const auto& [name, value] : request.query) {
    if (name == "page") {
      paging.page = positiveNumber(name, value, 1, 1000000);
    } else if (name == "per_page") {
      paging.perPage = positiveNumber(name, value, 50, maxPageSize_);
    } else if (collection != "services" && !atLocations) {
      throw FhirError(ErrorKind::kInvalid, "not-supported",
                      "Unknown parameter '" + name + "' (page and per_page are understood)", name);
    } else if (name == "search") {
      filter.search = value;
    } else if (name == "taxonomy_term_id") {
      filter.taxonomyTermId = value;
    } else if (name == "taxonomy_id") {
      filter.taxonomyId = value;
    } else if (name == "minimum_age") {
      filter.minimumAge = ageValue(name, value);
    } else if (name == "maximum_age") {
      filter.maximumAge = ageValue(name, value);
    } else if (name == "day") {
      filter.day = checkedDay(value);
    } else if (name == "start_time") {
      filter.startTime = checkedTime(name, value);
    } else if (name == "end_time") {
      filter.endTime = checkedTime(name, value);
    } else if (atLocations && name == "postcode") {
      postcode = value;
    } else if (atLocations && name == "proximity") {
      throw FhirError(ErrorKind::kInvalid, "not-supported",
                      "proximity is not supported: the hub holds no postcode positions", name);
    } else {
      throw FhirError(ErrorKind::kInvalid, "not-supported", "Unknown parameter '" + name + "'",
                      name);
    }
  }
  std::string body;
  store_.inReadOnly([&](store::StoreTransaction& tx) {
    Reader reader(tx);
    if (collection == "services" && parts.size() == 2) {
      const Value* service = reader.read("HealthcareService", parts[1]);
      if (!service) {
        throw FhirError(ErrorKind::kNotFound, "not-found", "No service " + parts[1]);
      }
      Document doc;
      Value out = mapping::orukService(reader.entry(*service), true, doc.GetAllocator());
      body = fhir::writeJson(out);
      return;
    }
    if (atLocations) {
      // Every (service, location) pair; an id is the one the nested service gives it.
      struct Pair {
        const Value* service;
        const Value* location;
      };
      std::vector<Pair> pairs;
      for (const Value* service : reader.services()) {
        if (parts.size() == 1 && !mapping::matchesFilter(*service, filter)) continue;
        for (const Value* location : reader.entry(*service).locations) {
          if (!postcode.empty() && !mapping::hasPostcode(*location, postcode)) continue;
          if (parts.size() == 2 &&
              mapping::orukUuid(fhir::getString(*service, "id") + "|" +
                                fhir::getString(*location, "id")) != parts[1]) {
            continue;
          }
          pairs.push_back({service, location});
        }
      }
      if (parts.size() == 2) {
        if (pairs.empty()) {
          throw FhirError(ErrorKind::kNotFound, "not-found", "No service_at_location " + parts[1]);
        }
        Document doc;
        body = fhir::writeJson(mapping::orukServiceAtLocation(
            reader.entry(*pairs[0].service), *pairs[0].location, true, doc.GetAllocator()));
        return;
      }
      body = fhir::writeJson(pageOf(pairs, paging, [&](const Pair& p, auto& a) {
        return mapping::orukServiceAtLocation(reader.entry(*p.service), *p.location, false, a);
      }));
      return;
    }
    const auto services = reader.services();
    if (collection == "services") {
      std::vector<const Value*> matching;
      for (const Value* s : services) {
        if (mapping::matchesFilter(*s, filter)) matching.push_back(s);
      }
      body = fhir::writeJson(pageOf(matching, paging, [&](const Value* s, auto& a) {
        return mapping::orukService(reader.entry(*s), false, a);
      }));
      return;
    }
    std::map<std::string, mapping::OrukTerm> terms;  // by id
    for (const Value* s : services) {
      for (auto& t : mapping::orukTerms(*s)) terms.emplace(t.id, std::move(t));
    }
    if (collection == "taxonomy_terms") {
      std::vector<mapping::OrukTerm> list;
      for (auto& [id, t] : terms) {
        if (parts.size() == 1 || id == parts[1]) list.push_back(t);
      }
      if (parts.size() == 2) {
        if (list.empty()) throw FhirError(ErrorKind::kNotFound, "not-found", "No term " + parts[1]);
        Document doc;
        body = fhir::writeJson(mapping::orukTermJson(list[0], doc.GetAllocator()));
        return;
      }
      body = fhir::writeJson(pageOf(list, paging, [](const mapping::OrukTerm& t, auto& a) {
        return mapping::orukTermJson(t, a);
      }));
      return;
    }
    // taxonomies: each with its terms
    std::map<std::string, std::vector<mapping::OrukTerm>> taxonomies;  // by taxonomy id
    for (auto& [id, t] : terms) taxonomies[t.taxonomyId].push_back(t);
    auto taxonomyJson = [](const std::vector<mapping::OrukTerm>& list, auto& a) {
      Value t(rapidjson::kObjectType);
      t.AddMember("id", fhir::makeString(list[0].taxonomyId, a), a);
      t.AddMember("name", fhir::makeString(list[0].taxonomy, a), a);
      t.AddMember("description", fhir::makeString(list[0].taxonomy, a), a);
      Value items(rapidjson::kArrayType);
      for (const auto& term : list) items.PushBack(mapping::orukTermJson(term, a), a);
      t.AddMember("taxonomy_terms", items, a);
      return t;
    };
    std::vector<std::vector<mapping::OrukTerm>> list;
    for (auto& [id, terms] : taxonomies) {
      if (parts.size() == 1 || id == parts[1]) list.push_back(terms);
    }
    if (parts.size() == 2) {
      if (list.empty())
        throw FhirError(ErrorKind::kNotFound, "not-found", "No taxonomy " + parts[1]);
      Document doc;
      body = fhir::writeJson(taxonomyJson(list[0], doc.GetAllocator()));
      return;
    }
    body = fhir::writeJson(pageOf(list, paging, taxonomyJson));
  });
  auto r = json(200, body);
  if (request.method == "HEAD") r.body.clear();
  return r;
}

}  // namespace sp::services
