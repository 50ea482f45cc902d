#include "rest/workflow_rules.h"

#include <iostream>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/capacity_refusal.h"
#include "rest/implicit_acceptance_rule.h"
#include "rest/resource_write.h"
#include "search/query_parser.h"
#include "store/search_request.h"
#include "workflow/capacity.h"
#include "workflow/handover.h"
#include "workflow/references.h"
#include "workflow/referral.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;
using fhir::Issue;
using fhir::Severity;
using workflow::Actor;
using workflow::TaskStatus;

namespace {

// How far back a walk through references or versions may go before giving up.
constexpr int kMaxChain = 10;
constexpr int kMaxVersionsBack = 50;

// A resource read from the store and parsed.
struct Loaded {
  store::ResourceVersion version;
  rapidjson::Document doc;
};

std::unique_ptr<Loaded> load(store::StoreTransaction& tx, const std::string& type,
                             const std::string& id, bool forUpdate) {
  if (id.empty()) return nullptr;
  auto v = tx.current(type, id, forUpdate);
  if (!v || v->deleted || v->body.empty()) return nullptr;
  auto loaded = std::make_unique<Loaded>();
  loaded->version = std::move(*v);
  fhir::parseJson(loaded->version.body, loaded->doc);
  return loaded;
}

std::unique_ptr<rapidjson::Document> parsePrevious(
    const std::optional<store::ResourceVersion>& previous) {
  if (!previous || previous->deleted || previous->body.empty()) return nullptr;
  auto doc = std::make_unique<rapidjson::Document>();
  fhir::parseJson(previous->body, *doc);
  return doc;
}

rapidjson::Document copyOf(const rapidjson::Value& value) {
  rapidjson::Document doc;
  doc.CopyFrom(value, doc.GetAllocator());
  return doc;
}

// Writes a version the workflow made itself: validated and indexed like any write, but
// without the workflow's write rules, whose effects the caller applies explicitly; only the
// follow-on rules (delivery: partners hear of it) run.
store::ResourceVersion writeFollowOn(const ApiContext& api, store::StoreTransaction& tx,
                                     const std::string& type, const std::string& id,
                                     rapidjson::Document& resource,
                                     const std::optional<store::ResourceVersion>& previous,
                                     const std::string& method) {
  ApiContext bare = api;
  bare.rules = api.followOnRules;
  InteractionInput in;
  InteractionResult result;
  writeVersion(bare, tx, type, id, resource, previous, method, in, result);
  return *result.version;
}

void setString(rapidjson::Document& doc, const char* name, const std::string& value) {
  fhir::setMember(doc, name, fhir::makeString(value, doc.GetAllocator()), doc.GetAllocator());
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  return fhir::findMember(object, name);
}

workflow::LocalReference firstPartOf(const rapidjson::Value& task) {
  for (const rapidjson::Value* ref : workflow::elements(task, "partOf")) {
    const auto local = workflow::localReference(ref);
    if (local.type == "Task") return local;
  }
  return {};
}

bool intersects(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const auto& x : a) {
    if (b.count(x)) return true;
  }
  return false;
}

// The Task that holds a referral now: the adapter's Task for it, followed through accepted
// warm handovers (a Task completed as handed over names its successor in output). "" if none.
std::string holderTaskOf(store::StoreTransaction& tx, const std::string& serviceRequestId) {
  std::string id = workflow::referralTaskId(serviceRequestId);
  for (int step = 0; step < kMaxChain; ++step) {
    auto task = load(tx, "Task", id, false);
    if (!task) return "";
    if (workflow::statusOf(task->doc) != TaskStatus::kCompleted ||
        workflow::businessStatusOf(task->doc) != workflow::kHandedOver) {
      return id;
    }
    std::string next;
    for (const rapidjson::Value* output : workflow::elements(task->doc, "output")) {
      const auto ref = workflow::localReference(member(*output, "valueReference"));
      if (ref.type == "Task") next = ref.id;
    }
    if (next.empty()) return id;
    id = next;
  }
  return "";
}

// The HealthcareService whose places a Task uses: its owner when that is a HealthcareService;
// otherwise, for a referral Task, the HealthcareService performing the referral it acts on.
std::string serviceOfTask(store::StoreTransaction& tx, const rapidjson::Value& task) {
  const auto owner = workflow::localReference(member(task, "owner"));
  if (owner.type == "HealthcareService") return owner.id;
  if (workflow::isWarmHandover(task)) return "";
  const auto focus = workflow::localReference(member(task, "focus"));
  if (focus.type != "ServiceRequest") return "";
  auto referral = load(tx, "ServiceRequest", focus.id, false);
  if (!referral) return "";
  const auto performer = workflow::localReference(workflow::firstPerformer(referral->doc));
  return performer.type == "HealthcareService" ? performer.id : "";
}

