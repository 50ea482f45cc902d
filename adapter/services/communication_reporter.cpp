#include <iostream>

#include "delivery/endpoints.h"
#include "delivery/subscription.h"
#include "fhir/base64.h"
#include "fhir/errors.h"
#include "fhir/json.h"
#include "fhir/project_urls.h"
#include "rest/resource_write.h"
#include "services/delivery_parties.h"
#include "services/delivery_rules.h"
#include "services/stored_resource.h"
#include "workflow/references.h"
#include "workflow/vocabulary.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;
using rapidjson::Value;

std::string undeliveredCommunicationId(std::int64_t outboxId) {
  return "undelivered-" + std::to_string(outboxId);
}

namespace {

// R4: the Subscription (`about`, "Subscription/id") whose notification could not be delivered
// goes to status `error` with the reason; it is notified no more until its owner sets it active
// again. Written without the write rules (they would make it active).
void markSubscriptionInError(const rest::ApiContext& api, store::StoreTransaction& tx,
                             const std::string& about, const std::string& reason) {
  const std::string prefix = "Subscription/";
  if (about.rfind(prefix, 0) != 0) return;
  const std::string id = about.substr(prefix.size());
  const auto held = tx.current("Subscription", id, true);
  if (!held || held->deleted) return;
  rapidjson::Document subscription;
  fhir::parseJson(held->body, subscription);
  auto failed = delivery::subscriptionInError(subscription, "Notification undelivered: " + reason);
  if (!failed) return;
  rest::ApiContext bare = api;
  bare.rules = nullptr;
  rest::InteractionInput in;
  rest::InteractionResult result;
  rest::writeVersion(bare, tx, "Subscription", id, *failed, held, "PUT", in, result);
}

// The organisation behind a party kept as partyText, as an undelivered notice names it: an
// Organization by its literal reference and its ODS code; a PractitionerRole or
// HealthcareService as the organisation behind it (itself when it names none); an ODS code as
// the identifier, with the literal reference when exactly one Organization has that code. The
// compartment grants the notice to whichever organisation it names (security/compartment.h).
Value organisationReference(store::StoreTransaction& tx, const std::string& text,
                            rapidjson::Document::AllocatorType& a, int depth = 0) {
  std::string literal;
  std::string ods = odsOfPartyText(text);
  if (!ods.empty()) {
    const auto ids =
        tx.findByIdentifier("Organization", store::IdentifierToken{workflow::kOdsSystem, ods});
    if (ids.size() == 1) literal = "Organization/" + ids.front();
  } else {
    literal = text;
    const auto local = workflow::parseReference(text);
    if (local.type == "Organization") {
      if (auto organisation = loadResource(tx, "Organization", local.id)) {
        ods = firstOds(organisation->doc);
      }
    } else if ((local.type == "PractitionerRole" || local.type == "HealthcareService") &&
               depth < 2) {
      if (auto party = loadResource(tx, local.type, local.id)) {
        const std::string behind = partyText(fhir::findMember(
            party->doc, local.type == "PractitionerRole" ? "organization" : "providedBy"));
        if (!behind.empty()) return organisationReference(tx, behind, a, depth + 1);
      }
    }
  }
  Value out(rapidjson::kObjectType);
  if (!literal.empty()) {
    out.AddMember("reference", fhir::makeString(literal, a), a);
  } else if (!ods.empty()) {
    out.AddMember("type", "Organization", a);
  }
  if (!ods.empty()) {
    Value identifier(rapidjson::kObjectType);
    identifier.AddMember("system", fhir::makeString(workflow::kOdsSystem, a), a);
    identifier.AddMember("value", fhir::makeString(ods, a), a);
    out.AddMember("identifier", identifier, a);
  }
  return out;
}

}  // namespace

void CommunicationReporter::reportUndelivered(const store::OutboxEntry& entry, int attempts,
                                              const std::string& reason) {
  const std::string id = undeliveredCommunicationId(entry.id);
  store_.inTransaction([&](store::StoreTransaction& tx) {
    const auto existing = tx.current("Communication", id, true);
    if (existing && !existing->deleted) return;  // reported before a crash: once is enough
    if (entry.message.kind == kSubscriptionNotification) {
      markSubscriptionInError(api_, tx, entry.message.about, reason);
    }
    rapidjson::Document c(rapidjson::kObjectType);
    auto& a = c.GetAllocator();
    const auto text = [&a](const std::string& s) { return fhir::makeString(s, a); };
    const auto reference = [&](const std::string& r) {
      Value out(rapidjson::kObjectType);
      out.AddMember("reference", text(r), a);
      return out;
    };
    c.AddMember("resourceType", "Communication", a);
    Value identifier(rapidjson::kObjectType);
    identifier.AddMember("system", text(fhir::kOutboxMessageIdSystem), a);
    identifier.AddMember("value", text(std::to_string(entry.id)), a);
    Value identifiers(rapidjson::kArrayType);
    identifiers.PushBack(identifier, a);
    c.AddMember("identifier", identifiers, a);
    if (!entry.message.about.empty()) {
      Value basedOn(rapidjson::kArrayType);
      basedOn.PushBack(reference(entry.message.about), a);
      c.AddMember("basedOn", basedOn, a);
    }
    c.AddMember("status", "not-done", a);
    Value statusReason(rapidjson::kObjectType);
    statusReason.AddMember("text", text("Undelivered: " + reason), a);
    c.AddMember("statusReason", statusReason, a);
    // Whoever sent it and whoever it was for find it: the compartment grants it to both.
    if (!entry.message.recipient.empty()) {
      Value recipients(rapidjson::kArrayType);
      recipients.PushBack(organisationReference(tx, entry.message.recipient, a), a);
      c.AddMember("recipient", recipients, a);
    }
    if (!entry.message.origin.empty()) {
      c.AddMember("sender", organisationReference(tx, entry.message.origin, a), a);
    }
    // The message itself, exactly as it was sent, so that it can be passed on another way.
    if (!entry.message.body.empty()) {
      Value attachment(rapidjson::kObjectType);
      attachment.AddMember("contentType", text(entry.message.contentType), a);
      attachment.AddMember("data", text(fhir::base64Encode(entry.message.body)), a);
      attachment.AddMember("title", text("The undelivered " + entry.message.kind + " message"), a);
      Value payload(rapidjson::kObjectType);
      payload.AddMember("contentAttachment", attachment, a);
      Value payloads(rapidjson::kArrayType);
      payloads.PushBack(payload, a);
      c.AddMember("payload", payloads, a);
    }
    Value note(rapidjson::kObjectType);
    note.AddMember("text",
                   text("The adapter could not deliver a " + entry.message.kind + " message to " +
                        entry.message.url + " after " + std::to_string(attempts) +
                        " attempt(s); X-Correlation-Id " + entry.message.correlationId + "."),
                   a);
    Value notes(rapidjson::kArrayType);
    notes.PushBack(note, a);
    c.AddMember("note", notes, a);
    rest::ApiContext bare = api_;
    bare.rules = nullptr;
    rest::InteractionInput in;
    rest::InteractionResult result;
    rest::writeVersion(bare, tx, "Communication", id, c, existing, "PUT", in, result);
  });
}

}  // namespace sp::services
