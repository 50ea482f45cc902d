// One Open Referral UK service as FHIR R4: a HealthcareService, the Organization that provides
// it and the Locations it is delivered at (docs/directory-feeds.md has the field-by-field
// table). ORUK 3.0 list items and fully nested `/services/{id}` bodies, and ORUK v1 list items.
//
// References between the three are logical (Reference.identifier under the feed's identifier
// systems): the caller that stores them fills in `reference` once it knows the ids. A service
// that breaks the UK schema where the hub depends on it (no id, no name, an unknown status, a
// field of the wrong type, an email or URL that is not one) is refused with every problem, each
// located from `where` (`contents[3].name`); what the hub drops or cannot hold comes back as
// warnings. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

#include "fhir/errors.h"
#include "mapping/concept_map.h"
#include "mapping/oruk_feed.h"

namespace sp::mapping {

// The ConceptMaps a feed names, loaded (null: none).
struct TaxonomyMaps {
  const ConceptMap* category = nullptr;
  const ConceptMap* cohort = nullptr;
  const ConceptMap* access = nullptr;
};

struct MappedService {
  std::string orukId;  // the service's id in the feed
  rapidjson::Document service;
  std::optional<rapidjson::Document> organization;
  std::vector<rapidjson::Document> locations;
  std::vector<fhir::Issue> issues;  // errors (the service is refused) and warnings
  bool refused() const;
};

// The identifier system a taxonomy term's coding gets: the term's `taxonomy` when it is an
// absolute URI, otherwise <project base>/oruk-taxonomy/<taxonomy> ("" when no taxonomy).
std::string taxonomySystem(const std::string& taxonomy);

MappedService mapOrukService(const rapidjson::Value& item, const OrukFeed& feed,
                             const TaxonomyMaps& maps, const std::string& where);

// The extension that keeps the feed's `last_modified` (valueInstant).
inline constexpr const char* kSourceLastModifiedExtension =
    "https://fhir.social-prescribing.example.org/StructureDefinition/source-last-modified";

}  // namespace sp::mapping
