// POST /$process-message (issue 6, receiving side): a FHIR message in, its answer out.
//
// The message semantics (envelope, event classification, keys, answers, receiver codes) are in
// messaging/; this is the orchestration over the store:
//  1. read the headers and the envelope, classify the event, check the sender against the
//     client certificate (when there is one);
//  2. claim the message's de-duplication key in its own short transaction (every server
//     process sees it at once): a repeat gets the stored answer, 409 duplicate (BaRS) or 425
//     while the first copy is still in flight;
//  3. in one transaction: check the destination, run the event through the same write path as
//     REST (rest/bundle_processor, write rules, workflow rules), store the request and the
//     answer as Bundle resources, log the message, record the referral's conversation, mark
//     the key processed, and write the message's audit record;
//  4. a failure rolls all of that back and records the error answer under the key (a 5xx
//     releases the key instead, so the sender's retry is processed afresh), with the audit
//     record of the refusal.
// Every error is an OperationOutcome with a BaRS receiver code (messaging/receiver_codes.h).
#pragma once

#include "rest/interactions.h"
#include "rest/operations.h"
#include "rest/rest_types.h"
#include "store/resource_store.h"

namespace sp::mapping {
class MappingSet;
}

namespace sp::services {

// Registered at system level as $process-message (entry()); the API routes to it and writes the
// audit record of a request it refused before handle() was reached.
class MessageReceiver : public rest::RequestOperation {
 public:
  // `mappings` supplies the BaRS event ConceptMap (null: BaRS events are refused).
  MessageReceiver(store::ResourceStore& store, const rest::ApiContext& api,
                  const mapping::MappingSet* mappings);

  // `caller` is who sent the message (its client certificate): the message's entries and the
  // changes they ask for run as that caller, under the same access rules as REST.
  rest::RestResponse handle(const rest::RestRequest& request,
                            const security::Caller& caller) const override;
  // Refusals carry the BaRS receiver codes messaging partners read.
  std::string errorBody(int status, const std::vector<fhir::Issue>& issues) const override;

  // Its entry in the operation table: POST /$process-message.
  const rest::OperationEntry& entry() const { return entry_; }

  // How long a claim may stay in flight before another process takes it over (its process died).
  static constexpr int kStaleClaimSeconds = 60;

 private:
  store::ResourceStore& store_;
  const rest::ApiContext& api_;
  const mapping::MappingSet* mappings_;
  rest::OperationEntry entry_;
};

}  // namespace sp::services