std::string joined(const std::set<std::string>& values, const char* separator) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : separator) + v;
  return out;
}

// What a refusal at `serviceId` is about: the referral (its id) and what was refused.
store::CapacityRefusal refusalAt(const ApiContext& api, const std::string& serviceId,
                                 const std::string& referralId, const char* refused) {
  store::CapacityRefusal r;
  r.atMillis = std::chrono::duration_cast<std::chrono::milliseconds>(
                   api.clock.now().time_since_epoch())
                   .count();
  r.serviceId = serviceId;
  r.referralId = referralId;
  r.refused = refused;
  return r;
}

// The 409 for a service without a free place: why, the alternatives, and where to find more;
// recorded as `refusal` (rest/capacity_refusal.h).
CapacityRefused noRoomError(const ApiContext& api, store::StoreTransaction& tx,
                            const std::string& serviceId, const rapidjson::Value& service,
                            const workflow::Capacity& capacity, const rapidjson::Value* referral,
                            const std::string& patientId, const std::string& what,
                            const std::string& expression, std::size_t limit,
                            store::CapacityRefusal refusal) {
  std::vector<Issue> issues;
  const std::string name = fhir::getString(service, "name");
  issues.push_back({Severity::kError, "business-rule",
                    "HealthcareService/" + serviceId + (name.empty() ? "" : " (" + name + ")") +
                        " has no free place (" + workflow::describeCapacity(capacity) +
                        "): " + what + " is refused at once, not queued. Choose another service",
                    expression});
  const workflow::PersonNeeds person = personNeeds(tx, referral, patientId);
  const auto alternatives = findAlternatives(api, tx, serviceId, service, person, limit);
  for (const auto& alternative : alternatives) {
    issues.push_back(
        {Severity::kInformation, "informational",
         "Alternative with a free place: " + workflow::describeAlternative(alternative), ""});
  }
  if (alternatives.empty()) {
    issues.push_back({Severity::kInformation, "informational",
                      "No other active service of the same kind that serves this person's "
                      "cohort and area has a free place now",
                      ""});
  }
  std::string link = "HealthcareService/$alternatives?service=" + serviceId;
  if (!patientId.empty()) link += "&patient=" + patientId;
  if (!person.cohorts.empty()) link += "&cohort=" + joined(person.cohorts, ",");
  issues.push_back(
      {Severity::kInformation, "informational", "Alternatives, nearest first: GET " + link, ""});
  return CapacityRefused(FhirError(ErrorKind::kConflict, std::move(issues)), std::move(refusal));
}

std::string patientIdOf(const rapidjson::Value* reference) {
  const auto local = workflow::localReference(reference);
  return local.type == "Patient" ? local.id : "";
}

// The businessStatus T1 had before it began to wait for a handover (null when it had none).
std::unique_ptr<rapidjson::Document> businessStatusBeforeHandover(store::StoreTransaction& tx,
                                                                  const std::string& t1Id,
                                                                  std::int64_t currentVersion) {
  for (std::int64_t v = currentVersion - 1; v >= 1 && v >= currentVersion - kMaxVersionsBack; --v) {
    auto version = tx.version("Task", t1Id, v);
    if (!version || version->deleted || version->body.empty()) continue;
    rapidjson::Document doc;
    fhir::parseJson(version->body, doc);
    if (workflow::businessStatusOf(doc) == workflow::kHandoverPending) continue;
    const rapidjson::Value* status = member(doc, "businessStatus");
    if (!status) return nullptr;
    return std::make_unique<rapidjson::Document>(copyOf(*status));
  }
  return nullptr;
}

// The effects of one Task move, in the transaction that makes it: places, the warm handover
// of the Task it is partOf, and the referral following its Task.
class TaskEffects {
 public:
  TaskEffects(const ApiContext& api, store::StoreTransaction& tx, const WorkflowSettings& settings,
              Actor actor)
      : api_(api), tx_(tx), settings_(settings), actor_(std::move(actor)), resolver_(tx) {}

  workflow::OrganisationResolver& resolver() { return resolver_; }

  void apply(const std::string& id, const rapidjson::Value* before, const rapidjson::Value& after) {
    const auto to = workflow::statusOf(after);
    if (!to) return;
    const auto from = before ? workflow::statusOf(*before) : std::nullopt;
    places(id, from, *to, after);
    if (workflow::isWarmHandover(after)) handover(id, from, *to, after);
    followReferral(from, *to, after);
  }

