#include "services/process_message.h"

#include <map>
#include <optional>
#include <utility>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "mapping/mapping_set.h"
#include "messaging/event_classifier.h"
#include "messaging/feedback.h"
#include "messaging/identity_headers.h"
#include "messaging/incoming_message.h"
#include "messaging/message_answer.h"
#include "messaging/message_key.h"
#include "messaging/receiver_codes.h"
#include "messaging/transport_headers.h"
#include "messaging/update_conflict.h"
#include "messaging/vocabulary.h"
#include "rest/audit_trail.h"
#include "rest/bundle_processor.h"
#include "rest/resource_write.h"
#include "rest/status_map.h"
#include "validation/validator.h"
#include "workflow/referral.h"
#include "workflow/task_rules.h"
#include "workflow/task_status.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;
using messaging::MessageAction;
using messaging::PartnerKind;

namespace {

constexpr const char* kJsonType = "application/fhir+json; charset=utf-8";

// Everything known about a message before its transaction.
struct Received {
  rapidjson::Document bundle;
  messaging::TransportHeaders headers;
  messaging::IncomingMessage message;
  messaging::Classification kind;
  std::string sender;
  std::string replyTo;  // source.endpoint, its system in the canonical spelling
  store::MessageKey key;
};

// What processing wrote, for the answer.
struct Written {
  std::map<std::size_t, std::string> stored;    // message entry index -> stored JSON
  std::map<std::string, std::string> assigned;  // fullUrl -> "Type/id"
  std::vector<std::string> extras;              // resources added to a BaRS answer
  std::optional<store::ResourceVersion> focus;  // what a FHIR answer is about
  std::string referralId;                       // a new referral's ServiceRequest id
  std::int64_t referralVersion = 0;             // its version once the message is done
};

rest::RestResponse answer(int status, std::string body,
                          const messaging::TransportHeaders& headers) {
  rest::RestResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", kJsonType);
  if (!headers.requestId.empty()) r.headers.emplace_back("X-Request-Id", headers.requestId);
  if (!headers.correlationId.empty()) {
    r.headers.emplace_back("X-Correlation-Id", headers.correlationId);
  }
  return r;
}

rest::RestResponse errorAnswer(const FhirError& e, const messaging::TransportHeaders& headers) {
  const int status = rest::statusFor(e.kind());
  return answer(status, messaging::receiverOutcomeJson(status, e.issues()), headers);
}

const rapidjson::Value& entryResource(const rapidjson::Value& bundle, std::size_t i) {
  return bundle["entry"][static_cast<rapidjson::SizeType>(i)]["resource"];
}

// The sender for the de-duplication key; refuses a message whose sender is not the
// organisation of the client certificate (when there is one).
std::string checkedSender(const std::string& caller, const messaging::IncomingMessage& m) {
  if (!caller.empty()) {
    if (!m.senderOds.empty() &&
        std::find(m.senderOds.begin(), m.senderOds.end(), caller) == m.senderOds.end()) {
      throw FhirError(ErrorKind::kForbidden, "forbidden",
                      "MessageHeader.sender is not the organisation of the client certificate",
                      "MessageHeader.sender");
    }
    return caller;
  }
  if (!m.senderOds.empty()) return m.senderOds.front();
  return m.sourceEndpoint;
}

bool serves(store::StoreTransaction& tx, const std::string& value) {
  const store::IdentifierToken token{"", value};
  return !tx.findByIdentifier("HealthcareService", token).empty() ||
         !tx.findByIdentifier("Organization", token).empty();
}

// MessageHeader.destination (service id, receiver) or NHSD-Target-Identifier: every one given
// must name a HealthcareService or Organization held here, and at least one must be given. The
// header and a service id in destination[0].endpoint must name the same service.
void checkDestination(store::StoreTransaction& tx, const Received& r) {
  std::vector<std::pair<std::string, std::string>> named;  // where, value
  if (r.headers.target) named.emplace_back("NHSD-Target-Identifier", r.headers.target->value);
  if (auto service = messaging::parseServiceIdentifier(r.message.destinationEndpoint)) {
    if (r.headers.target && r.headers.target->value != service->value) {
      throw FhirError(ErrorKind::kInvalid, "invariant",
                      "NHSD-Target-Identifier and MessageHeader.destination[0].endpoint name "
                      "different services",
                      "MessageHeader.destination[0].endpoint");
    }
    named.emplace_back("MessageHeader.destination[0].endpoint", service->value);
  }
  for (const auto& ods : r.message.receiverOds) {
    named.emplace_back("MessageHeader.destination[0].receiver", ods);
  }
  if (named.empty()) {
    throw FhirError(ErrorKind::kUnprocessable, "not-found",
                    "The message names no destination service or organisation",
                    "MessageHeader.destination");
  }
  for (const auto& [where, value] : named) {
    if (!serves(tx, value)) {
      throw FhirError(
          ErrorKind::kUnprocessable, "not-found",
          "The destination '" + value + "' is not a service or organisation served here", where);
    }
  }
}

// Types whose entries are matched to what is already held by their identifier, so repeated
// messages about one person or organisation do not make copies.
bool matchedByIdentifier(const std::string& type) {
  return type == "Patient" || type == "Organization" || type == "HealthcareService" ||
         type == "Practitioner" || type == "Location";
}

std::string firstIdentifierValue(const rapidjson::Value& resource) {
  const auto tokens = rest::identifierTokens(resource);
  return tokens.empty() ? "" : tokens.front().value;
}

// How an entry of the message is written.
enum class EntryWrite { kCreate, kUpdateIfHeld };

// The message's entries (but the MessageHeader) as a transaction Bundle. `updates` maps an
// entry index to the "Type/id" it replaces (or creates with that id); `reads`, to the "Type/id"
// it stands for, read in the transaction's last phase (after every write), not written.
rapidjson::Document transactionOf(store::StoreTransaction& tx, const rapidjson::Value& bundle,
                                  EntryWrite mode,
                                  const std::map<std::size_t, std::string>& updates = {},
                                  const std::map<std::size_t, std::string>& reads = {}) {
  rapidjson::Document t(rapidjson::kObjectType);
  auto& a = t.GetAllocator();
  t.AddMember("resourceType", "Bundle", a);
  t.AddMember("type", "transaction", a);
  rapidjson::Value list(rapidjson::kArrayType);
  const auto& entries = bundle["entry"];
  for (rapidjson::SizeType i = 1; i < entries.Size(); ++i) {
    const rapidjson::Value& resource = entries[i]["resource"];
    const std::string type = fhir::getString(resource, "resourceType");
    const std::string id = fhir::getString(resource, "id");
    std::string fullUrl = fhir::getString(entries[i], "fullUrl");
    if (fullUrl.empty() && !id.empty()) fullUrl = type + "/" + id;
    rapidjson::Value copy;
    copy.CopyFrom(resource, a);
    rapidjson::Value request(rapidjson::kObjectType);
    std::string target;
    const auto read = reads.find(i);
    if (auto it = updates.find(i); it != updates.end()) {
      target = it->second;
    } else if (mode == EntryWrite::kUpdateIfHeld && !id.empty() && fhir::isValidId(id)) {
      const auto held = tx.current(type, id, false);
      if (held && !held->deleted) target = type + "/" + id;
    }
    if (read != reads.end()) {
      request.AddMember("method", "GET", a);
      request.AddMember("url", fhir::makeString(read->second, a), a);
    } else if (!target.empty()) {
      fhir::setMember(copy, "id", fhir::makeString(target.substr(target.find('/') + 1), a), a);
      request.AddMember("method", "PUT", a);
      request.AddMember("url", fhir::makeString(target, a), a);
    } else {
      const std::string value = matchedByIdentifier(type) ? firstIdentifierValue(resource) : "";
      const auto held = value.empty()
                            ? std::vector<std::string>{}
                            : tx.findByIdentifier(type, store::IdentifierToken{"", value});
      if (held.size() == 1) {
        // Already held: read it (its fullUrl resolves to it) without writing or locking.
        request.AddMember("method", "GET", a);
        request.AddMember("url", fhir::makeString(type + "/" + held.front(), a), a);
      } else {
        // New (or ambiguous: the conditional create refuses it): created once, under its lock.
        fhir::removeMember(copy, "id");
        request.AddMember("method", "POST", a);
        request.AddMember("url", fhir::makeString(type, a), a);
        if (!value.empty()) {
          request.AddMember("ifNoneExist", fhir::makeString("identifier=" + value, a), a);
        }
      }
    }
    rapidjson::Value entry(rapidjson::kObjectType);
    if (!fullUrl.empty()) entry.AddMember("fullUrl", fhir::makeString(fullUrl, a), a);
    entry.AddMember("resource", copy, a);
    entry.AddMember("request", request, a);
    list.PushBack(entry, a);
  }
  t.AddMember("entry", list, a);
  return t;
}

void keepRun(const rest::TransactionRun& run, Written& w) {
  for (std::size_t j = 0; j < run.versions.size(); ++j) {
    if (run.versions[j] && !run.versions[j]->deleted) w.stored[j + 1] = run.versions[j]->body;
  }
  w.assigned = run.resolved;
}

class MessageProcessing {
 public:
  // `sender` is who sent the message: the entries and the changes the message asks for run as
  // it; what the adapter adds by itself (the BaRS Encounter) runs as the adapter.
  MessageProcessing(const rest::ApiContext& api, store::StoreTransaction& tx, const Received& r,
                    const std::string& baseUrl, const rest::InteractionInput& sender)
      : api_(api), tx_(tx), r_(r), baseUrl_(baseUrl), sender_(sender) {}

