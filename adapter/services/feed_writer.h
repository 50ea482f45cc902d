// Stores what a directory feed says (mapping/oruk_service.h) through the one write path: each
// resource is found by its feed identifier and created or updated by the FHIR interactions, so
// it is validated, indexed, run through the write rules (an imported entry is tagged
// `directory-unassured`, docs/workflow.md) and audited, as the adapter acting for the feed's
// partner.
//
// Idempotent and respectful of local changes (docs/directory-feeds.md, "Who wins"): each
// resource written from a feed carries a fingerprint of its content in meta.tag
// (kFeedFingerprintTagSystem). A resource whose new content has the stored fingerprint is left
// alone (no new version); one whose stored content no longer has its own fingerprint was
// changed here (by the directory team) and is kept as it is: the feed never overwrites it.
// Thread-safe (no state); the transaction is the caller's.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "mapping/oruk_service.h"
#include "rest/interactions.h"
#include "security/caller.h"
#include "store/resource_store.h"

namespace sp::services {

inline constexpr const char* kFeedFingerprintTagSystem =
    "https://fhir.social-prescribing.example.org/tag/feed-fingerprint";

enum class FeedWrite { kCreated, kUpdated, kUnchanged, kKeptLocal };

const char* feedWriteName(FeedWrite outcome);

// Who writes: the adapter acting for the feed's partner, and the X-Correlation-Id its audit
// records carry ("directory-feed:<feed id>"), so the audit trail tells imported writes apart.
struct FeedActor {
  security::Caller caller;
  std::string correlationId;
};

// The fingerprint of a resource's content: everything but `meta` and `id`, as 16 hex digits.
std::string feedFingerprint(const rapidjson::Value& resource);

struct FeedWriteResult {
  FeedWrite outcome = FeedWrite::kUnchanged;
  std::string id;  // the stored resource's id
};

// Creates or updates the `type` resource identified by `system`|`value` with `resource` (which
// gets its fingerprint tag). Throws FhirError as the write path does (422 when it does not
// validate; 409 when two stored resources share the identifier).
FeedWriteResult writeFromFeed(const rest::ApiContext& ctx, store::StoreTransaction& tx,
                              const std::string& type, const std::string& system,
                              const std::string& value, rapidjson::Document& resource,
                              const FeedActor& actor);

// Organization, Locations and HealthcareService of one mapped service, references filled in
// (Reference.reference beside the identifier). The service's outcome is returned.
FeedWriteResult writeMappedService(const rest::ApiContext& ctx, store::StoreTransaction& tx,
                                   const mapping::OrukFeed& feed, mapping::MappedService& mapped,
                                   const FeedActor& actor);

// Sets active=false on the stored HealthcareService `id` (a service gone from its feed), unless
// it is inactive already or was changed here. Never deletes: referrals point at it.
FeedWriteResult deactivateFromFeed(const rest::ApiContext& ctx, store::StoreTransaction& tx,
                                   const std::string& id, const FeedActor& actor);

}  // namespace sp::services
