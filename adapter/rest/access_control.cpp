#include "rest/access_control.h"

#include <deque>
#include <set>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/organisation_resolver.h"
#include "security/access_policy.h"
#include "security/access_rule.h"
#include "security/compartment.h"
#include "workflow/references.h"

namespace sp::rest {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;
using security::Action;

Action actionOf(Interaction interaction) {
  switch (interaction) {
    case Interaction::kRead:
    case Interaction::kVread:
      return Action::kRead;
    case Interaction::kSearchType:
    case Interaction::kSearchSystem:
      return Action::kSearch;
    case Interaction::kHistoryInstance:
    case Interaction::kHistoryType:
    case Interaction::kHistorySystem:
      return Action::kHistory;
    case Interaction::kCreate:
      return Action::kCreate;
    case Interaction::kUpdate:
    case Interaction::kConditionalUpdate:
    case Interaction::kPatch:
      return Action::kUpdate;
    case Interaction::kDelete:
      return Action::kDelete;
    default:
      return Action::kOperation;
  }
}

bool namesOneResource(Interaction interaction) {
  switch (interaction) {
    case Interaction::kRead:
    case Interaction::kVread:
    case Interaction::kHistoryInstance:
    case Interaction::kUpdate:
    case Interaction::kPatch:
    case Interaction::kDelete:
      return true;
    default:
      return false;
  }
}

store::AccessFilter filterFor(const security::Caller& caller) {
  return store::AccessFilter{caller.odsCode, security::openTypes()};
}

[[noreturn]] void notFound(const Route& route) {
  throw FhirError(ErrorKind::kNotFound, "not-found", route.type + "/" + route.id + " not found");
}

}  // namespace

void authoriseInteraction(const ApiContext&, store::StoreTransaction& tx, const Route& route,
                          InteractionInput& in) {
  const Action action = actionOf(route.interaction);
  security::requireAllowed(in.caller, action, route.type);
  if (!in.caller.checked()) return;
  // Search and history filter whatever they return (an _include from the directory too).
  in.access = filterFor(in.caller);
  if (!route.type.empty() && security::seesAll(in.caller, route.type)) {
    if (route.interaction == Interaction::kDelete &&
        !security::mayDelete(in.caller, route.type, false)) {
      throw FhirError(ErrorKind::kForbidden, "forbidden",
                      "Only the directory administrator deletes " + route.type);
    }
    return;
  }
  if (!namesOneResource(route.interaction)) return;
  const bool changes = action == Action::kUpdate || action == Action::kDelete;
  // Who may change a Task is the workflow's rule (requester, owner, creator, a pool claim).
  if (route.type == "Task" && action == Action::kUpdate) return;
  const bool exists = tx.current(route.type, route.id, false).has_value();
  // PUT to a new id creates the resource: nothing to hide yet.
  if (route.interaction == Interaction::kUpdate && !exists) return;
  if (!exists) notFound(route);
  if (!tx.visible(route.type, route.id, *in.access)) {
    if (!changes) notFound(route);
    throw FhirError(
        ErrorKind::kForbidden, "forbidden",
        "Organisation " + in.caller.odsCode + " may not change " + route.type + "/" + route.id);
  }
  if (route.interaction == Interaction::kDelete &&
      !security::mayDelete(
          in.caller, route.type,
          tx.hasGrant(route.type, route.id, in.caller.odsCode, security::kCreator))) {
    throw FhirError(
        ErrorKind::kForbidden, "forbidden",
        "Only the organisation that created " + route.type + "/" + route.id + " may delete it");
  }
}