  Written run() {
    switch (r_.kind.action) {
      case MessageAction::kReferral:
        return referral();
      case MessageAction::kReferralUpdate:
        return referralUpdate();
      case MessageAction::kCancel:
        return cancel();
      case MessageAction::kFeedback:
        return feedback();
      case MessageAction::kHandoverRequest:
        return taskEvent(false);
      default:
        return taskEvent(true);
    }
  }

 private:
  // Runs the entries; a failure names the entry by its place in the message (the transaction
  // leaves out the MessageHeader, so its entry i is the message's entry i + 1).
  // Entries matched to what is held are read, not written, but a copy that is not valid R4 is
  // refused all the same (checked against the core definition: the copy of a directory entry
  // need not be one): their issues join those of the entries written, every one located.
  rest::TransactionRun runEntries(const rapidjson::Document& transaction) {
    std::vector<fhir::Issue> matched = matchedEntryIssues(transaction);
    rest::TransactionRun run;
    try {
      run = rest::runTransactionIn(api_, tx_, transaction, baseUrl_, sender_);
    } catch (const FhirError& e) {
      std::vector<fhir::Issue> issues = e.issues();
      for (auto& issue : issues) issue.expression = messageEntryPath(issue.expression);
      const bool content = e.kind() == ErrorKind::kInvalid || e.kind() == ErrorKind::kUnprocessable;
      if (content) issues.insert(issues.end(), matched.begin(), matched.end());
      throw FhirError(e.kind(), std::move(issues));
    }
    if (!matched.empty()) throw FhirError(ErrorKind::kUnprocessable, std::move(matched));
    return run;
  }

