#include "workflow/handover.h"

#include "fhir/errors.h"
#include "fhir/json.h"
#include "workflow/references.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

constexpr const char* kPendingText = "Warm handover pending: waiting for ";

rapidjson::Value businessStatusConcept(const char* code, const char* display,
                                       rapidjson::Document::AllocatorType& a) {
  rapidjson::Value coding(rapidjson::kObjectType);
  coding.AddMember("system", fhir::makeString(kBusinessStatusSystem, a), a);
  coding.AddMember("code", fhir::makeString(code, a), a);
  coding.AddMember("display", fhir::makeString(display, a), a);
  rapidjson::Value codings(rapidjson::kArrayType);
  codings.PushBack(coding, a);
  rapidjson::Value concept(rapidjson::kObjectType);
  concept.AddMember("coding", codings, a);
  return concept;
}

void setStatus(rapidjson::Document& task, TaskStatus status) {
  fhir::setMember(task, "status", fhir::makeString(statusCode(status), task.GetAllocator()),
                  task.GetAllocator());
}

}  // namespace

bool isPendingHandoverStatus(TaskStatus s) {
  return s == TaskStatus::kRequested || s == TaskStatus::kReceived;
}

HandoverEvent handoverEvent(std::optional<TaskStatus> before, TaskStatus after) {
  const bool wasPending = before && isPendingHandoverStatus(*before);
  if (!wasPending) {
    return isPendingHandoverStatus(after) ? HandoverEvent::kStart : HandoverEvent::kNone;
  }
  if (isPendingHandoverStatus(after)) return HandoverEvent::kNone;
  if (after == TaskStatus::kAccepted || holdsPlace(after) || after == TaskStatus::kCompleted) {
    return HandoverEvent::kAccept;
  }
  return HandoverEvent::kRevert;
}

std::optional<fhir::TimePoint> handoverDeadline(const rapidjson::Value& t2) {
  const auto* restriction = fhir::findMember(t2, "restriction");
  const auto* period = restriction ? fhir::findMember(*restriction, "period") : nullptr;
  if (!period) return std::nullopt;
  return fhir::parseInstant(fhir::getString(*period, "end"));
}

void setHandoverDeadline(rapidjson::Document& t2, fhir::TimePoint deadline) {
  auto& a = t2.GetAllocator();
  rapidjson::Value& restriction = fhir::memberOfType(t2, "restriction", rapidjson::kObjectType, a);
  rapidjson::Value& period = fhir::memberOfType(restriction, "period", rapidjson::kObjectType, a);
  fhir::setMember(period, "end", fhir::makeString(fhir::formatInstant(deadline), a), a);
  // The handover may be accepted from the moment it is asked for.
  if (const auto start = fhir::parseInstant(fhir::getString(period, "start"));
      start && *start > deadline) {
    fhir::removeMember(period, "start");
  }
}

void checkNotExpired(const std::string& t2Reference, const rapidjson::Value& t2,
                     fhir::TimePoint now) {
  const auto deadline = handoverDeadline(t2);
  if (!deadline || now <= *deadline) return;
  throw FhirError(ErrorKind::kConflict, "business-rule",
                  t2Reference + ": the warm handover was not accepted by its deadline " +
                      fhir::formatInstant(*deadline) +
                      ", so the sender keeps the person; ask the sender for a new handover",
                  "Task.status");
}

void checkHandoverStart(const HandoverStart& s) {
  const auto t1Status = statusOf(*s.t1);
  if (businessStatusOf(*s.t1) == kHandoverPending) {
    throw FhirError(ErrorKind::kConflict, "business-rule",
                    s.t1Reference + " already waits for a warm handover (" +
                        pendingHandoverOf(*s.t1) + "); one handover at a time",
                    "Task.partOf");
  }
  if (t1Status != TaskStatus::kInProgress) {
    throw FhirError(ErrorKind::kConflict, "business-rule",
                    s.t1Reference + " is " + fhir::getString(*s.t1, "status") +
                        ": only a Task in progress can be handed over",
                    "Task.partOf");
  }
  if (s.actor.checked() && !s.actorOnT1.owner) {
    throw FhirError(ErrorKind::kConflict, "business-rule",
                    "Only the owner of " + s.t1Reference + " may hand the person over, and " +
                        s.actor.describe() + " is not its owner",
                    "Task.partOf");
  }
  std::vector<fhir::Issue> issues;
  for (const char* name : {"for", "focus"}) {
    if (referenceKey(fhir::findMember(*s.t1, name)) !=
        referenceKey(fhir::findMember(*s.t2, name))) {
      issues.push_back({fhir::Severity::kError, "business-rule",
                        std::string("A warm handover Task has the same ") + name + " as " +
                            s.t1Reference + ", the Task it hands over",
                        std::string("Task.") + name});
    }
  }
  if (s.actor.checked() && !s.requesterIsT1Owner) {
    issues.push_back(
        {fhir::Severity::kError, "business-rule",
         "The requester of a warm handover Task is the organisation that owns " + s.t1Reference,
         "Task.requester"});
  }
  if (!issues.empty()) throw FhirError(ErrorKind::kUnprocessable, std::move(issues));
}

