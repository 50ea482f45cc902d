// Who makes a change, and what that party is to a Task.
//
// The acting party is an organisation, named by its ODS code (derived from the caller,
// security::Caller, by services/workflow_support.h's actorOf). References in a
// Task name organisations in several ways; an OrganisationResolver turns each into the ODS
// codes behind it, so the comparison with the caller is one rule:
//
//   {"identifier": {"system": ODS, "value": X}}  -> X (a logical reference needs no lookup)
//   Organization/<id>                             -> the Organization's ODS identifiers
//   PractitionerRole/<id>                         -> its organization, resolved again
//   HealthcareService/<id>                        -> its providedBy, resolved again
//   Practitioner/<id>                             -> the organization of every PractitionerRole
//                                                    naming them, resolved again
//   anything else (Patient, Device, ...)          -> nothing
//
// A reference with both a literal reference and an ODS identifier yields both.
#pragma once

#include <rapidjson/document.h>

#include <set>
#include <string>

#include "workflow/task_status.h"

namespace sp::workflow {

struct Actor {
  enum class Kind {
    kOrganisation,  // a partner system: moves are checked against its roles
    kUnchecked,     // no identity (plain HTTP in development): roles are not checked
    kAdapter,       // the adapter's own follow-on changes (handover, expiry)
  };
  Kind kind = Kind::kUnchecked;
  std::string odsCode;  // kOrganisation only

  static Actor organisation(std::string ods) { return {Kind::kOrganisation, std::move(ods)}; }
  static Actor unchecked() { return {Kind::kUnchecked, ""}; }
  static Actor adapter() { return {Kind::kAdapter, ""}; }
  bool checked() const { return kind == Kind::kOrganisation; }
  std::string describe() const;  // "organisation A81001", "an unidentified caller", ...
};

// Turns a Reference into the ODS codes of the organisations behind it (see above).
// Implementations read the store; they are used by one request at a time.
class OrganisationResolver {
 public:
  virtual ~OrganisationResolver() = default;
  virtual std::set<std::string> organisationsOf(const rapidjson::Value* reference) = 0;
};

// The ODS code the adapter stamped on the Task when it was created (meta.tag), or "".
std::string creatorOf(const rapidjson::Value& task);

// What `actor` is to `task`: requester (its requester's organisation, or the Task's creator),
// owner (its owner's organisation), creator. Unchecked and adapter actors hold every role.
Roles rolesOf(const Actor& actor, const rapidjson::Value& task, OrganisationResolver& resolver);

}  // namespace sp::workflow