  std::vector<fhir::Issue> matchedEntryIssues(const rapidjson::Document& transaction) const {
    std::vector<fhir::Issue> out;
    if (!api_.validator) return out;
    const auto& entries = transaction["entry"];
    for (rapidjson::SizeType j = 0; j < entries.Size(); ++j) {
      if (fhir::getString(entries[j]["request"], "method") != "GET") continue;
      auto issues = api_.validator->validateCore(entries[j]["resource"]);
      if (!validation::Validator::hasErrors(issues)) continue;
      for (auto& issue : issues) {
        if (issue.severity != fhir::Severity::kError && issue.severity != fhir::Severity::kFatal) {
          continue;
        }
        issue.expression = inEntry(j + 1, issue.expression);
        out.push_back(std::move(issue));
      }
    }
    return out;
  }

  // "Task.status" said of message entry 2: "Bundle.entry[2].resource.status".
  static std::string inEntry(std::size_t entry, const std::string& expression) {
    const std::string path = "Bundle.entry[" + std::to_string(entry) + "].resource";
    const auto dot = expression.find('.');
    return dot == std::string::npos ? path : path + expression.substr(dot);
  }

  static std::string messageEntryPath(const std::string& expression) {
    const std::string prefix = "Bundle.entry[";
    if (expression.rfind(prefix, 0) != 0) return expression;
    const auto close = expression.find(']');
    if (close == std::string::npos) return expression;
    const std::string number = expression.substr(prefix.size(), close - prefix.size());
    if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) {
      return expression;
    }
    return prefix + std::to_string(std::stoul(number) + 1) + expression.substr(close);
  }

