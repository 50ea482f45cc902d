#include "messaging/incoming_message.h"

#include <algorithm>
#include <cctype>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "messaging/vocabulary.h"

namespace sp::messaging {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

[[noreturn]] void bad(const std::string& code, const std::string& why, const std::string& where) {
  throw FhirError(ErrorKind::kInvalid, code, why, where);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool isOdsSystem(const std::string& system) { return lower(system) == lower(kOdsCode); }

const rapidjson::Value* resourceOf(const rapidjson::Value& entries, int index) {
  if (index < 0) return nullptr;
  return fhir::findMember(entries[static_cast<rapidjson::SizeType>(index)], "resource");
}

void addOdsOf(const rapidjson::Value* identifier, std::vector<std::string>& out) {
  if (!identifier) return;
  auto one = [&](const rapidjson::Value& id) {
    if (id.IsObject() && isOdsSystem(fhir::getString(id, "system"))) {
      const std::string value = fhir::getString(id, "value");
      if (!value.empty()) out.push_back(value);
    }
  };
  if (identifier->IsArray()) {
    for (const auto& id : identifier->GetArray()) one(id);
  } else {
    one(*identifier);
  }
}

// ODS codes an Organization reference stands for: its logical identifier, or the entry's
// identifiers; a PractitionerRole stands for its organization.
std::vector<std::string> odsOf(const rapidjson::Value& entries, const rapidjson::Value* reference,
                               int depth = 0) {
  std::vector<std::string> out;
  if (!reference || !reference->IsObject() || depth > 2) return out;
  addOdsOf(fhir::findMember(*reference, "identifier"), out);
  const rapidjson::Value* target =
      resourceOf(entries, entryNamed(entries, fhir::getString(*reference, "reference")));
  if (!target || !target->IsObject()) return out;
  const std::string type = fhir::getString(*target, "resourceType");
  if (type == "Organization") addOdsOf(fhir::findMember(*target, "identifier"), out);
  if (type == "PractitionerRole") {
    for (auto& ods : odsOf(entries, fhir::findMember(*target, "organization"), depth + 1)) {
      out.push_back(ods);
    }
  }
  return out;
}

Coding codingOf(const rapidjson::Value* coding) {
  if (!coding || !coding->IsObject()) return {};
  return Coding{fhir::getString(*coding, "system"), fhir::getString(*coding, "code")};
}

}  // namespace

std::vector<std::string> odsCodesIn(const rapidjson::Value* identifier) {
  std::vector<std::string> out;
  addOdsOf(identifier, out);
  return out;
}

int entryNamed(const rapidjson::Value& entries, const std::string& reference) {
  if (reference.empty() || !entries.IsArray()) return -1;
  int i = 0;
  for (const auto& entry : entries.GetArray()) {
    if (entry.IsObject()) {
      if (fhir::getString(entry, "fullUrl") == reference) return i;
      const rapidjson::Value* resource = fhir::findMember(entry, "resource");
      if (resource && resource->IsObject() && !fhir::getString(*resource, "id").empty() &&
          fhir::getString(*resource, "resourceType") + "/" + fhir::getString(*resource, "id") ==
              reference) {
        return i;
      }
    }
    ++i;
  }
  return -1;
}

bool isInternalReference(const rapidjson::Value& entries, const std::string& reference) {
  return entryNamed(entries, reference) >= 0;
}

IncomingMessage readIncomingMessage(const rapidjson::Value& bundle) {
  if (!bundle.IsObject() || fhir::getString(bundle, "resourceType") != "Bundle") {
    bad("structure", "$process-message takes a Bundle", "");
  }
  if (fhir::getString(bundle, "type") != "message") {
    bad("invalid", "The Bundle must be of type message", "Bundle.type");
  }
  const rapidjson::Value* entries = fhir::findMember(bundle, "entry");
  if (!entries || !entries->IsArray() || entries->Empty()) {
    bad("required", "A message needs a MessageHeader as its first entry", "Bundle.entry");
  }
  for (rapidjson::SizeType i = 0; i < entries->Size(); ++i) {
    const rapidjson::Value* resource = resourceOf(*entries, static_cast<int>(i));
    if (!(*entries)[i].IsObject() || !resource || !resource->IsObject()) {
      bad("required", "Every entry of a message needs a resource",
          "Bundle.entry[" + std::to_string(i) + "]");
    }
    if (i > 0 && fhir::getString(*resource, "resourceType") == "MessageHeader") {
      bad("invalid", "A message has one MessageHeader, its first entry",
          "Bundle.entry[" + std::to_string(i) + "]");
    }
  }
  const rapidjson::Value& header = *resourceOf(*entries, 0);
  if (fhir::getString(header, "resourceType") != "MessageHeader") {
    bad("invalid", "The first entry of a message must be its MessageHeader",
        "Bundle.entry[0].resource");
  }
  IncomingMessage m;
  m.bundleId = fhir::getString(bundle, "id");
  if (const auto* identifier = fhir::findMember(bundle, "identifier");
      identifier && identifier->IsObject()) {
    const std::string value = fhir::getString(*identifier, "value");
    if (!value.empty()) m.bundleIdentifier = fhir::getString(*identifier, "system") + "|" + value;
  }
  m.messageHeaderId = fhir::getString(header, "id");
  m.event = codingOf(fhir::findMember(header, "eventCoding"));
  if (m.event.code.empty()) {
    bad("required", "MessageHeader.eventCoding is required (eventUri is not supported)",
        "MessageHeader.eventCoding");
  }
  if (const auto* reason = fhir::findMember(header, "reason"); reason && reason->IsObject()) {
    if (const auto* codings = fhir::findMember(*reason, "coding"); codings && codings->IsArray()) {
      for (const auto& c : codings->GetArray()) m.reasons.push_back(codingOf(&c));
    }
  }
  if (const auto* response = fhir::findMember(header, "response");
      response && response->IsObject()) {
    m.responseTo = fhir::getString(*response, "identifier");
  }
  if (const auto* source = fhir::findMember(header, "source"); source && source->IsObject()) {
    m.sourceEndpoint = fhir::getString(*source, "endpoint");
  }
  if (const auto* destinations = fhir::findMember(header, "destination");
      destinations && destinations->IsArray() && !destinations->Empty()) {
    const rapidjson::Value& first = (*destinations)[0];
    m.destinationEndpoint = fhir::getString(first, "endpoint");
    m.receiverOds = odsOf(*entries, fhir::findMember(first, "receiver"));
  }
  m.senderOds = odsOf(*entries, fhir::findMember(header, "sender"));
  const rapidjson::Value* focus = fhir::findMember(header, "focus");
  if (!focus || !focus->IsArray() || focus->Empty() || !(*focus)[0].IsObject()) {
    bad("required", "MessageHeader.focus is required", "MessageHeader.focus");
  }
  const std::string focusRef = fhir::getString((*focus)[0], "reference");
  const int focusEntry = entryNamed(*entries, focusRef);
  if (focusEntry <= 0) {
    bad("not-found", "MessageHeader.focus must name an entry of the message",
        "MessageHeader.focus[0]");
  }
  m.focusEntry = static_cast<std::size_t>(focusEntry);
  const rapidjson::Value& focused = *resourceOf(*entries, focusEntry);
  m.focusType = fhir::getString(focused, "resourceType");
  m.focusStatus = fhir::getString(focused, "status");
  return m;
}

std::optional<std::size_t> sendersReferralTask(const rapidjson::Value& bundle,
                                               std::size_t focusEntry) {
  const rapidjson::Value* entries = fhir::findMember(bundle, "entry");
  if (!entries || !entries->IsArray()) return std::nullopt;
  for (rapidjson::SizeType i = 1; i < entries->Size(); ++i) {
    const rapidjson::Value* r = fhir::findMember((*entries)[i], "resource");
    if (!r || !r->IsObject() || fhir::getString(*r, "resourceType") != "Task") continue;
    const std::string status = fhir::getString(*r, "status");
    if ((status != "requested" && status != "draft") || fhir::findMember(*r, "partOf")) continue;
    const rapidjson::Value* focus = fhir::findMember(*r, "focus");
    if (focus) {
      const std::string reference = focus->IsObject() ? fhir::getString(*focus, "reference") : "";
      if (entryNamed(*entries, reference) != static_cast<int>(focusEntry)) continue;
    }
    return i;
  }
  return std::nullopt;
}

}  // namespace sp::messaging