 private:
  void places(const std::string& id, std::optional<TaskStatus> from, TaskStatus to,
              const rapidjson::Value& task) {
    const auto effect = workflow::placeEffect(from, to);
    if (effect == workflow::PlaceEffect::kNone) return;
    const std::string serviceId = serviceOfTask(tx_, task);
    auto service = load(tx_, "HealthcareService", serviceId, true);
    if (!service) return;
    const auto capacity = workflow::readCapacity(service->doc);
    if (!capacity) return;
    workflow::Capacity next;
    if (effect == workflow::PlaceEffect::kTake) {
      if (!workflow::hasRoom(*capacity)) {
        const auto focus = workflow::localReference(member(task, "focus"));
        auto referral =
            focus.type == "ServiceRequest" ? load(tx_, "ServiceRequest", focus.id, false) : nullptr;
        throw noRoomError(api_, tx_, serviceId, service->doc, *capacity,
                          referral ? &referral->doc : nullptr, patientIdOf(member(task, "for")),
                          std::string(workflow::statusCode(to)) + " for Task/" + id, "Task.status",
                          settings_.alternativesInOutcome,
                          refusalAt(api_, serviceId, referral ? focus.id : "", "task"));
      }
      next = workflow::takePlace(*capacity);
    } else {
      next = workflow::giveBackPlace(*capacity);
    }
    workflow::writeCapacity(service->doc, next, service->doc.GetAllocator());
    writeFollowOn(api_, tx_, "HealthcareService", serviceId, service->doc, service->version, "PUT");
  }

  void handover(const std::string& t2Id, std::optional<TaskStatus> from, TaskStatus to,
                const rapidjson::Value& t2) {
    switch (workflow::handoverEvent(from, to)) {
      case workflow::HandoverEvent::kNone:
        return;
      case workflow::HandoverEvent::kStart:
        startHandover(t2Id, t2);
        return;
      case workflow::HandoverEvent::kAccept:
        resolveHandover(t2Id, t2, true);
        return;
      case workflow::HandoverEvent::kRevert:
        resolveHandover(t2Id, t2, false);
        return;
    }
  }

  void startHandover(const std::string& t2Id, const rapidjson::Value& t2) {
    // Without partOf (and none could be inferred) the sender's Task is not held here: the
    // handover is a plain request on the hub's side.
    const auto parent = firstPartOf(t2);
    if (parent.empty()) return;
    auto t1 = load(tx_, "Task", parent.id, true);
    if (!t1) {
      throw FhirError(ErrorKind::kUnprocessable, "business-rule",
                      "Task.partOf names " + parent.text() + ", which does not exist",
                      "Task.partOf");
    }
    workflow::HandoverStart start;
    start.t1Reference = parent.text();
    start.t1 = &t1->doc;
    start.t2 = &t2;
    start.actor = actor_;
    start.actorOnT1 = workflow::rolesOf(actor_, t1->doc, resolver_);
    if (actor_.checked()) {
      start.requesterIsT1Owner = intersects(resolver_.organisationsOf(member(t2, "requester")),
                                            resolver_.organisationsOf(member(t1->doc, "owner")));
    }
    workflow::checkHandoverStart(start);
    rapidjson::Document next = copyOf(t1->doc);
    workflow::markHandoverPending(next, "Task/" + t2Id, workflow::handoverDeadline(t2));
    writeTask(parent.id, *t1, next);
  }

  void resolveHandover(const std::string& t2Id, const rapidjson::Value& t2, bool accepted) {
    const auto parent = firstPartOf(t2);
    if (parent.empty()) return;
    auto t1 = load(tx_, "Task", parent.id, true);
    if (!t1 || workflow::pendingHandoverOf(t1->doc) != "Task/" + t2Id) return;
    rapidjson::Document next = copyOf(t1->doc);
    if (accepted) {
      workflow::markHandedOver(next, "Task/" + t2Id);
    } else {
      const auto previous = businessStatusBeforeHandover(tx_, parent.id, t1->version.versionId);
      workflow::revertHandover(next, "Task/" + t2Id,
                               std::string("was ") + fhir::getString(t2, "status"),
                               member(t2, "statusReason"), previous.get());
    }
    writeTask(parent.id, *t1, next);
  }

  // A Task changed by the adapter: kept elements maintained, written, and its own effects.
  void writeTask(const std::string& id, const Loaded& before, rapidjson::Document& next) {
    workflow::maintainTask(next, &before.doc, Actor::adapter(), api_.clock.now());
    writeFollowOn(api_, tx_, "Task", id, next, before.version, "PUT");
    apply(id, &before.doc, next);
  }