  Written referral() {
    Written w;
    // The referral gets its id before the entries run (created by PUT with that id), so that
    // - its conversation is recorded first, and what the entries set off (the referral pushed
    //   to its receiver) travels in it (X-Correlation-Id, the request it answers);
    // - the sender's own Task for the referral (BaRS REFREQ03) stands for the referral's Task,
    //   which is the adapter's: that entry (and every reference to it) names the adapter's
    //   Task, read once it is made, instead of being stored as a second, ownerless Task.
    w.referralId = api_.ids.newId();
    std::map<std::size_t, std::string> updates{
        {r_.message.focusEntry, "ServiceRequest/" + w.referralId}};
    std::map<std::size_t, std::string> reads;
    const auto ownTask = messaging::sendersReferralTask(r_.bundle, r_.message.focusEntry);
    if (ownTask) reads[*ownTask] = "Task/" + workflow::referralTaskId(w.referralId);
    tx_.recordConversation(
        store::Conversation{w.referralId, r_.sender, r_.replyTo, r_.headers.correlationId,
                            messaging::partnerKindCode(r_.kind.partner), r_.message.bundleId, 0},
        r_.message.messageHeaderId);
    keepRun(runEntries(transactionOf(tx_, r_.bundle, EntryWrite::kCreate, updates, reads)), w);
    const auto& sr = w.stored.at(r_.message.focusEntry);
    rapidjson::Document referral;
    fhir::parseJson(sr, referral);
    w.focus = tx_.current("Task", workflow::referralTaskId(w.referralId), false);
    w.referralVersion = tx_.current("ServiceRequest", w.referralId, false)->versionId;
    tx_.noteReferralVersion(w.referralId, w.referralVersion);
    if (r_.kind.partner == PartnerKind::kBars) {
      const rapidjson::Value* subject = fhir::findMember(referral, "subject");
      const std::string patient = subject ? fhir::getString(*subject, "reference") : "";
      const std::string encounter = messaging::plannedEncounterJson(
          messaging::referenceCode(w.referralId), patient, "ServiceRequest/" + w.referralId,
          messaging::journeyReferences(r_.bundle));
      w.extras.push_back(create("Encounter", encounter).body);
      if (w.focus && !ownTask) w.extras.push_back(w.focus->body);  // else echoed in its entry
    }
    return w;
  }

  // The referral an update or cancel is about: the ServiceRequest the focus names by id, else
  // the one made by the message with the same Bundle.id (BaRS reuses it for the referral).
  std::string heldReferral() {
    const rapidjson::Value& focus = entryResource(r_.bundle, r_.message.focusEntry);
    const std::string id = fhir::getString(focus, "id");
    if (!id.empty() && fhir::isValidId(id)) {
      const auto held = tx_.current("ServiceRequest", id, false);
      if (held && !held->deleted) return id;
    }
    if (!r_.message.bundleId.empty()) {
      if (auto c = tx_.conversationForRequest(r_.message.bundleId)) return c->serviceRequestId;
    }
    throw FhirError(ErrorKind::kNotFound, "not-found", "The message names no referral held here",
                    "MessageHeader.focus[0]");
  }

  // Locks the referral; refuses it unless it is active.
  void activeReferral(const std::string& id) {
    const auto held = tx_.current("ServiceRequest", id, true);
    if (!held || held->deleted) {
      throw FhirError(ErrorKind::kNotFound, "not-found", "The referral is not held here");
    }
    rapidjson::Document doc;
    fhir::parseJson(held->body, doc);
    const std::string status = fhir::getString(doc, "status");
    if (status != "active") {
      throw FhirError(ErrorKind::kUnprocessable, "business-rule",
                      "The referral is no longer active (status " + status + ")",
                      "ServiceRequest.status");
    }
  }