void authoriseWrite(store::StoreTransaction& tx, const std::string& type,
                    const rapidjson::Value& resource, const rapidjson::Value* before,
                    const InteractionInput& in) {
  const security::Caller& caller = in.caller;
  if (!caller.checked()) return;
  const bool created = !before;
  // A GP practice refers for itself; the hub and the services also record referrals they
  // received from others.
  if (type == "ServiceRequest" && caller.role == security::Role::kGpPractice &&
      (created || workflow::referenceKey(fhir::findMember(resource, "requester")) !=
                      workflow::referenceKey(fhir::findMember(*before, "requester")))) {
    // A requester that is a person (a self-referral) names no organisation.
    StoreOrganisationResolver resolver(tx);
    const auto requesters = resolver.organisationsOf(fhir::findMember(resource, "requester"));
    if (!requesters.empty() && requesters.count(caller.odsCode) == 0) {
      throw FhirError(
          ErrorKind::kForbidden, "forbidden",
          "A referral's requester must be the caller's own organisation (" + caller.odsCode + ")",
          "ServiceRequest.requester");
    }
  }
  if (security::categoryOf(type) == security::Category::kDirectory &&
      caller.role != security::Role::kDirectoryAdministrator) {
    // requireAllowed let this through only as an update of a service the caller may provide.
    StoreOrganisationResolver resolver(tx);
    const bool ownsNew =
        resolver.organisationsOf(fhir::findMember(resource, "providedBy")).count(caller.odsCode) >
        0;
    const bool ownedBefore =
        before &&
        resolver.organisationsOf(fhir::findMember(*before, "providedBy")).count(caller.odsCode) > 0;
    if (!ownsNew || !ownedBefore) {
      throw FhirError(ErrorKind::kForbidden, "forbidden",
                      "Organisation " + caller.odsCode +
                          " may update only the services it provides, and may not give them away");
    }
  }
}

void grantAccess(store::StoreTransaction& tx, const std::string& type, const std::string& id,
                 const rapidjson::Value& resource,
                 const std::optional<store::ResourceVersion>& previous,
                 const rapidjson::Value* before, const InteractionInput& in) {
  if (security::categoryOf(type) != security::Category::kRecord) return;
  const bool created = !previous || previous->deleted;
  std::vector<store::AccessGrant> grants;
  if (in.caller.checked() && created) {
    grants.push_back({type, id, in.caller.odsCode, security::kCreator, ""});
  }
  if (type == "ServiceRequest" || type == "Task" || type == "Communication") {
    // The records the rule reads besides this one: the previous version, the referral and the
    // Tasks this one is part of (security/access_rule.h).
    std::deque<rapidjson::Document> held;  // keeps its elements in place as it grows
    const auto load = [&](const std::string& t, const std::string& i) -> const rapidjson::Value* {
      const auto version = tx.current(t, i, false);
      if (!version || version->deleted || version->body.empty()) return nullptr;
      held.emplace_back();
      fhir::parseJson(version->body, held.back());
      return &held.back();
    };
    security::WorkContext context;
    if (!created) context.before = before;
    const std::string referral = security::referralKeyOf(type, id, resource);
    if (type == "ServiceRequest") {
      context.referral = &resource;
    } else if (!referral.empty()) {
      const auto key = workflow::parseReference(referral);
      context.referral = load(key.type, key.id);
    }
    for (const auto& parent : security::earlierTaskKeys(type, resource)) {
      if (const rapidjson::Value* task = load(parent.type, parent.id)) {
        context.earlierTasks.push_back(task);
      }
    }
    // Whoever makes a referral is on its requesting side, also for a self-referral.
    if (type == "ServiceRequest" && in.caller.checked() && created) {
      context.moreParties.push_back({in.caller.odsCode, security::kRequester});
    }
    const std::string via = referral.empty() ? type + "/" + id : referral;
    context.ended = tx.accessEnded(via);
    StoreOrganisationResolver resolver(tx);
    security::AccessChange change = security::accessChange(type, id, resource, context, resolver);
    if (security::inPool(type, resource)) {
      grants.push_back({type, id, security::kAnyOrganisation, security::kPool, ""});
    } else if (type == "Task" && !created) {
      tx.revokeAccess({type, id, security::kAnyOrganisation, security::kPool, ""});
    }
    for (const std::string& organisation : change.resume) tx.resumeAccess(change.via, organisation);
    for (const std::string& organisation : change.end) tx.endAccess(change.via, organisation);
    grants.insert(grants.end(), change.grants.begin(), change.grants.end());
  }
  tx.grantAccess(grants);
}

}  // namespace sp::rest
