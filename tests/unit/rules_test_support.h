// The write path over the in-memory store (tests/support/memory_store.h), for unit tests of the
// workflow and delivery write rules: the real definitions of fhir-profiles/ with their validator
// and search index, the rules registered as adapter/main.cpp registers them (the mapping rule
// aside: no partner vocabulary here), a clock the test moves, ids in sequence, and callers with
// the roles of certs/organisations.csv. Each interaction runs as the HTTP edge runs it
// (rest/fhir_api.cpp): performInteraction in a transaction that keeps capacity refusals.
//
// The rules headers are included here only, so that moving the rules (to adapter/services/)
// changes this file's includes and the names below.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/definitions.h"
#include "fhir/errors.h"
#include "fhir/ids.h"
#include "fhir/json.h"
#include "memory_store.h"
#include "rest/interactions.h"
#include "rest/kept_refusal.h"
#include "rest/status_map.h"
#include "rest/write_rules.h"
#include "search/index_extractor.h"
#include "security/organisation_registry.h"
#include "services/capacity_refusal.h"
#include "services/delivery_rules.h"
#include "services/handover_sweeper.h"
#include "services/workflow_rules.h"
#include "validation/validator.h"

namespace sp::testing::rules {

// The names the tests use for the rules, wherever they live.
using services::HandoverSweeper;
using services::PublicBase;
using services::ReferralPushRule;
using services::ReferrerResponseRule;
using services::SubscriptionRule;
using services::WorkflowRules;
using services::WorkflowSettings;

inline const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
inline const std::string kCodes = "https://fhir.social-prescribing.example.org/CodeSystem/";
inline const std::string kProfiles =
    "https://fhir.social-prescribing.example.org/StructureDefinition/";
inline const std::string kBase = "https://hub.example.org/fhir";

// The organisations of certs/organisations.csv the tests act as.
inline const std::string kGp = "A81001";
inline const std::string kWalking = "VCS0001";
inline const std::string kCarers = "VCS0002";
inline const std::string kAdmin = "ADM0001";

// The present time as the test sets it; starts at 2026-11-25T09:00:00Z.
class TestClock : public fhir::Clock {
 public:
  fhir::TimePoint now() const override { return now_; }
  void advance(std::chrono::seconds by) { now_ += by; }

 private:
  fhir::TimePoint now_ = *fhir::parseInstant("2026-11-25T09:00:00Z");
};

// id-1, id-2, ...
class SequentialIds : public fhir::IdGenerator {
 public:
  std::string newId() override { return "id-" + std::to_string(++next_); }

 private:
  int next_ = 0;
};

inline const fhir::Definitions& definitions() {
  static const fhir::Definitions d =
      fhir::Definitions::load(std::string(SP_SOURCE_DIR) + "/fhir-profiles");
  return d;
}
inline const validation::Validator& validator() {
  static const validation::Validator v(definitions());
  return v;
}
inline const search::IndexExtractor& indexer() {
  static const search::IndexExtractor x(definitions());
  return x;
}
inline const security::OrganisationRegistry& registry() {
  static const security::OrganisationRegistry r = [] {
    std::ifstream in(std::string(SP_SOURCE_DIR) + "/certs/organisations.csv");
    std::stringstream text;
    text << in.rdbuf();
    return security::OrganisationRegistry::parse(text.str());
  }();
  return r;
}

inline rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  fhir::parseJson(text, doc);
  return doc;
}

// The string at a JSON pointer ("/status", "/entry/0/fullUrl"), or "<none>".
inline std::string at(const rapidjson::Value& doc, const char* pointer) {
  const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(doc);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "<none>";
}
inline std::string at(const std::string& json, const char* pointer) {
  return at(parse(json), pointer);
}

// What one interaction answered: its status and result, or the status and issues of its error.
struct Outcome {
  int status = 0;
  rest::InteractionResult result;
  std::vector<fhir::Issue> issues;
  std::string diagnostics() const {
    std::string all;
    for (const auto& i : issues) {
      all += i.diagnostics + (i.expression.empty() ? "" : " @" + i.expression) + "\n";
    }
    return all;
  }
};

class RulesTest : public ::testing::Test {
 protected:
  RulesTest()
      : store_(&clock_),
        workflow_(WorkflowSettings{std::chrono::hours(72)}),
        responses_(base_, nullptr),
        pushes_(base_, nullptr),
        subscriptions_(base_),
        api_{definitions(), clock_, ids_, rest::ApiLimits{}, &validator(), &rules_, &indexer()} {
    api_.followOnRules = &followOnRules_;  // no mappings: no partner's own vocabulary
    base_.set(kBase);
    workflow_.registerIn(rules_);
    services::registerDeliveryRules(rules_, responses_, pushes_, subscriptions_);
    services::registerDeliveryRules(followOnRules_, responses_, pushes_, subscriptions_);
  }