  // Refuses an update based on a copy older than a change made here since (409 conflict).
  void refuseStaleUpdate(const std::string& id) {
    const auto held = tx_.current("ServiceRequest", id, false);
    const auto conversation = tx_.conversationFor(id);
    messaging::HeldReferral state;
    state.versionId = held->versionId;
    state.lastUpdated = held->lastUpdated;
    state.versionWrittenBySender = conversation ? conversation->referralVersion : 0;
    const auto copy = messaging::senderCopyOf(entryResource(r_.bundle, r_.message.focusEntry), id);
    if (auto why = messaging::staleUpdate(copy, state)) {
      throw FhirError(ErrorKind::kConflict, "conflict", *why, "ServiceRequest.meta");
    }
  }

  Written referralUpdate() {
    const std::string id = heldReferral();
    activeReferral(id);
    refuseStaleUpdate(id);
    Written w;
    keepRun(runEntries(transactionOf(tx_, r_.bundle, EntryWrite::kCreate,
                                     {{r_.message.focusEntry, "ServiceRequest/" + id}})),
            w);
    w.focus = tx_.current("ServiceRequest", id, false);
    tx_.noteReferralVersion(id, w.focus->versionId);
    return w;
  }

  Written cancel() {
    const std::string id = heldReferral();
    activeReferral(id);
    const std::string wanted = r_.message.focusStatus;
    // The referral's Task is cancelled first; the workflow then revokes the referral itself.
    const auto task = tx_.current("Task", workflow::referralTaskId(id), false);
    if (task && !task->deleted) {
      rapidjson::Document doc;
      fhir::parseJson(task->body, doc);
      const auto status = workflow::statusOf(doc);
      if (status && workflow::isActive(*status)) {
        auto& a = doc.GetAllocator();
        fhir::setMember(doc, "status", fhir::makeString("cancelled", a), a);
        rapidjson::Value reason(rapidjson::kObjectType);
        reason.AddMember("text", "The referrer cancelled the referral", a);
        fhir::setMember(doc, "statusReason", std::move(reason), a);
        update("Task", task->id, doc);
      }
    }
    const auto now = tx_.current("ServiceRequest", id, false);
    rapidjson::Document referral;
    fhir::parseJson(now->body, referral);
    if (fhir::getString(referral, "status") != wanted) {
      fhir::setMember(referral, "status", fhir::makeString(wanted, referral.GetAllocator()),
                      referral.GetAllocator());
      update("ServiceRequest", id, referral);
    }
    Written w;
    w.focus = tx_.current("ServiceRequest", id, false);
    w.stored[r_.message.focusEntry] = w.focus->body;
    tx_.noteReferralVersion(id, w.focus->versionId);
    return w;
  }

  // The referral and Task the request named by a feedback message was about: a referral received
  // here (its conversation; the referral's Task), or a request the adapter pushed (stored as
  // Bundle/<its Bundle.id>; the Task it asked the receiver to take on).
  messaging::FeedbackTarget requestNamedBy(const std::string& request) {
    if (const auto conversation = tx_.conversationForRequest(request)) {
      return {conversation->serviceRequestId,
              workflow::referralTaskId(conversation->serviceRequestId)};
    }
    if (fhir::isValidId(request)) {
      const auto stored = tx_.current("Bundle", request, false);
      if (stored && !stored->deleted) {
        rapidjson::Document bundle;
        fhir::parseJson(stored->body, bundle);
        if (auto pushed = messaging::pushedRequestOf(bundle)) {
          if (pushed->taskId.empty()) pushed->taskId = workflow::referralTaskId(pushed->referralId);
          return *pushed;
        }
      }
    }
    throw FhirError(ErrorKind::kNotFound, "not-found",
                    "MessageHeader.response names no request known here",
                    "MessageHeader.response.identifier");
  }