  void followReferral(std::optional<TaskStatus> from, TaskStatus to, const rapidjson::Value& task) {
    if (from == to) return;
    if (to != TaskStatus::kCompleted && to != TaskStatus::kCancelled) return;
    const auto focus = workflow::localReference(member(task, "focus"));
    if (focus.type != "ServiceRequest") return;
    // A sub-task of a Task with the same focus leaves the referral to its parent; a warm
    // handover is the exception: it takes the referral over.
    if (!workflow::isWarmHandover(task)) {
      if (const auto parent = firstPartOf(task); !parent.empty()) {
        auto parentTask = load(tx_, "Task", parent.id, false);
        if (parentTask &&
            workflow::localReference(member(parentTask->doc, "focus")).text() == focus.text()) {
          return;
        }
      }
    }
    auto referral = load(tx_, "ServiceRequest", focus.id, true);
    if (!referral) return;
    const auto next =
        workflow::followingStatus(task, from, to, fhir::getString(referral->doc, "status"));
    if (!next) return;
    setString(referral->doc, "status", *next);
    writeFollowOn(api_, tx_, "ServiceRequest", focus.id, referral->doc, referral->version, "PUT");
  }

  const ApiContext& api_;
  store::StoreTransaction& tx_;
  const WorkflowSettings& settings_;
  Actor actor_;
  StoreOrganisationResolver resolver_;
};

}  // namespace

std::vector<store::ResourceVersion> searchCurrent(const ApiContext& api,
                                                  store::StoreTransaction& tx,
                                                  const std::string& type, QueryParams params,
                                                  std::size_t max,
                                                  std::optional<store::AccessFilter> access) {
  std::vector<store::ResourceVersion> out;
  if (!api.indexer) return out;
  search::SearchLimits limits;
  limits.defaultCount = api.limits.maxPageSize;
  limits.maxCount = api.limits.maxPageSize;
  params.emplace_back("_count", std::to_string(api.limits.maxPageSize));
  store::SearchRequest request =
      search::parseSearch(type, params, *api.indexer, limits, false).request;
  request.access = std::move(access);
  request.reusePlan = true;  // the same few shapes on every write (store/search_request.h)
  for (;;) {
    store::SearchResult found = tx.search(request);
    for (auto& m : found.matches) {
      if (out.size() >= max) return out;
      out.push_back(std::move(m.version));
    }
    if (!found.hasMore || found.matches.empty()) return out;
    const store::SearchMatch& last = found.matches.back();
    request.cursor = store::Cursor{last.sortValues, last.version.type, last.version.id, false};
  }
}

// --- who -------------------------------------------------------------------------------

Actor CertificateActors::actorFor(const WriteContext& context) const {
  if (context.callerOrganisation.empty()) return Actor::unchecked();
  return Actor::organisation(context.callerOrganisation);
}

std::set<std::string> StoreOrganisationResolver::organisationsOf(
    const rapidjson::Value* reference) {
  return resolve(reference, 0);
}

std::set<std::string> StoreOrganisationResolver::resolve(const rapidjson::Value* reference,
                                                         int depth) {
  std::set<std::string> out;
  if (const auto ods = workflow::odsCodeOf(reference)) out.insert(*ods);
  const auto local = workflow::localReference(reference);
  if (local.empty() || depth > 3) return out;
  const std::string key = local.text();
  auto cached = cache_.find(key);
  if (cached == cache_.end()) {
    std::set<std::string> found;
    if (local.type == "Organization" || local.type == "PractitionerRole" ||
        local.type == "HealthcareService") {
      if (auto resource = load(tx_, local.type, local.id, false)) {
        if (local.type == "Organization") {
          found = workflow::odsIdentifiers(resource->doc);
        } else {
          const char* next = local.type == "PractitionerRole" ? "organization" : "providedBy";
          found = resolve(member(resource->doc, next), depth + 1);
        }
      }
    }
    cached = cache_.emplace(key, std::move(found)).first;
  }
  out.insert(cached->second.begin(), cached->second.end());
  return out;
}

// --- Task ------------------------------------------------------------------------------

class WorkflowRules::TaskRule : public WriteRule {
 public:
  TaskRule(const ActorSource& actors, const WorkflowSettings& settings)
      : actors_(actors), settings_(settings) {}