void markHandoverPending(rapidjson::Document& t1, const std::string& t2Reference,
                         std::optional<fhir::TimePoint> deadline) {
  auto& a = t1.GetAllocator();
  setStatus(t1, TaskStatus::kOnHold);
  fhir::setMember(t1, "businessStatus",
                  businessStatusConcept(kHandoverPending, "Handover pending", a), a);
  rapidjson::Value reason = businessStatusConcept(kHandoverPending, "Handover pending", a);
  std::string text = kPendingText + t2Reference + " to be accepted";
  if (deadline) text += " by " + fhir::formatInstant(*deadline);
  reason.AddMember("text", fhir::makeString(text, a), a);
  fhir::setMember(t1, "statusReason", std::move(reason), a);
}

void markHandedOver(rapidjson::Document& t1, const std::string& t2Reference) {
  auto& a = t1.GetAllocator();
  setStatus(t1, TaskStatus::kCompleted);
  fhir::setMember(t1, "businessStatus", businessStatusConcept(kHandedOver, "Handed over", a), a);
  fhir::removeMember(t1, "statusReason");
  if (!fhir::findMember(t1, "output") || !t1["output"].IsArray()) {
    fhir::setMember(t1, "output", rapidjson::Value(rapidjson::kArrayType), a);
  }
  rapidjson::Value type(rapidjson::kObjectType);
  type.AddMember("text", fhir::makeString("Handed over to", a), a);
  rapidjson::Value output(rapidjson::kObjectType);
  output.AddMember("type", type, a);
  output.AddMember("valueReference", makeReference(t2Reference, a), a);
  t1["output"].PushBack(output, a);
}

void revertHandover(rapidjson::Document& t1, const std::string& t2Reference,
                    const std::string& what, const rapidjson::Value* t2Reason,
                    const rapidjson::Value* previousBusinessStatus) {
  auto& a = t1.GetAllocator();
  setStatus(t1, TaskStatus::kInProgress);
  if (previousBusinessStatus) {
    rapidjson::Value copy;
    copy.CopyFrom(*previousBusinessStatus, a);
    fhir::setMember(t1, "businessStatus", std::move(copy), a);
  } else {
    fhir::removeMember(t1, "businessStatus");
  }
  rapidjson::Value reason(rapidjson::kObjectType);
  if (t2Reason && t2Reason->IsObject()) {
    if (const auto* coding = fhir::findMember(*t2Reason, "coding")) {
      rapidjson::Value copy;
      copy.CopyFrom(*coding, a);
      reason.AddMember("coding", copy, a);
    }
  }
  std::string text = "Warm handover " + t2Reference + " " + what;
  if (t2Reason && t2Reason->IsObject() && !fhir::getString(*t2Reason, "text").empty()) {
    text += ": " + fhir::getString(*t2Reason, "text");
  }
  reason.AddMember("text", fhir::makeString(text, a), a);
  fhir::setMember(t1, "statusReason", std::move(reason), a);
}

std::string pendingHandoverOf(const rapidjson::Value& t1) {
  if (businessStatusOf(t1) != kHandoverPending) return "";
  const auto* reason = fhir::findMember(t1, "statusReason");
  if (!reason || !reason->IsObject()) return "";
  const std::string text = fhir::getString(*reason, "text");
  const auto at = text.find(kPendingText);
  if (at == std::string::npos) return "";
  const auto start = at + std::string(kPendingText).size();
  const auto end = text.find(' ', start);
  const LocalReference ref = parseReference(text.substr(start, end - start));
  return ref.type == "Task" ? ref.text() : "";
}

}  // namespace sp::workflow