  Written feedback() {
    Written w;
    const messaging::FeedbackTarget named = requestNamedBy(r_.message.responseTo);
    w.focus = tx_.current("ServiceRequest", named.referralId, false);
    const auto entry = messaging::reportedTaskEntry(r_.bundle);
    if (!entry) {
      // Without a Task: a rejection (cancelled Encounter) or non-attendance (noshow
      // Appointment) moves the Task; anything else is kept (stored and logged) and moves nothing.
      if (auto report = messaging::receiverReportIn(r_.bundle, r_.message.focusEntry)) {
        applyReport(named.taskId, *report, w);
      }
      return w;
    }
    // The provider's report moves the Task through the workflow, as a REST update.
    const std::string& taskId = named.taskId;
    rapidjson::Document task = heldReferralTask(taskId);
    if (auto next = messaging::taskAfterFeedback(task, entryResource(r_.bundle, *entry))) {
      updateEntry(*entry, "Task", taskId, *next);
    }
    w.focus = tx_.current("Task", taskId, false);
    w.stored[*entry] = w.focus->body;
    return w;
  }

  // The receiver's report moves the Task one workflow step at a time (each a REST update by the
  // sender, so the rules and the referrer's news apply to each), until it asks for no more.
  void applyReport(const std::string& taskId, const messaging::ReceiverReport& report, Written& w) {
    for (int step = 0; step < 3; ++step) {
      rapidjson::Document task = heldReferralTask(taskId);
      auto moves = messaging::taskMovesFor(task, report);
      if (moves.empty()) break;
      updateEntry(report.entry, "Task", taskId, moves.front());
    }
    w.focus = tx_.current("Task", taskId, false);
  }

  // The Task of the referral the response names, as held now (locked for its update).
  rapidjson::Document heldReferralTask(const std::string& taskId) {
    const auto held = tx_.current("Task", taskId, true);
    if (!held || held->deleted) {
      throw FhirError(ErrorKind::kNotFound, "not-found", "The referral has no Task held here",
                      "MessageHeader.response.identifier");
    }
    rapidjson::Document task;
    fhir::parseJson(held->body, task);
    return task;
  }

  // An update made for message entry `entry`: a refusal names that entry.
  void updateEntry(std::size_t entry, const std::string& type, const std::string& id,
                   rapidjson::Document& body) {
    try {
      update(type, id, body);
    } catch (const FhirError& e) {
      std::vector<fhir::Issue> issues = e.issues();
      for (auto& issue : issues) issue.expression = inEntry(entry, issue.expression);
      throw FhirError(e.kind(), std::move(issues));
    }
  }

  // Task events of FHIR partners: entries held here are updated, the others created.
  Written taskEvent(bool focusHeld) {
    const rapidjson::Value& focus = entryResource(r_.bundle, r_.message.focusEntry);
    const std::string id = fhir::getString(focus, "id");
    const bool held = !id.empty() && fhir::isValidId(id) && tx_.current("Task", id, false);
    if (focusHeld && !held) {
      throw FhirError(ErrorKind::kNotFound, "not-found", "The message's Task is not held here",
                      "MessageHeader.focus[0]");
    }
    Written w;
    keepRun(runEntries(transactionOf(tx_, r_.bundle,
                                     focusHeld ? EntryWrite::kUpdateIfHeld : EntryWrite::kCreate)),
            w);
    rapidjson::Document task;
    fhir::parseJson(w.stored.at(r_.message.focusEntry), task);
    w.focus = tx_.current("Task", fhir::getString(task, "id"), false);
    return w;
  }

  store::ResourceVersion create(const std::string& type, const std::string& json) {
    rest::InteractionInput in;
    in.body = std::make_shared<rapidjson::Document>();
    fhir::parseJson(json, *in.body);
    in.baseUrl = baseUrl_;
    in.caller = security::Caller::onBehalfOf(sender_.caller.odsCode);  // its codes, its actor
    return *rest::performInteraction(api_, tx_,
                                     rest::Route{rest::Interaction::kCreate, type, "", ""}, in)
                .version;
  }

