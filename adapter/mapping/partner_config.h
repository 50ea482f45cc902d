// Which maps apply to whom: mappings/partners.json, read once at start-up.
//
//   {"partners": [{
//      "id": "northvale-vcse-case-system",           // unique, for messages and logs
//      "description": "...",
//      "organisations": ["VCS0001", "VCS0002"],      // ODS codes of callers; "*" is everyone
//      "endpoints": ["https://fhir.nhs.uk/Id/dos-service-id|2000123456"],  // sending systems
//      "inbound": [{"conceptMap": "<url>", "element": "Task.businessStatus",
//                   "setsCode": {"element": "Task.status",
//                                "system": "http://hl7.org/fhir/task-status"}}],
//      "ownVocabulary": [{"conceptMap": "<url>", "element": "Task.businessStatus"}]}]}
//
// A sender (an organisation from the client certificate, and for messages the sending system's
// MessageHeader.source.endpoint) gets the inbound rules of every partner entry that names it
// or "*". `ownVocabulary` lists the maps whose source codes are the partner's own words: they
// are added back beside the canonical codes when the partner reads.
//
// Immutable after parse(); safe to share between threads.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace sp::mapping {

// "Task.businessStatus" as the resource type and the member names below it.
struct ElementPath {
  std::string text;
  std::string resourceType;
  std::vector<std::string> steps;
};

// Throws MapError unless `text` is "Type.member(.member)*" with FHIR-style names.
ElementPath parseElementPath(const std::string& text);

struct InboundRule {
  std::string conceptMap;  // canonical URL
  ElementPath element;     // a CodeableConcept or Coding element
  // When set: a match in `setsCodeSystem` sets this code element (directly under the resource)
  // instead of adding a coding; e.g. a partner's status word sets Task.status.
  ElementPath setsCode;
  std::string setsCodeSystem;
  bool hasSetsCode() const { return !setsCode.text.empty(); }
  // "refuse": a code of this partner the map cannot translate is refused (422); otherwise it
  // is kept as sent, with a warning in the answer (liberal in: the default).
  bool refusesUnmapped = false;
};

struct OutboundRule {
  std::string conceptMap;
  ElementPath element;
};

struct Partner {
  std::string id;
  std::string description;
  std::vector<std::string> organisations;
  std::vector<std::string> endpoints;
  std::vector<InboundRule> inbound;
  std::vector<OutboundRule> ownVocabulary;
};

// Who sent (or reads) a resource.
struct Sender {
  std::string organisation;  // ODS code from the client certificate; empty when unknown
  std::string endpoint;      // MessageHeader.source.endpoint ("system|value"); empty when none
};

class PartnerConfig {
 public:
  // Throws MapError listing every problem (unknown members, missing ids, duplicate ids, bad
  // element paths, empty organisation codes, a partner that names nobody).
  static PartnerConfig parse(const rapidjson::Value& json);

  const std::vector<Partner>& partners() const { return partners_; }
  // The entries that apply to `sender`, in file order ("*" entries apply to everyone).
  std::vector<const Partner*> partnersFor(const Sender& sender) const;

 private:
  std::vector<Partner> partners_;
};

}  // namespace sp::mapping