  // Runs one interaction as organisation `ods` ("": the development caller, no access rules).
  Outcome perform(const std::string& ods, rest::Interaction interaction, const std::string& type,
                  const std::string& id, const std::string& body = "") {
    rest::InteractionInput in;
    if (!body.empty()) in.body = std::make_shared<rapidjson::Document>(parse(body));
    in.baseUrl = kBase;
    if (!ods.empty()) {
      const security::Organisation* org = registry().find(ods);
      if (!org) ADD_FAILURE() << ods << " is not in certs/organisations.csv";
      if (org) in.caller = security::Caller::organisation(*org, "CN=" + ods);
    } else {
      in.caller = security::Caller::development();
    }
    const rest::Route route{interaction, type, id, ""};
    Outcome out;
    try {
      rest::inTransactionKeepingRefusals(store_, [&](store::StoreTransaction& tx) {
        out.result = rest::performInteraction(api_, tx, route, in);
      });
      out.status = out.result.status;
    } catch (const fhir::FhirError& e) {
      out.status = rest::statusFor(e.kind());
      out.issues = e.issues();
    }
    return out;
  }

  Outcome put(const std::string& ods, const std::string& type, const std::string& id,
              const std::string& body) {
    return perform(ods, rest::Interaction::kUpdate, type, id, withId(body, id));
  }

  // PUT that must succeed (201 or 200).
  void mustPut(const std::string& ods, const std::string& type, const std::string& id,
               const std::string& body) {
    const Outcome o = put(ods, type, id, body);
    ASSERT_TRUE(o.status == 200 || o.status == 201) << type << "/" << id << ": " << o.status << "\n"
                                                    << o.diagnostics();
  }

  // The stored resource (current version), parsed; an empty object when there is none.
  rapidjson::Document stored(const std::string& type, const std::string& id) {
    const auto v = store_.current(type, id);
    if (!v || v->deleted) return parse("{}");
    return parse(v->body);
  }