  void update(const std::string& type, const std::string& id, rapidjson::Document& body) {
    rest::InteractionInput in = sender_;
    in.body = std::make_shared<rapidjson::Document>();
    in.body->CopyFrom(body, in.body->GetAllocator());
    in.baseUrl = baseUrl_;
    rest::performInteraction(api_, tx_, rest::Route{rest::Interaction::kUpdate, type, id, ""}, in);
  }

  const rest::ApiContext& api_;
  store::StoreTransaction& tx_;
  const Received& r_;
  const std::string& baseUrl_;
  const rest::InteractionInput& sender_;
};

// Keeps the request (as received) or the answer as a Bundle tagged with the message's request
// id, correlation id, sender, direction and event. Returns its id.
std::string keepMessage(const rest::ApiContext& api, store::StoreTransaction& tx,
                        rapidjson::Document& bundle, const Received& r, const char* direction) {
  const std::string id = api.ids.newId();
  rest::storeMessageBundle(api, tx, id, bundle,
                           {{messaging::kTagRequestId, r.headers.requestId},
                            {messaging::kTagCorrelationId, r.headers.correlationId},
                            {messaging::kTagSender, r.sender},
                            {messaging::kTagDirection, direction},
                            {r.message.event.system, r.message.event.code}});
  return id;
}

std::string answerJson(const rest::ApiContext& api, const Received& r, const Written& w,
                       const std::string& baseUrl) {
  if (r.kind.partner == PartnerKind::kBars) {
    return messaging::barsAcknowledgementJson(r.bundle, w.stored, w.assigned, w.extras, baseUrl);
  }
  messaging::ResponseMessage m;
  m.bundleId = api.ids.newId();
  m.headerId = api.ids.newId();
  m.timestamp = fhir::formatInstant(api.clock.now());
  m.baseUrl = baseUrl;
  if (w.focus) {
    m.focusReference = w.focus->type + "/" + w.focus->id;
    m.focusJson = w.focus->body;
  }
  return messaging::fhirResponseMessageJson(r.message, m);
}

}  // namespace

MessageReceiver::MessageReceiver(store::ResourceStore& store, const rest::ApiContext& api,
                                 const mapping::MappingSet* mappings)
    : store_(store), api_(api), mappings_(mappings) {
  entry_.name = "$process-message";
  entry_.methods = "POST";
  entry_.readOnly = false;
  entry_.definition = "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message";
  entry_.requestOperation = this;
}

std::string MessageReceiver::errorBody(int status, const std::vector<fhir::Issue>& issues) const {
  return messaging::receiverOutcomeJson(status, issues);
}

