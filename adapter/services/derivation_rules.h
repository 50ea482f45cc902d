// Liberal in, strict out (docs/derivation.md): before the workflow's rules and the validator see
// a ServiceRequest or Task, the hub fills in what the sender's standard does not ask for and its
// own profiles do (workflow/derivation.h), tagged as derived and said in the answer. They run
// after the code mapping rule, so a partner's code that translates needs no derivation.
// Thread-safe.
#pragma once

#include <rapidjson/document.h>

#include "mapping/mapping_set.h"
#include "rest/write_rules.h"
#include "security/organisation_registry.h"
#include "workflow/derivation.h"

namespace sp::services {

// Who the sender is, for derivation: the caller's organisation (for a message, the checked
// MessageHeader.sender), its name and the route its role maps to
// (mappings/ConceptMap-organisation-role-referral-route.json).
class SenderFacts {
 public:
  SenderFacts(const mapping::MappingSet& mappings, const security::OrganisationRegistry* registry);
  workflow::Sender of(const std::string& odsCode) const;

 private:
  const mapping::ConceptMap* routes_;
  const security::OrganisationRegistry* registry_;
};

class ReferralDerivationRule : public rest::WriteRule {
 public:
  explicit ReferralDerivationRule(const SenderFacts& senders) : senders_(senders) {}
  void beforeWrite(rapidjson::Document& referral, rest::WriteContext& context) const override;

 private:
  const SenderFacts& senders_;
};

class TaskDerivationRule : public rest::WriteRule {
 public:
  explicit TaskDerivationRule(const SenderFacts& senders) : senders_(senders) {}
  void beforeWrite(rapidjson::Document& task, rest::WriteContext& context) const override;

 private:
  const SenderFacts& senders_;
};

}  // namespace sp::services
