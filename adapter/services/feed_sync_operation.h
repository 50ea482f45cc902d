// POST /HealthcareService/$sync-feed?feed=<id>: syncs one directory feed of mappings/feeds/
// now (services/feed_sync.h), or every feed when `feed` is not given, and answers an
// OperationOutcome per feed (a Bundle is not needed: one outcome lists every feed's summary and
// issues, each issue located by feed, page and position). Only the directory team
// (directory-administrator) and the development caller may run it: others get 403. An unknown
// feed gets 404. Thread-safe: concurrent syncs of one feed are safe (each service is written
// under its identifier's lock) but wasteful.
#pragma once

#include <string>
#include <vector>

#include "delivery/message_sender.h"
#include "mapping/mapping_set.h"
#include "mapping/oruk_feed.h"
#include "mapping/oruk_service.h"
#include "rest/interactions.h"
#include "rest/operations.h"
#include "services/feed_sync.h"
#include "store/resource_store.h"
#include "store/sync_gate.h"

namespace sp::services {

// The ConceptMaps a feed names, from the loaded mapping tables. Throws
// mapping::FeedConfigError naming a map the tables do not have.
mapping::TaxonomyMaps taxonomyMapsFor(const mapping::OrukFeed& feed,
                                      const mapping::MappingSet& mappings);

class FeedSyncOperation : public rest::RequestOperation {
 public:
  // Everything must outlive the operation. Throws mapping::FeedConfigError as taxonomyMapsFor.
  FeedSyncOperation(store::ResourceStore& store, const rest::ApiContext& ctx,
                    delivery::MessageSender& http, std::vector<mapping::OrukFeed> feeds,
                    const mapping::MappingSet& mappings);

  rest::RestResponse handle(const rest::RestRequest& request,
                            const security::Caller& caller) const override;
  rest::OperationEntry entry() const;

  // With a gate (store/sync_gate.h), a sync on request takes it like the periodic one: a feed
  // another adapter is syncing now is not synced again (the report says so), and the sync
  // counts as the feed's last one. Call before the first request.
  void useGate(store::SyncGate* gate) { gate_ = gate; }

  // Syncs one feed (by id); throws FhirError kNotFound for an unknown one.
  FeedSyncReport sync(const std::string& feedId) const;
  // The same, without asking the gate (the periodic sync has asked it already).
  FeedSyncReport syncUngated(const std::string& feedId) const;
  const std::vector<mapping::OrukFeed>& feeds() const { return feeds_; }

 private:
  store::ResourceStore& store_;
  const rest::ApiContext& ctx_;
  delivery::MessageSender& http_;
  std::vector<mapping::OrukFeed> feeds_;
  std::vector<mapping::TaxonomyMaps> maps_;  // one per feed
  store::SyncGate* gate_ = nullptr;
};

}  // namespace sp::services