rest::RestResponse MessageReceiver::handle(const rest::RestRequest& request,
                                           const security::Caller& caller) const {
  Received r;
  try {
    r.headers = messaging::readTransportHeaders(request.headers);
    if (request.body.size() > api_.limits.maxBodyBytes) {
      throw FhirError(ErrorKind::kPayloadTooLarge, "too-costly", "The message is too large");
    }
    if (request.body.empty()) throw FhirError(ErrorKind::kInvalid, "required", "No message");
    fhir::parseJson(request.body, r.bundle, fhir::JsonLimits{api_.limits.maxJsonDepth});
    r.message = messaging::readIncomingMessage(r.bundle);
    r.kind = messaging::classifyMessage(
        r.message, mappings_ ? mappings_->conceptMap(messaging::kBarsEventMap) : nullptr);
    if (r.kind.partner == PartnerKind::kBars) {
      messaging::requireBarsHeaders(r.headers);
    } else {
      messaging::completeIds(r.headers, api_.ids.newId(), api_.ids.newId());
    }
    messaging::checkIdentityHeaders(messaging::readIdentityHeaders(request.headers), caller.odsCode,
                                    r.message.senderOds);
    r.sender = checkedSender(caller.odsCode, r.message);
    // The reply address with its system in the canonical spelling (BaRS senders write
    // `http://fhir.nhs.uk/Id/dos-service-id` too), so it finds the service held here.
    r.replyTo = mappings_ ? mappings_->identifierSystems().canonicalToken(r.message.sourceEndpoint)
                          : r.message.sourceEndpoint;
    r.key = messaging::messageKey(r.kind.partner, r.sender, r.headers, r.message);
  } catch (const FhirError& e) {
    return errorAnswer(e, r.headers);
  }

  store::MessageClaim claim;
  try {
    store_.inAutocommit(
        [&](store::StoreTransaction& tx) { claim = tx.claimMessage(r.key, kStaleClaimSeconds); });
  } catch (const FhirError& e) {
    return errorAnswer(e, r.headers);
  }
  switch (claim.state) {
    case store::ClaimState::kInFlight:
      return errorAnswer(FhirError(ErrorKind::kTooEarly, "transient",
                                   "The same message is still being processed; retry later"),
                         r.headers);
    case store::ClaimState::kProcessed:
      if (r.kind.partner == PartnerKind::kBars) {
        return errorAnswer(
            FhirError(ErrorKind::kConflict, "duplicate", "This message was processed before"),
            r.headers);
      }
      return answer(claim.httpStatus, claim.responseBody, r.headers);
    case store::ClaimState::kFailed:
      return answer(claim.httpStatus, claim.responseBody, r.headers);
    case store::ClaimState::kClaimed:
      break;
  }

  rest::InteractionInput sender;
  sender.caller = caller;
  sender.requestId = request.requestId;
  sender.correlationId = r.headers.correlationId;
  sender.query = request.query;
  // The message's own audit record commits with what the message did (or with its error).
  const auto recordAudit = [&](store::StoreTransaction& tx, int status) {
    tx.recordAudit(
        rest::auditRecordOf(api_, rest::Route{rest::Interaction::kOperation, "", "", "", &entry_},
                            sender, status, std::nullopt));
  };
  try {
    std::string body;
    store_.inTransaction([&](store::StoreTransaction& tx) {
      checkDestination(tx, r);
      MessageProcessing processing(api_, tx, r, request.baseUrl, sender);
      const Written written = processing.run();
      body = answerJson(api_, r, written, request.baseUrl);
      store::MessageLogEntry log;
      log.sender = r.sender;
      log.xRequestId = r.headers.requestId;
      log.correlationId = r.headers.correlationId;
      log.event = r.message.event.system + "|" + r.message.event.code;
      log.partnerKind = messaging::partnerKindCode(r.kind.partner);
      rapidjson::Document requestBundle;  // the request as parsed on arrival (never changed)
      requestBundle.CopyFrom(r.bundle, requestBundle.GetAllocator());
      log.requestBundleId = keepMessage(api_, tx, requestBundle, r, "request");
      rapidjson::Document answerBundle;
      fhir::parseJson(body, answerBundle);
      log.responseBundleId = keepMessage(api_, tx, answerBundle, r, "response");
      log.nhsdHeaders = r.headers.nhsdHeadersJson;
      tx.logMessage(log);
      // A FHIR partner's repeat gets this answer again; a BaRS repeat gets 409 duplicate, so
      // its answer (already stored as the response Bundle) is not kept a second time here.
      tx.finishMessage(r.key, 200, r.kind.partner == PartnerKind::kBars ? std::string() : body);
      recordAudit(tx, 200);
    });
    rest::RestResponse done = answer(200, body, r.headers);
    done.audited = true;
    return done;
  } catch (const FhirError& e) {
    const int status = rest::statusFor(e.kind());
    const std::string outcome = messaging::receiverOutcomeJson(status, e.issues());
    rest::RestResponse refused = answer(status, outcome, r.headers);
    try {
      store_.inTransaction([&](store::StoreTransaction& tx) {
        if (status >= 500) {
          tx.releaseMessage(r.key);
        } else {
          tx.finishMessage(r.key, status, outcome);
        }
        recordAudit(tx, status);
      });
      refused.audited = true;
    } catch (const FhirError&) {
      // The claim stays in flight until it is stale; the sender's retry is then processed.
    }
    return refused;
  } catch (...) {
    try {
      store_.inTransaction([&](store::StoreTransaction& tx) { tx.releaseMessage(r.key); });
    } catch (const FhirError&) {
    }
    throw;
  }
}

}  // namespace sp::services