  void beforeWrite(rapidjson::Document& task, WriteContext& c) const override {
    if (!task.IsObject()) return;
    const auto before = parsePrevious(c.previous);
    const Actor actor = actors_.actorFor(c);
    const auto now = c.api.clock.now();
    workflow::maintainTask(task, before.get(), actor, now);
    if (!workflow::isWarmHandover(task)) return;
    if (!before && firstPartOf(task).empty()) inferHandedOverTask(task, c, actor);
    if (firstPartOf(task).empty()) return;  // the sender's Task is not held here
    const auto to = workflow::statusOf(task);
    const auto from = before ? workflow::statusOf(*before) : std::nullopt;
    if (to && workflow::handoverEvent(from, *to) == workflow::HandoverEvent::kStart) {
      workflow::setHandoverDeadline(task, now + settings_.handoverExpiry);
    } else if (const auto deadline = before ? workflow::handoverDeadline(*before) : std::nullopt) {
      workflow::setHandoverDeadline(task, *deadline);  // kept by the adapter
    }
  }

  void afterWrite(const store::ResourceVersion& written, WriteContext& c) const override {
    rapidjson::Document after;
    fhir::parseJson(written.body, after);
    const auto before = parsePrevious(c.previous);
    const Actor actor = actors_.actorFor(c);
    TaskEffects effects(c.api, c.tx, settings_, actor);
    auto& resolver = effects.resolver();

    workflow::TaskWrite w;
    w.reference = "Task/" + c.id;
    w.before = before.get();
    w.after = &after;
    w.actor = actor;
    w.rolesAfter = workflow::rolesOf(actor, after, resolver);
    w.rolesBefore = before ? workflow::rolesOf(actor, *before, resolver) : w.rolesAfter;
    if (before) w.handoverStillPending = handoverStillPending(c.tx, *before);
    workflow::checkTaskWrite(w);

    const auto to = workflow::statusOf(after);
    if (!to) return;
    const auto from = before ? workflow::statusOf(*before) : std::nullopt;
    if (before && workflow::isWarmHandover(after) && from &&
        workflow::handoverEvent(from, *to) == workflow::HandoverEvent::kAccept) {
      workflow::checkNotExpired(w.reference, *before, c.api.clock.now());
    }
    if (!before) checkNewTask(c, after, *to);
    effects.apply(c.id, before.get(), after);
  }

  const WorkflowSettings& settings() const { return settings_; }

 private:
  // A warm handover that names no Task in partOf hands over the Task that holds its referral,
  // when its requester's organisation owns that Task.
  void inferHandedOverTask(rapidjson::Document& task, WriteContext& c, const Actor& actor) const {
    const auto focus = workflow::localReference(member(task, "focus"));
    if (focus.type != "ServiceRequest") return;
    const std::string holder = holderTaskOf(c.tx, focus.id);
    auto t1 = load(c.tx, "Task", holder, false);
    if (!t1) return;
    if (actor.checked()) {
      StoreOrganisationResolver resolver(c.tx);
      if (!intersects(resolver.organisationsOf(member(task, "requester")),
                      resolver.organisationsOf(member(t1->doc, "owner")))) {
        return;
      }
    }
    auto& a = task.GetAllocator();
    rapidjson::Value partOf(rapidjson::kArrayType);
    partOf.PushBack(workflow::makeReference("Task/" + holder, a), a);
    fhir::setMember(task, "partOf", std::move(partOf), a);
    c.warnings.push_back({Severity::kInformation, "informational",
                          "Task.partOf set to Task/" + holder +
                              ", the Task that holds the referral: the person it hands over",
                          "Task.partOf"});
  }

  // False when `before` waits for a handover whose Task is gone or no longer pending.
  static bool handoverStillPending(store::StoreTransaction& tx, const rapidjson::Value& before) {
    if (workflow::businessStatusOf(before) != workflow::kHandoverPending) return true;
    const auto t2 = workflow::parseReference(workflow::pendingHandoverOf(before));
    auto handover = load(tx, "Task", t2.id, false);
    if (!handover) return false;
    const auto status = workflow::statusOf(handover->doc);
    return status && workflow::isPendingHandoverStatus(*status);
  }

