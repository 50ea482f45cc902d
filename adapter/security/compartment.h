// The compartment by organisation: which organisations may see a record, derived from the work
// records (ServiceRequest, Task) when they are written.
//
// A ServiceRequest is seen by its requester and its performers (an organisation directly, or the
// organisation providing a HealthcareService); a Task by its requester (or the organisation that
// created it) and its owner; a Communication by its sender and recipients. Each of them also sees
// what the work record references (Patient, QuestionnaireResponse, Consent, Observation, the
// ServiceRequest a Task is about...). Whoever creates a record sees it too. A record labelled
// restricted (meta.security code R) is seen only by the requester and the owner of the work and by
// its creator, not by a mere performer nor through the pool. How these parties become grants,
// what an owner gains by taking a Task on and when access ends is security/access_rule.h; the
// pool's grant is withdrawn when a Task is claimed. Organisations behind references come from
// workflow's OrganisationResolver (the same rules the Task workflow uses). Pure apart from the
// resolver.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "workflow/actor.h"

namespace sp::security {

// Why an organisation may see a record: the strings the access grants store.
inline constexpr const char* kCreator = "creator";
inline constexpr const char* kRequester = "requester";
inline constexpr const char* kOwner = "owner";
inline constexpr const char* kPerformer = "performer";
// A Task without an owner is in the pool: every partner may find it (not what it references)
// until one claims it. Its grant names no organisation but this one.
inline constexpr const char* kPool = "pool";
inline constexpr const char* kAnyOrganisation = "*";

struct Party {
  std::string odsCode;
  std::string basis;  // kRequester, kOwner or kPerformer
  bool operator<(const Party& o) const {
    return odsCode < o.odsCode || (odsCode == o.odsCode && basis < o.basis);
  }
};

// True for a Task that has no owner yet (a pool Task).
bool inPool(const std::string& type, const rapidjson::Value& resource);

// The organisations doing the work a ServiceRequest, Task or Communication describes (empty for
// other types).
std::vector<Party> partiesOf(const std::string& type, const rapidjson::Value& resource,
                             workflow::OrganisationResolver& resolver);

struct RecordKey {
  std::string type;
  std::string id;
  bool operator<(const RecordKey& o) const {
    return type < o.type || (type == o.type && id < o.id);
  }
};

// The records a resource references literally ("Patient/1", also absolute URLs of this form),
// anywhere in it; directory and shared resources are left out (everyone reads them).
std::vector<RecordKey> referencedRecords(const rapidjson::Value& resource);

// True when meta.security has the code R (restricted) of the v3 Confidentiality system.
bool isRestricted(const rapidjson::Value& resource);

}  // namespace sp::security
