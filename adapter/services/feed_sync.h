// One sync of an Open Referral UK feed (docs/directory-feeds.md): its `/services` pages are
// fetched from the first to the last, each service is mapped (mapping/oruk_service.h) and
// stored with its organisation and locations in a transaction of its own (services/
// feed_writer.h), and once every page has been read, the feed's services that are no longer in
// it are made inactive (never deleted). A page that cannot be fetched or is not a page, and a
// service that fails the schema or the validator, are reported with their position and skipped;
// the rest still syncs. When a page is missing, nothing is made inactive (the feed was not
// read whole).
//
// The network is behind delivery::MessageSender (http/http_post_client.h sends GET too), so the
// sync is tested without one. Thread-safe if the sender is; runs can overlap only if the caller
// lets them (the periodic sync takes a database lock, services/feed_scheduler.h).
#pragma once

#include <string>
#include <vector>

#include "delivery/message_sender.h"
#include "fhir/errors.h"
#include "mapping/oruk_feed.h"
#include "mapping/oruk_service.h"
#include "rest/interactions.h"
#include "store/resource_store.h"

namespace sp::services {

struct FeedSyncReport {
  std::string feed;
  int pages = 0;
  int services = 0;  // services read from the feed
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  int keptLocal = 0;     // changed here: the feed does not overwrite them
  int refused = 0;       // failing the schema or the validator
  int deactivated = 0;   // gone from the feed
  bool complete = true;  // every page was read
  std::vector<fhir::Issue> issues;

  // One line: "feed x: 3 pages, 12 services: 2 created, ...".
  std::string summary() const;
  // The OperationOutcome of the sync: the summary (information) and every issue.
  std::string outcomeJson() const;
};

// The name of a feed's sync as a periodic job (store/sync_gate.h).
inline std::string feedJobName(const std::string& feedId) { return "directory-feed:" + feedId; }

// Ends a feed after this many pages even if it says there are more.
inline constexpr int kMaxFeedPages = 10000;

FeedSyncReport syncFeed(const rest::ApiContext& ctx, store::ResourceStore& store,
                        delivery::MessageSender& http, const mapping::OrukFeed& feed,
                        const mapping::TaxonomyMaps& maps);

}  // namespace sp::services