  // A new Task: not a second Task for a referral that already has a live one made by the
  // adapter, and not for a service without a free place.
  void checkNewTask(WriteContext& c, const rapidjson::Value& task, TaskStatus status) const {
    const auto focus = workflow::localReference(member(task, "focus"));
    if (focus.type == "ServiceRequest" && !workflow::isWarmHandover(task) &&
        firstPartOf(task).empty()) {
      const std::string adapterTask = workflow::referralTaskId(focus.id);
      if (adapterTask != c.id) {
        auto existing = load(c.tx, "Task", adapterTask, false);
        const auto existingStatus = existing ? workflow::statusOf(existing->doc) : std::nullopt;
        if (existingStatus && workflow::isActive(*existingStatus) &&
            workflow::localReference(member(existing->doc, "focus")).text() == focus.text()) {
          throw FhirError(ErrorKind::kConflict, "duplicate",
                          focus.text() + " already has its Task, Task/" + adapterTask + " (" +
                              workflow::statusCode(*existingStatus) +
                              "), made by the adapter when the referral arrived: update that "
                              "Task, or name it in partOf to make a sub-task",
                          "Task.focus");
        }
      }
    }
    if (workflow::holdsPlace(status) || workflow::isFinished(status)) return;
    const std::string serviceId = serviceOfTask(c.tx, task);
    auto service = load(c.tx, "HealthcareService", serviceId, false);
    if (!service) return;
    const auto capacity = workflow::readCapacity(service->doc);
    if (!capacity || workflow::hasRoom(*capacity)) return;
    auto referral =
        focus.type == "ServiceRequest" ? load(c.tx, "ServiceRequest", focus.id, false) : nullptr;
    throw noRoomError(c.api, c.tx, serviceId, service->doc, *capacity,
                      referral ? &referral->doc : nullptr, patientIdOf(member(task, "for")),
                      "a new Task for it", "Task.owner", settings_.alternativesInOutcome,
                      refusalAt(c.api, serviceId, referral ? focus.id : "", "task"));
  }

  const ActorSource& actors_;
  const WorkflowSettings& settings_;
};

// --- ServiceRequest --------------------------------------------------------------------

class WorkflowRules::ServiceRequestRule : public WriteRule {
 public:
  ServiceRequestRule(const ActorSource& actors, const WorkflowSettings& settings)
      : actors_(actors), settings_(settings) {}

  // An onward referral that brings no supportingInfo shares the earlier referral's: the
  // person's story travels by reference and nobody types it again.
  void beforeWrite(rapidjson::Document& referral, WriteContext& c) const override {
    if (!referral.IsObject() || c.previous) return;
    const auto earlier = workflow::earlierReferral(referral);
    if (earlier.empty() || workflow::routeOf(referral) == workflow::kRouteReAccess) return;
    if (member(referral, "supportingInfo")) return;
    auto first = load(c.tx, "ServiceRequest", earlier.id, false);
    if (!first) return;
    const rapidjson::Value* story = member(first->doc, "supportingInfo");
    if (!story) return;
    rapidjson::Value copy;
    copy.CopyFrom(*story, referral.GetAllocator());
    fhir::setMember(referral, "supportingInfo", std::move(copy), referral.GetAllocator());
    c.warnings.push_back({Severity::kInformation, "informational",
                          "ServiceRequest.supportingInfo shared from " + earlier.text(),
                          "ServiceRequest.supportingInfo"});
  }

  void afterWrite(const store::ResourceVersion& written, WriteContext& c) const override {
    rapidjson::Document after;
    fhir::parseJson(written.body, after);
    const bool created = !c.previous || c.previous->deleted;
    if (created) checkEarlierReferral(c, after);
    if (workflow::wantsTask(after)) ensureTask(c, after);
  }

 private:
  static void checkEarlierReferral(WriteContext& c, const rapidjson::Value& referral) {
    const auto earlier = workflow::earlierReferral(referral);
    const bool reAccess = workflow::routeOf(referral) == workflow::kRouteReAccess;
    if (earlier.empty()) {
      if (!reAccess) return;
      throw FhirError(ErrorKind::kUnprocessable, "business-rule",
                      "A re-access referral points at the person's earlier referral (basedOn "
                      "or replaces a ServiceRequest)",
                      "ServiceRequest.basedOn");
    }
    auto first = load(c.tx, "ServiceRequest", earlier.id, false);
    if (!first) {
      // Like any reference, one to an earlier referral this server does not hold is taken as
      // written; only re-access depends on what the earlier referral says.
      if (!reAccess) return;
      throw FhirError(ErrorKind::kUnprocessable, "business-rule",
                      "A re-access referral points at the person's earlier referral, and " +
                          earlier.text() + " does not exist",
                      "ServiceRequest.basedOn");
    }
    if (workflow::referenceKey(member(first->doc, "subject")) !=
        workflow::referenceKey(member(referral, "subject"))) {
      throw FhirError(ErrorKind::kUnprocessable, "business-rule",
                      std::string(reAccess ? "A re-access" : "An onward") +
                          " referral is about the same person as " + earlier.text() +
                          ", the referral it points at",
                      "ServiceRequest.subject");
    }
    const std::string status = fhir::getString(first->doc, "status");
    if (reAccess && status != "completed") {
      throw FhirError(ErrorKind::kConflict, "business-rule",
                      "Re-access is for a person discharged from an earlier referral, and " +
                          earlier.text() + " is " + status +
                          ": refer onward from it, or wait until it is completed",
                      "ServiceRequest.basedOn");
    }
  }

