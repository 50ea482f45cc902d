#include "partner_payloads.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "harness.h"

namespace sp::testing {

namespace {

using rapidjson::Value;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string textOf(const Value& v, const char* name) {
  if (!v.IsObject()) return "";
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

const Value* member(const Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

rapidjson::Document parsed(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) throw std::runtime_error("not a JSON object");
  return doc;
}

std::string written(const Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return buffer.GetString();
}

// Every string value (not member names) of `v`, rewritten by `change`.
template <typename Change>
void eachString(Value& v, rapidjson::Document::AllocatorType& a, const Change& change) {
  if (v.IsString()) {
    const std::string before(v.GetString(), v.GetStringLength());
    const std::string after = change(before);
    if (after != before)
      v.SetString(after.c_str(), static_cast<rapidjson::SizeType>(after.size()), a);
  } else if (v.IsObject()) {
    for (auto& m : v.GetObject()) eachString(m.value, a, change);
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) eachString(e, a, change);
  }
}

// The entry resource a reference names: by fullUrl, or "Type/id".
const Value* entryNamed(const Value& bundle, const std::string& reference) {
  const Value* entries = member(bundle, "entry");
  if (reference.empty() || !entries || !entries->IsArray()) return nullptr;
  for (const auto& entry : entries->GetArray()) {
    const Value* resource = member(entry, "resource");
    if (!resource) continue;
    if (textOf(entry, "fullUrl") == reference ||
        textOf(*resource, "resourceType") + "/" + textOf(*resource, "id") == reference) {
      return resource;
    }
  }
  return nullptr;
}

bool isOds(const std::string& system) {
  return lower(system).find("ods-organization-code") != std::string::npos;
}
bool isServiceId(const std::string& system) {
  return lower(system).find("dos-service-id") != std::string::npos;
}

// The ODS codes among a resource's identifiers.
std::vector<std::string> odsCodes(const Value* resource) {
  std::vector<std::string> out;
  const Value* identifiers = resource ? member(*resource, "identifier") : nullptr;
  if (!identifiers) return out;
  const auto take = [&](const Value& identifier) {
    if (isOds(textOf(identifier, "system"))) out.push_back(textOf(identifier, "value"));
  };
  if (identifiers->IsArray()) {
    for (const auto& i : identifiers->GetArray()) take(i);
  } else {
    take(*identifiers);
  }
  return out;
}

// The organisation a MessageHeader party (sender, destination receiver) stands for.
const Value* organisationOf(const Value& bundle, const Value* party) {
  if (!party) return nullptr;
  const Value* resource = entryNamed(bundle, textOf(*party, "reference"));
  if (resource && textOf(*resource, "resourceType") == "PractitionerRole") {
    const Value* organisation = member(*resource, "organization");
    resource = organisation ? entryNamed(bundle, textOf(*organisation, "reference")) : nullptr;
  }
  return resource ? resource : party;  // a party named by identifier only
}

// "system|value" -> value (empty when the endpoint is no service id).
std::string serviceIdIn(const std::string& endpoint) {
  const auto bar = endpoint.find('|');
  if (bar == std::string::npos || !isServiceId(endpoint.substr(0, bar))) return "";
  return endpoint.substr(bar + 1);
}

void replaceIdentifierValues(Value& v, rapidjson::Document::AllocatorType& a,
                             const std::map<std::string, std::string>& ods,
                             const std::map<std::string, std::string>& services) {
  if (v.IsObject()) {
    const std::string system = textOf(v, "system");
    const std::string value = textOf(v, "value");
    if (!system.empty() && !value.empty()) {
      const auto& table = isOds(system) ? ods : services;
      auto it = table.find(value);
      if ((isOds(system) || isServiceId(system)) && it != table.end()) {
        v["value"].SetString(it->second.c_str(),
                             static_cast<rapidjson::SizeType>(it->second.size()), a);
      }
    }
    for (auto& m : v.GetObject()) replaceIdentifierValues(m.value, a, ods, services);
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) replaceIdentifierValues(e, a, ods, services);
  }
}

}  // namespace

std::string partnerPayload(const std::string& relativePath) {
  std::ifstream in(sourceDir() + "/tests/data/partners/" + relativePath);
  if (!in) throw std::runtime_error("no partner payload " + relativePath);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Conversation::renewed(const std::string& original) {
  const std::string key = lower(original);
  auto it = ids_.find(key);
  if (it == ids_.end()) it = ids_.emplace(key, newUuid()).first;
  return it->second;
}

std::string Conversation::renew(const std::string& json) {
  static const std::regex uuid(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  rapidjson::Document doc = parsed(json);
  eachString(doc, doc.GetAllocator(), [&](const std::string& text) {
    std::string out;
    std::size_t last = 0;
    for (auto m = std::sregex_iterator(text.begin(), text.end(), uuid); m != std::sregex_iterator();
         ++m) {
      out += text.substr(last, static_cast<std::size_t>(m->position()) - last);
      out += renewed(m->str());
      last = static_cast<std::size_t>(m->position() + m->length());
    }
    return out + text.substr(last);
  });
  return written(doc);
}

std::string retarget(const std::string& json, const Parties& parties) {
  rapidjson::Document doc = parsed(json);
  auto& a = doc.GetAllocator();
  Value& header = doc["entry"][0]["resource"];
  std::map<std::string, std::string> ods;
  std::map<std::string, std::string> services;
  for (const auto& code : odsCodes(organisationOf(doc, member(header, "sender")))) {
    ods[code] = parties.senderOds;
  }
  Value* destination = nullptr;
  if (Value* list = const_cast<Value*>(member(header, "destination"));
      list && list->IsArray() && !list->Empty()) {
    destination = &(*list)[0];
    for (const auto& code : odsCodes(organisationOf(doc, member(*destination, "receiver")))) {
      ods[code] = parties.receiverOds;
    }
  }
  // The header's endpoints: the service id replaced, its system kept as spelled.
  const auto endpointFor = [&](Value* holder, const std::string& serviceId) {
    if (!holder || !holder->IsObject() || !holder->HasMember("endpoint")) return;
    const std::string endpoint = textOf(*holder, "endpoint");
    const std::string old = serviceIdIn(endpoint);
    if (old.empty()) return;
    services[old] = serviceId;
    const std::string now = endpoint.substr(0, endpoint.find('|') + 1) + serviceId;
    (*holder)["endpoint"].SetString(now.c_str(), static_cast<rapidjson::SizeType>(now.size()), a);
  };
  endpointFor(const_cast<Value*>(member(header, "source")), parties.senderServiceId);
  endpointFor(destination, parties.receiverServiceId);
  replaceIdentifierValues(doc, a, ods, services);
  return written(doc);
}

std::string prepared(Conversation& conversation, const std::string& relativePath,
                     const Parties& parties) {
  return retarget(conversation.renew(partnerPayload(relativePath)), parties);
}

}  // namespace sp::testing
