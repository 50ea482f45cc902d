// Partner codes in and out: the pure functions the write path and the read path call.
//
// Inbound (a partner writes): identifier system spellings become canonical (for every sender),
// then each inbound rule of the sender's partner entries translates the codes at its element.
// The canonical coding is ADDED beside the partner's coding, which is kept:
//   - CodeableConcept elements get the canonical coding appended to `coding`. A canonical coding
//     already there that contradicts the translation of the partner's coding is replaced (the
//     codings of one CodeableConcept mean one concept, and the sender's own word is what it
//     changed last).
//   - Coding elements (MessageHeader.eventCoding) hold one coding: the partner's stays, and the
//     canonical one goes into the extension kCanonicalCodingExtension on it.
//   - A rule with setsCode sets that code element (Task.status) from the match in its system.
// Equivalence: equivalent/equal translate silently; wider, narrower, inexact (and relatedto,
// subsumes, specializes) translate with an informational issue; unmatched and disjoint do not
// translate. A code with no translation, or with several different ones in one target system
// (ambiguous), is unmapped: a warning, or a refusal when the map's policy is `refuse`. Targets
// with dependsOn hold only when the resource itself (or `extra`) has the value named.
//
// Outbound (a partner reads): for each ownVocabulary rule, the partner's own coding is added
// beside each canonical coding by the reverse map, replacing a different coding of the
// partner's system (inside, the canonical code is authoritative).
//
// Thread safety: pure functions over an immutable MappingSet.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <vector>

#include "fhir/errors.h"
#include "fhir/project_urls.h"
#include "mapping/mapping_set.h"
#include "mapping/translate.h"

namespace sp::mapping {

using fhir::kCanonicalCodingExtension;

struct Normalisation {
  std::vector<fhir::Issue> notes;     // information and warnings, for the caller
  std::vector<fhir::Issue> refusals;  // codes a refusing map does not translate (errors)
};

// Normalises `resource` (a whole resource; its resourceType selects the rules) as sent by
// `sender`. For a MessageHeader without a sender endpoint, its own source.endpoint is used.
// `asRead`, when given, is the version the sender is changing as it read it (presentTo applied):
// a partner coding it still holds at the same place is what it was shown, not what it changed,
// so it is not translated again. A client that reads, changes one thing and writes back changes
// exactly that (a Task's new status is not overridden by the status word it read).
Normalisation normaliseInbound(const MappingSet& set, rapidjson::Document& resource,
                               const Sender& sender, const Dependencies* extra = nullptr,
                               const rapidjson::Value* asRead = nullptr);

// Adds `reader`'s own codings to `resource`; returns how many codings were added or replaced.
int presentTo(const MappingSet& set, rapidjson::Document& resource, const Sender& reader);

// The reverse translation of a canonical concept into the source vocabulary of `map`: the one
// source concept it comes from, or the one exact one among several; nullopt when there is none
// or it is ambiguous.
std::optional<Concept> ownWordFor(const ConceptMap& map, const Concept& canonical);

}  // namespace sp::mapping