  void ensureTask(WriteContext& c, const rapidjson::Value& referral) const {
    const std::string taskId = workflow::referralTaskId(c.id);
    const std::string referralRef = "ServiceRequest/" + c.id;
    const auto existing = c.tx.current("Task", taskId, false);
    if (existing && !existing->deleted) {
      rapidjson::Document task;
      fhir::parseJson(existing->body, task);
      if (workflow::localReference(member(task, "focus")).text() == referralRef) return;
      throw FhirError(ErrorKind::kConflict, "conflict",
                      "Task/" + taskId +
                          ", the id of this referral's Task, is taken by a Task "
                          "for something else",
                      "ServiceRequest");
    }
    // A Task the client made for this referral earlier in the same transaction stands.
    if (!searchCurrent(c.api, c.tx, "Task", {{"focus", referralRef}}, 1).empty()) return;
    const rapidjson::Value* performer = workflow::firstPerformer(referral);
    const auto target = workflow::localReference(performer);
    const rapidjson::Value* owner = performer;
    std::unique_ptr<Loaded> resolved;
    if (target.type == "HealthcareService") {
      // A service this server does not hold owns the Task itself, and has no places to count.
      resolved = load(c.tx, "HealthcareService", target.id, false);
      if (resolved) {
        const auto capacity = workflow::readCapacity(resolved->doc);
        if (capacity && !workflow::hasRoom(*capacity)) {
          throw noRoomError(c.api, c.tx, target.id, resolved->doc, *capacity, &referral,
                            patientIdOf(member(referral, "subject")), "the referral",
                            "ServiceRequest.performer[0]", settings_.alternativesInOutcome,
                            refusalAt(c.api, target.id, c.id, "referral"));
        }
        if (const auto* providedBy = member(resolved->doc, "providedBy")) owner = providedBy;
      }
    } else if (target.type == "PractitionerRole") {
      resolved = load(c.tx, "PractitionerRole", target.id, false);
      if (resolved) {
        if (const auto* organisation = member(resolved->doc, "organization")) owner = organisation;
      }
    }
    const Actor actor = actors_.actorFor(c);
    workflow::ReferralTaskSpec spec;
    spec.serviceRequestId = c.id;
    spec.serviceRequest = &referral;
    spec.owner = owner;
    spec.creatorOds = actor.checked() ? actor.odsCode : "";
    spec.now = c.api.clock.now();
    spec.partOf = referringTask(c, referral, actor);
    rapidjson::Document task = workflow::makeReferralTask(spec);
    writeFollowOn(c.api, c.tx, "Task", taskId, task, existing, "POST");
  }

  // An onward referral's Task is partOf the Task that holds the earlier referral, when the
  // caller's organisation owns that Task (the link worker who refers onward).
  static std::string referringTask(WriteContext& c, const rapidjson::Value& referral,
                                   const Actor& actor) {
    const auto earlier = workflow::earlierReferral(referral);
    if (earlier.empty() || workflow::routeOf(referral) == workflow::kRouteReAccess) return "";
    const std::string holder = holderTaskOf(c.tx, earlier.id);
    auto task = load(c.tx, "Task", holder, false);
    if (!task) return "";
    const auto status = workflow::statusOf(task->doc);
    if (!status || !workflow::isActive(*status)) return "";
    if (actor.checked()) {
      StoreOrganisationResolver resolver(c.tx);
      if (!resolver.organisationsOf(member(task->doc, "owner")).count(actor.odsCode)) return "";
    }
    return "Task/" + holder;
  }

  const ActorSource& actors_;
  const WorkflowSettings& settings_;
};

// --- HealthcareService -----------------------------------------------------------------

