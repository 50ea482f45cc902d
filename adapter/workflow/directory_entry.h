// What a Directory of Services entry (HealthcareService) lacks of the details the hub keeps on
// top of R4: capacity, governance tier and the date it was last reviewed (docs/workflow.md,
// "Directory entries"). Entries without them are accepted and held for what they are: capacity
// unknown (never found by has-capacity=true, never refused for want of a place), not yet
// assured (no tier), never reviewed; the hub tags them hub-derived `directory-unassured` until
// the directory team completes them. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

#include "fhir/errors.h"

namespace sp::workflow {

struct DirectoryGaps {
  bool capacityUnknown = false;  // no capacity extension
  bool unassured = false;        // no governance-tier extension
  bool neverReviewed = false;    // no last-reviewed extension
  bool any() const { return capacityUnknown || unassured || neverReviewed; }
};

DirectoryGaps directoryGaps(const rapidjson::Value& service);

// "capacity unknown, not yet assured, never reviewed": the gaps as people read them, in that
// order; "" when there is none.
std::string describeGaps(const DirectoryGaps& gaps);

// A full update (PUT) that does not carry one of the hub's details the stored entry has
// (capacity, governance tier, review date) keeps the stored one: a partner's system may not
// know the project's extensions, and places held by Tasks must not be lost. A PATCH, which
// applies to the stored entry, removes a detail on purpose. Copies the missing extensions from
// `stored` into `incoming` and returns their names ("capacity", "governance-tier",
// "last-reviewed"), in that order.
std::vector<std::string> keepDirectoryDetails(const rapidjson::Value& stored,
                                              rapidjson::Document& incoming);

// Tags an incomplete entry `directory-unassured` (workflow/derived.h) and returns the
// informational issue for the answer; removes the tag from a complete one and returns nothing.
std::optional<fhir::Issue> markDirectoryGaps(rapidjson::Document& service);

}  // namespace sp::workflow
