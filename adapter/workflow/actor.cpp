#include "workflow/actor.h"

#include "fhir/json.h"
#include "workflow/references.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {

std::string Actor::describe() const {
  switch (kind) {
    case Kind::kOrganisation:
      return "organisation " + odsCode;
    case Kind::kUnchecked:
      return "an unidentified caller";
    case Kind::kAdapter:
      return "the adapter";
  }
  return "";
}

std::string creatorOf(const rapidjson::Value& task) {
  const rapidjson::Value* meta = fhir::findMember(task, "meta");
  if (!meta) return "";
  for (const rapidjson::Value* tag : elements(*meta, "tag")) {
    if (fhir::getString(*tag, "system") == kCreatedByTagSystem) {
      return fhir::getString(*tag, "code");
    }
  }
  return "";
}

Roles rolesOf(const Actor& actor, const rapidjson::Value& task, OrganisationResolver& resolver) {
  if (!actor.checked()) return Roles::all();
  Roles roles;
  const std::string creator = creatorOf(task);
  roles.creator = !creator.empty() && creator == actor.odsCode;
  roles.requester =
      roles.creator ||
      resolver.organisationsOf(fhir::findMember(task, "requester")).count(actor.odsCode) > 0;
  roles.owner = resolver.organisationsOf(fhir::findMember(task, "owner")).count(actor.odsCode) > 0;
  // A Task made before the adapter stamped its creator: its requester stands in.
  if (creator.empty()) roles.creator = roles.requester;
  return roles;
}

}  // namespace sp::workflow