class WorkflowRules::HealthcareServiceRule : public WriteRule {
 public:
  // A full update (PUT) keeps the stored free places, moved by any change in total: places
  // are taken and given back by Tasks, and a client's copy may be stale. PATCH sets them.
  void beforeWrite(rapidjson::Document& service, WriteContext& c) const override {
    if (c.method != "PUT" || !service.IsObject()) return;
    const auto before = parsePrevious(c.previous);
    if (!before) return;
    const auto stored = workflow::readCapacity(*before);
    const auto incoming = workflow::readCapacity(service);
    if (!stored || !incoming) return;
    bool changed = false;
    const auto kept = workflow::reconcileCapacity(*stored, *incoming, false, changed);
    if (!changed) return;
    workflow::writeCapacity(service, kept, service.GetAllocator());
    c.warnings.push_back({Severity::kWarning, "business-rule",
                          "HealthcareService/" + c.id +
                              ": free places are kept by the adapter as Tasks are "
                              "accepted and finished, so this update keeps " +
                              std::to_string(kept.free) + " of " + std::to_string(kept.total) +
                              " free rather than " + std::to_string(incoming->free) +
                              "; use PATCH to set free places explicitly",
                          "HealthcareService.extension"});
  }
};

// --- WorkflowRules ---------------------------------------------------------------------

WorkflowRules::WorkflowRules(const ActorSource& actors, WorkflowSettings settings)
    : actors_(actors),
      settings_(settings),
      task_(std::make_unique<TaskRule>(actors_, settings_)),
      serviceRequest_(std::make_unique<ServiceRequestRule>(actors_, settings_)),
      service_(std::make_unique<HealthcareServiceRule>()) {}

WorkflowRules::~WorkflowRules() = default;

void WorkflowRules::registerIn(WriteRules& rules) const {
  rules.add("Task", &implicitAcceptance_);  // first: the Task rule then judges the step's successor
  rules.add("Task", task_.get());
  rules.add("ServiceRequest", serviceRequest_.get());
  rules.add("HealthcareService", service_.get());
}

bool WorkflowRules::expireHandover(const ApiContext& api, store::StoreTransaction& tx,
                                   const std::string& t2Id) const {
  auto t2 = load(tx, "Task", t2Id, true);
  if (!t2 || !workflow::isWarmHandover(t2->doc)) return false;
  const auto status = workflow::statusOf(t2->doc);
  const auto deadline = workflow::handoverDeadline(t2->doc);
  const auto now = api.clock.now();
  if (!status || !workflow::isPendingHandoverStatus(*status) || !deadline || now <= *deadline) {
    return false;
  }
  rapidjson::Document next = copyOf(t2->doc);
  auto& a = next.GetAllocator();
  setString(next, "status", workflow::statusCode(TaskStatus::kCancelled));
  rapidjson::Value reason(rapidjson::kObjectType);
  reason.AddMember(
      "text", fhir::makeString("not accepted by its deadline " + fhir::formatInstant(*deadline), a),
      a);
  fhir::setMember(next, "statusReason", std::move(reason), a);
  workflow::maintainTask(next, &t2->doc, Actor::adapter(), now);
  writeFollowOn(api, tx, "Task", t2Id, next, t2->version, "PUT");
  TaskEffects effects(api, tx, settings_, Actor::adapter());
  effects.apply(t2Id, &t2->doc, next);
  return true;
}

// --- HandoverSweeper -------------------------------------------------------------------

namespace {
constexpr std::size_t kMaxPendingPerPass = 10000;
}  // namespace

HandoverSweeper::HandoverSweeper(store::ResourceStore& store, const ApiContext& api,
                                 const WorkflowRules& rules, std::chrono::milliseconds interval)
    : store_(store), api_(api), rules_(rules), interval_(interval) {}

HandoverSweeper::~HandoverSweeper() { stop(); }

void HandoverSweeper::start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        const std::size_t expired = sweepOnce();
        if (expired > 0) std::cerr << "handover sweep: " << expired << " expired\n";
      } catch (const std::exception& e) {
        // The next pass tries again; a database outage must not end the sweeps.
        std::cerr << "handover sweep failed: " << e.what() << "\n";
      }
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void HandoverSweeper::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t HandoverSweeper::sweepOnce() {
  std::vector<std::string> due;
  store_.inReadOnly([&](store::StoreTransaction& tx) {
    due.clear();
    const auto now = api_.clock.now();
    const auto pending = searchCurrent(
        api_, tx, "Task",
        {{"code", std::string(workflow::kTaskCodeSystem) + "|" + workflow::kWarmHandover},
         {"status", "requested,received"}},
        kMaxPendingPerPass);
    for (const auto& v : pending) {
      rapidjson::Document task;
      fhir::parseJson(v.body, task);
      const auto deadline = workflow::handoverDeadline(task);
      if (deadline && *deadline < now) due.push_back(v.id);
    }
  });
  std::size_t expired = 0;
  for (const std::string& id : due) {
    bool done = false;
    store_.inTransaction(
        [&](store::StoreTransaction& tx) { done = rules_.expireHandover(api_, tx, id); });
    if (done) ++expired;
  }
  return expired;
}

}  // namespace sp::rest