  // Moves a Task to `status` as organisation `ods` (PUT of the stored Task), with a reason
  // when `reason` is set and a businessStatus of the project's codes when `businessStatus` is.
  Outcome move(const std::string& ods, const std::string& taskId, const std::string& status,
               const std::string& reason = "", const std::string& businessStatus = "") {
    rapidjson::Document task = stored("Task", taskId);
    auto& a = task.GetAllocator();
    fhir::setMember(task, "status", fhir::makeString(status, a), a);
    if (!reason.empty()) {
      rapidjson::Value why(rapidjson::kObjectType);
      why.AddMember("text", fhir::makeString(reason, a), a);
      fhir::setMember(task, "statusReason", std::move(why), a);
    }
    if (!businessStatus.empty()) {
      const rapidjson::Document coded =
          parse(R"({"coding":[{"system":")" + kCodes + R"(task-business-status","code":")" +
                businessStatus + R"("}]})");
      rapidjson::Value copy;
      copy.CopyFrom(coded, a);
      fhir::setMember(task, "businessStatus", std::move(copy), a);
    }
    return put(ods, "Task", taskId, fhir::writeJson(task));
  }

  // --- the directory and the people ------------------------------------------------------

  static std::string organisation(const std::string& ods, const std::string& name,
                                  const std::string& endpointId = "") {
    return R"({"resourceType":"Organization","identifier":[{"system":")" + kOds + R"(","value":")" +
           ods + R"("}],"active":true,"name":")" + name + R"(")" +
           (endpointId.empty()
                ? std::string()
                : R"(,"endpoint":[{"reference":"Endpoint/)" + endpointId + R"("}])") +
           "}";
  }

  // A FHIR messaging Endpoint at `address`; `pushed`: it asks for BaRS referral requests.
  static std::string messagingEndpoint(const std::string& address, bool pushed = false) {
    return R"({"resourceType":"Endpoint","status":"active","connectionType":{"system":)"
           R"("http://terminology.hl7.org/CodeSystem/endpoint-connection-type","code":)"
           R"("hl7-fhir-msg"},"payloadType":[)" +
           std::string(pushed ? R"({"coding":[{"system":"https://fhir.nhs.uk/CodeSystem/)"
                                R"(message-events-bars","code":"servicerequest-request"}]})"
                              : R"({"text":"FHIR message"})") +
           R"(],"address":")" + address + R"("})";
  }

  // A directory entry provided by `providedBy` with `free` of `total` places.
  static std::string service(const std::string& name, const std::string& providedBy, int total,
                             int free) {
    return R"({"resourceType":"HealthcareService","extension":[{"url":")" + kProfiles +
           R"(capacity","extension":[{"url":"total","valueUnsignedInt":)" + std::to_string(total) +
           R"(},{"url":"free","valueUnsignedInt":)" + std::to_string(free) +
           R"(},{"url":"status","valueCode":")" + (free > 0 ? "capacity" : "no-capacity") +
           R"("}]},{"url":")" + kProfiles + R"(governance-tier","valueCoding":{"system":")" +
           kCodes + R"(governance-tier","code":"tier-1"}},{"url":")" + kProfiles +
           R"(last-reviewed","valueDate":"2026-10-14"}],"active":true,"providedBy":)"
           R"({"reference":")" +
           providedBy +
           R"("},"category":[{"coding":[{"system":)"
           R"("http://terminology.hl7.org/CodeSystem/service-category","code":"23"}]}],)"
           R"("name":")" +
           name + R"("})";
  }

  static std::string patient(const std::string& family) {
    return R"({"resourceType":"Patient","name":[{"family":")" + family + R"(","given":["Ada"]}]})";
  }

  // An sp-referral from Organization/gp about Patient/p to `performer` ("" for none).
  static std::string referral(const std::string& performer) {
    return R"({"resourceType":"ServiceRequest","extension":[{"url":")" + kProfiles +
           R"(referral-route","valueCoding":{"system":")" + kCodes +
           R"(referral-route","code":"gp"}}],"status":"active","intent":"order",)"
           R"("code":{"coding":[{"system":"http://snomed.info/sct","code":"871731000000106"}]},)"
           R"("subject":{"reference":"Patient/p"},"requester":{"reference":"Organization/gp"})" +
           (performer.empty() ? std::string()
                              : R"(,"performer":[{"reference":")" + performer + R"("}])") +
           "}";
  }

  // A warm handover (sp-handover-task, with its note): `sender` hands Task/`t1` (about
  // ServiceRequest/`referralId`) to `receiver`.
  static std::string handover(const std::string& t1, const std::string& referralId,
                              const std::string& sender, const std::string& receiver) {
    return R"({"resourceType":"Task","status":"requested","intent":"order","code":{"coding":)"
           R"([{"system":")" +
           kCodes + R"(task-code","code":"warm-handover"}]},"partOf":[{"reference":"Task/)" + t1 +
           R"("}],"focus":{"reference":"ServiceRequest/)" + referralId +
           R"("},"for":{"reference":"Patient/p"},"requester":{"reference":")" + sender +
           R"("},"owner":{"reference":")" + receiver +
           R"("},"input":[{"type":{"text":"Handover note"},"valueString":"Prefers mornings."}]})";
  }

  // The people and places most tests need: the GP practice (messaging Endpoint at
  // https://gp.example.org/fhir/$process-message), two VCSE providers, the walking group's
  // service Walks with `walksFree` of 10 places, and the person Patient/p.
  void setUpDirectory(int walksFree) {
    mustPut(kAdmin, "Endpoint", "gp-endpoint",
            messagingEndpoint("https://gp.example.org/fhir/$process-message"));
    mustPut(kAdmin, "Organization", "gp", organisation(kGp, "Riverside", "gp-endpoint"));
    mustPut(kAdmin, "Organization", "walking", organisation(kWalking, "Walking Friends"));
    mustPut(kAdmin, "Organization", "carers", organisation(kCarers, "Carers Circle"));
    mustPut(kAdmin, "HealthcareService", "walks",
            service("Walks", "Organization/walking", 10, walksFree));
    mustPut(kGp, "Patient", "p", patient("Pryce"));
  }

  // A referral by the GP to `performer` with a chosen id; its Task is `id`-task.
  void refer(const std::string& id, const std::string& performer) {
    mustPut(kGp, "ServiceRequest", id, referral(performer));
  }

  int freePlaces(const std::string& serviceId) {
    rapidjson::Document service = stored("HealthcareService", serviceId);
    const rapidjson::Value* free =
        rapidjson::Pointer("/extension/0/extension/1/valueUnsignedInt").Get(service);
    return free && free->IsInt64() ? static_cast<int>(free->GetInt64()) : -1;
  }

  static std::string withId(const std::string& body, const std::string& id) {
    rapidjson::Document doc = parse(body);
    fhir::setMember(doc, "id", fhir::makeString(id, doc.GetAllocator()), doc.GetAllocator());
    return fhir::writeJson(doc);
  }

  TestClock clock_;
  SequentialIds ids_;
  MemoryStore store_;
  WorkflowRules workflow_;
  PublicBase base_;
  ReferrerResponseRule responses_;
  ReferralPushRule pushes_;
  SubscriptionRule subscriptions_;
  rest::WriteRules rules_;
  rest::WriteRules followOnRules_;
  rest::ApiContext api_;
};

}  // namespace sp::testing::rules
