#include "services/derivation_rules.h"

#include "fhir/json.h"
#include "fhir/project_urls.h"
#include "mapping/translate.h"
#include "services/stored_resource.h"
#include "workflow/references.h"

namespace sp::services {

namespace {

constexpr const char* kRouteMap =
    "https://fhir.social-prescribing.example.org/ConceptMap/organisation-role-referral-route";
constexpr const char* kRoleSystem =
    "https://fhir.social-prescribing.example.org/CodeSystem/organisation-role";

void keep(std::vector<fhir::Issue> issues, rest::WriteContext& c) {
  for (auto& issue : issues) c.warnings.push_back(std::move(issue));
}

}  // namespace

SenderFacts::SenderFacts(const mapping::MappingSet& mappings,
                         const security::OrganisationRegistry* registry)
    : routes_(mappings.conceptMap(kRouteMap)), registry_(registry) {}

workflow::Sender SenderFacts::of(const std::string& odsCode) const {
  workflow::Sender sender;
  sender.odsCode = odsCode;
  const security::Organisation* org =
      registry_ && !odsCode.empty() ? registry_->find(odsCode) : nullptr;
  if (!org) return sender;
  sender.name = org->name;
  if (!routes_) return sender;
  mapping::TranslateQuery query;
  query.system = kRoleSystem;
  query.code = std::string(security::roleCode(org->role));
  query.targetSystem = fhir::kReferralRouteSystem;
  for (const mapping::Match& m : mapping::translate(*routes_, query)) {
    if (!m.concept.code.empty() && mapping::anyTranslation({m})) {
      sender.route = m.concept.code;
      break;
    }
  }
  return sender;
}

void ReferralDerivationRule::beforeWrite(rapidjson::Document& referral,
                                         rest::WriteContext& c) const {
  keep(workflow::deriveReferral(referral, senders_.of(c.caller.odsCode)), c);
}

void TaskDerivationRule::beforeWrite(rapidjson::Document& task, rest::WriteContext& c) const {
  if (!task.IsObject() || workflow::taskKind(task) == workflow::TaskKind::kOther) return;
  const auto focus = workflow::localReference(fhir::findMember(task, "focus"));
  std::unique_ptr<ParsedResource> referral;
  if (focus.type == "ServiceRequest")
    referral = loadResource(c.tx, "ServiceRequest", focus.id, false);
  keep(workflow::deriveTask(task, referral ? &referral->doc : nullptr,
                            senders_.of(c.caller.odsCode)),
       c);
}

}  // namespace sp::services
