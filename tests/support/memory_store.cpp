#include "memory_store.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "fhir/errors.h"
#include "store/search_request.h"

namespace sp::testing {

using fhir::ErrorKind;
using fhir::FhirError;
using store::CriterionKind;

namespace {

// meta.security R, as the search index holds it under _security (store/pg/access_sql.cpp).
constexpr const char* kConfidentialitySystem =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

[[noreturn]] void unsupported(const std::string& what) {
  throw std::logic_error("MemoryStore: " + what + " is not supported");
}

struct StoredVersion {
  store::ResourceVersion version;
  std::int64_t seq = 0;  // order of writing across all resources, for history
};

struct Resource {
  std::vector<StoredVersion> versions;  // version n at index n - 1 (append keeps them so)
  std::vector<store::IdentifierToken> identifiers;  // of the current version
  store::SearchIndex index;                         // of the current version
  const store::ResourceVersion& current() const { return versions.back().version; }
};

struct ConversationRow {
  store::Conversation conversation;
  std::string requestMessageId;
  std::int64_t order = 0;  // when it was recorded: the first one matching wins
};

struct Claim {
  std::string state;  // processing, processed, failed
  fhir::TimePoint claimedAt;
  int httpStatus = 0;
  std::string body;
};

using Key = std::pair<std::string, std::string>;                               // type, id
using Grant = std::tuple<std::string, std::string, std::string, std::string>;  // + org, basis
using ClaimKey = std::tuple<std::string, std::string, std::string>;            // sender, kind, key

}  // namespace

struct MemoryStore::State {
  std::map<Key, Resource> resources;
  std::int64_t nextSeq = 1;
  std::set<Grant> grants;
  std::map<Grant, std::set<std::string>> grantVias;     // what each grant came through
  std::set<std::pair<std::string, std::string>> ended;  // (via, organisation)
  std::vector<store::OutboxMessage> outbox;
  std::vector<store::CapacityRefusal> refusals;
  std::vector<std::pair<std::int64_t, store::AuditRecord>> audit;  // (sequence, record)
  std::int64_t nextAuditSeq = 1;
  std::map<std::string, ConversationRow> conversations;  // by ServiceRequest id
  std::int64_t nextConversation = 1;
  std::map<ClaimKey, Claim> claims;
  std::vector<store::MessageLogEntry> messageLog;
};

namespace {

using State = MemoryStore::State;

const Resource* findResource(const State& s, const std::string& type, const std::string& id) {
  auto it = s.resources.find({type, id});
  return it == s.resources.end() ? nullptr : &it->second;
}

bool restricted(const State& s, const std::string& type, const std::string& id) {
  const Resource* r = findResource(s, type, id);
  if (!r) return false;
  return std::any_of(r->index.tokens.begin(), r->index.tokens.end(), [](const auto& t) {
    return t.param == "_security" && t.system == kConfidentialitySystem && t.code == "R";
  });
}

// store/access.h: an open type, or a grant to the organisation or to everyone; a grant as
// performer or pool does not count for a restricted resource.
bool visibleIn(const State& s, const std::string& type, const std::string& id,
               const store::AccessFilter& filter) {
  const auto& open = filter.openTypes;
  if (std::find(open.begin(), open.end(), type) != open.end()) return true;
  for (const std::string& organisation : {filter.organisation, std::string("*")}) {
    for (auto it = s.grants.lower_bound({type, id, organisation, ""});
         it != s.grants.end() && std::get<0>(*it) == type && std::get<1>(*it) == id &&
         std::get<2>(*it) == organisation;
         ++it) {
      const std::string& basis = std::get<3>(*it);
      if ((basis != "performer" && basis != "pool") || !restricted(s, type, id)) return true;
    }
  }
  return false;
}

// --- search --------------------------------------------------------------------------------

std::vector<std::string> splitParams(const std::string& param) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto bar = param.find('|', start);
    out.push_back(param.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) return out;
    start = bar + 1;
  }
}

bool isTypeName(const std::string& modifier) {
  return !modifier.empty() && modifier[0] >= 'A' && modifier[0] <= 'Z';
}

// Throws for a criterion this store cannot evaluate (before any row is looked at, so that an
// unsupported search fails also when nothing would match).
void checkSupported(const store::SearchCriterion& c) {
  if (c.chained || !c.chainType.empty()) unsupported("a chained parameter (" + c.param + ")");
  if (c.kind == CriterionKind::kHas || !c.hasType.empty()) unsupported("_has");
  const std::string& m = c.modifier;
  switch (c.kind) {
    case CriterionKind::kId:
      if (!m.empty() && m != "not") unsupported("_id:" + m);
      break;
    case CriterionKind::kToken:
      if (!m.empty() && m != "not" && m != "text" && m != "missing") {
        unsupported("the modifier :" + m + " on token " + c.param);
      }
      break;
    case CriterionKind::kReference:
      if (!m.empty() && m != "missing" && !isTypeName(m)) {
        unsupported("the modifier :" + m + " on reference " + c.param);
      }
      break;
    case CriterionKind::kString:
      if (!m.empty() && m != "exact" && m != "contains" && m != "missing") {
        unsupported("the modifier :" + m + " on string " + c.param);
      }
      break;
    case CriterionKind::kDate:
      unsupported("a date parameter (" + c.param + ")");
    case CriterionKind::kNumber:
      unsupported("a number or quantity parameter (" + c.param + ")");
    case CriterionKind::kUri:
      unsupported("a uri parameter (" + c.param + ")");
    case CriterionKind::kLastUpdated:
      unsupported("_lastUpdated");
    case CriterionKind::kNear:
      unsupported("near");
    case CriterionKind::kHas:
      unsupported("_has");
  }
  for (const store::SearchValue& v : c.values) {
    if (v.prefix != "eq") unsupported("the prefix " + v.prefix + " on " + c.param);
  }
}

void checkSupported(const store::SearchRequest& request) {
  for (const auto& c : request.criteria) checkSupported(c);
  if (!request.sort.empty()) unsupported("_sort");
  if (!request.includes.empty()) unsupported("_include and _revinclude");
  if (request.cursor && request.cursor->backwards) unsupported("a backward page");
  if (request.cursor && !request.cursor->values.empty()) {
    throw FhirError(ErrorKind::kInvalid, "value", "The paging cursor does not fit this search");
  }
}

bool inParams(const std::vector<std::string>& params, const std::string& param) {
  return std::find(params.begin(), params.end(), param) != params.end();
}

bool startsWith(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

bool tokenMatches(const store::SearchCriterion& c, const store::SearchValue& v,
                  const store::TokenRow& row) {
  if (c.modifier == "text") return startsWith(row.text, v.text);
  if (!v.code.empty() && row.code != v.code) return false;
  return !v.hasSystem || row.system == v.system;
}

bool referenceMatches(const store::SearchValue& v, const store::ReferenceRow& row) {
  if (v.targetId.empty()) return row.url == v.text;
  return row.targetId == v.targetId && (v.targetType.empty() || row.targetType == v.targetType);
}

bool stringMatches(const store::SearchCriterion& c, const store::SearchValue& v,
                   const store::StringRow& row) {
  if (c.modifier == "exact") return row.exact == v.text;
  if (c.modifier == "contains") return row.normalised.find(v.text) != std::string::npos;
  return startsWith(row.normalised, v.text);
}

// True when a row of `rows` for one of the criterion's parameters passes `test`.
template <typename Row, typename Test>
bool anyRow(const std::vector<Row>& rows, const std::vector<std::string>& params, Test test) {
  return std::any_of(rows.begin(), rows.end(),
                     [&](const Row& row) { return inParams(params, row.param) && test(row); });
}

// Whether resource `id` (its index `index`) passes criterion `c` (already checked supported).
bool matches(const store::SearchCriterion& c, const std::string& id,
             const store::SearchIndex& index) {
  if (c.kind == CriterionKind::kId) {
    const bool any = std::any_of(c.values.begin(), c.values.end(),
                                 [&](const store::SearchValue& v) { return v.text == id; });
    return c.modifier == "not" ? !any : any;
  }
  const std::vector<std::string> params = splitParams(c.param);
  const bool missing = c.modifier == "missing";
  const auto always = [](const auto&) { return true; };
  bool any = false;
  switch (c.kind) {
    case CriterionKind::kToken:
      if (missing) {
        any = anyRow(index.tokens, params, always);
        break;
      }
      for (const auto& v : c.values) {
        any = any || anyRow(index.tokens, params,
                            [&](const store::TokenRow& row) { return tokenMatches(c, v, row); });
      }
      break;
    case CriterionKind::kReference:
      if (missing) {
        any = anyRow(index.references, params, always);
        break;
      }
      for (const auto& v : c.values) {
        any = any || anyRow(index.references, params, [&](const store::ReferenceRow& row) {
                return referenceMatches(v, row);
              });
      }
      break;
    case CriterionKind::kString:
      if (missing) {
        any = anyRow(index.strings, params, always);
        break;
      }
      for (const auto& v : c.values) {
        any = any || anyRow(index.strings, params,
                            [&](const store::StringRow& row) { return stringMatches(c, v, row); });
      }
      break;
    default:
      unsupported("this criterion");  // checkSupported let nothing else through
  }
  if (missing) return c.missing ? !any : any;
  return c.modifier == "not" ? !any : any;
}

bool matchesAll(const store::SearchRequest& request, const Key& key, const Resource& r) {
  if (!request.types.empty() &&
      std::find(request.types.begin(), request.types.end(), key.first) == request.types.end()) {
    return false;
  }
  if (r.current().deleted) return false;
  for (const auto& c : request.criteria) {
    if (!matches(c, key.second, r.index)) return false;
  }
  return true;
}

std::int64_t millisOf(fhir::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

// --- the transaction -----------------------------------------------------------------------

class MemoryStore::Transaction : public store::StoreTransaction {
 public:
  Transaction(State& state, bool readOnly, const fhir::Clock& clock)
      : s_(state), readOnly_(readOnly), clock_(clock) {}

  std::optional<store::ResourceVersion> current(const std::string& type, const std::string& id,
                                                bool forUpdate) override {
    (void)forUpdate;  // transactions run one at a time: nobody else can write it meanwhile
    const Resource* r = findResource(s_, type, id);
    if (!r) return std::nullopt;
    return r->current();
  }

  std::optional<store::ResourceVersion> version(const std::string& type, const std::string& id,
                                                std::int64_t versionId) override {
    const Resource* r = findResource(s_, type, id);
    if (!r || versionId < 1 || versionId > static_cast<std::int64_t>(r->versions.size())) {
      return std::nullopt;
    }
    return r->versions[static_cast<std::size_t>(versionId - 1)].version;
  }

  void append(const store::ResourceVersion& v, std::vector<store::IdentifierToken> identifiers,
              store::SearchIndex index) override {
    requireWritable("append");
    const Resource* existing = findResource(s_, v.type, v.id);
    const std::int64_t latest = existing ? static_cast<std::int64_t>(existing->versions.size()) : 0;
    if (v.versionId <= latest) {
      // What the unique key on (type, id, version) makes of a second writer in PostgreSQL.
      throw FhirError(ErrorKind::kConflict, "conflict",
                      "A concurrent request changed the same resource; retry");
    }
    if (v.versionId != latest + 1) {
      throw std::logic_error("MemoryStore: " + v.type + "/" + v.id + " version " +
                             std::to_string(v.versionId) + " appended after version " +
                             std::to_string(latest) + " (it must be the next one)");
    }
    Resource& r = s_.resources[{v.type, v.id}];
    StoredVersion stored{v, s_.nextSeq++};
    // PostgreSQL keeps milliseconds.
    stored.version.lastUpdated =
        std::chrono::time_point_cast<std::chrono::milliseconds>(v.lastUpdated);
    r.versions.push_back(std::move(stored));
    r.identifiers = std::move(identifiers);
    r.index = std::move(index);
  }

  std::vector<std::string> findByIdentifier(const std::string& type,
                                            const store::IdentifierToken& token) override {
    std::vector<std::string> ids;
    for (auto it = s_.resources.lower_bound({type, ""});
         it != s_.resources.end() && it->first.first == type; ++it) {
      if (it->second.current().deleted) continue;
      const auto& identifiers = it->second.identifiers;
      if (std::any_of(identifiers.begin(), identifiers.end(), [&](const auto& t) {
            return t.value == token.value && (token.system.empty() || t.system == token.system);
          })) {
        ids.push_back(it->first.second);
      }
    }
    return ids;
  }

  store::HistoryPage history(const store::HistoryQuery& q) override {
    std::vector<const StoredVersion*> found;
    for (const auto& [key, r] : s_.resources) {
      if (q.type && key.first != *q.type) continue;
      if (q.id && key.second != *q.id) continue;
      if (q.access && !visibleIn(s_, key.first, key.second, *q.access)) continue;
      for (const StoredVersion& sv : r.versions) {
        if (q.sinceMillis && millisOf(sv.version.lastUpdated) < *q.sinceMillis) continue;
        if (q.beforeSequence && sv.seq >= *q.beforeSequence) continue;
        found.push_back(&sv);
      }
    }
    std::sort(found.begin(), found.end(),
              [](const StoredVersion* a, const StoredVersion* b) { return a->seq > b->seq; });
    store::HistoryPage page;
    if (q.count <= 0) return page;
    for (std::size_t i = 0; i < found.size() && static_cast<int>(i) < q.count; ++i) {
      page.versions.push_back(found[i]->version);
    }
    if (static_cast<int>(found.size()) > q.count) {
      page.nextCursor = found[static_cast<std::size_t>(q.count - 1)]->seq;
    }
    return page;
  }

  store::SearchResult search(const store::SearchRequest& request) override {
    checkSupported(request);
    std::vector<const std::pair<const Key, Resource>*> all;
    for (const auto& entry : s_.resources) {
      if (!matchesAll(request, entry.first, entry.second)) continue;
      if (request.access &&
          !visibleIn(s_, entry.first.first, entry.first.second, *request.access)) {
        continue;
      }
      all.push_back(&entry);
    }
    store::SearchResult result;
    if (request.total) {
      result.total = static_cast<std::int64_t>(all.size());  // the cursor does not count
    }
    if (request.count <= 0) return result;
    auto from = all.begin();
    if (request.cursor) {
      const Key after{request.cursor->type, request.cursor->id};
      from = std::find_if(all.begin(), all.end(), [&](const auto* e) { return e->first > after; });
      result.hasBefore = true;
    }
    for (auto it = from; it != all.end(); ++it) {
      if (static_cast<int>(result.matches.size()) == request.count) {
        result.hasMore = true;
        break;
      }
      store::SearchMatch m;
      m.version = (*it)->second.current();
      result.matches.push_back(std::move(m));
    }
    return result;
  }

  void lockKey(const std::string& key) override {
    (void)key;  // transactions run one at a time: every key is held already
  }

  void enqueue(const store::OutboxMessage& message) override {
    requireWritable("enqueue");
    s_.outbox.push_back(message);
  }

  void recordCapacityRefusal(const store::CapacityRefusal& refusal) override {
    requireWritable("recordCapacityRefusal");
    s_.refusals.push_back(refusal);
  }

  void withinSavepoint(const std::function<void(store::StoreTransaction&)>& work) override {
    if (readOnly_) throw std::logic_error("a savepoint needs a read-write transaction");
    State saved = s_;
    try {
      work(*this);
    } catch (...) {
      s_ = std::move(saved);  // everything the work wrote, undone
      throw;
    }
  }

  void grantAccess(const std::vector<store::AccessGrant>& grants) override {
    requireWritable("grantAccess");
    for (const auto& g : grants) {
      s_.grants.insert({g.type, g.id, g.organisation, g.basis});
      s_.grantVias[{g.type, g.id, g.organisation, g.basis}].insert(g.via);
    }
  }

  void revokeAccess(const store::AccessGrant& g) override {
    requireWritable("revokeAccess");
    s_.grants.erase({g.type, g.id, g.organisation, g.basis});
    s_.grantVias.erase({g.type, g.id, g.organisation, g.basis});
  }

  // As access_grants rows keyed with their via: a grant stays while one of its vias remains.
  void endAccess(const std::string& via, const std::string& organisation) override {
    requireWritable("endAccess");
    for (auto it = s_.grantVias.begin(); it != s_.grantVias.end();) {
      if (std::get<2>(it->first) == organisation) it->second.erase(via);
      if (it->second.empty()) {
        s_.grants.erase(it->first);
        it = s_.grantVias.erase(it);
      } else {
        ++it;
      }
    }
    s_.ended.insert({via, organisation});
  }

  void resumeAccess(const std::string& via, const std::string& organisation) override {
    requireWritable("resumeAccess");
    s_.ended.erase({via, organisation});
  }

  std::set<std::string> accessEnded(const std::string& via) override {
    std::set<std::string> out;
    for (const auto& [v, organisation] : s_.ended) {
      if (v == via) out.insert(organisation);
    }
    return out;
  }

  bool visible(const std::string& type, const std::string& id,
               const store::AccessFilter& filter) override {
    return visibleIn(s_, type, id, filter);
  }

  bool hasGrant(const std::string& type, const std::string& id, const std::string& organisation,
                const std::string& basis) override {
    return s_.grants.count({type, id, organisation, basis}) > 0;
  }

  std::vector<std::string> grantHolders(const std::string& type, const std::string& id,
                                        const std::string& basis) override {
    std::vector<std::string> holders;  // ordered by organisation, as the set is
    for (auto it = s_.grants.lower_bound({type, id, "", ""});
         it != s_.grants.end() && std::get<0>(*it) == type && std::get<1>(*it) == id; ++it) {
      if (std::get<3>(*it) == basis) holders.push_back(std::get<2>(*it));
    }
    return holders;
  }

  void recordAudit(const store::AuditRecord& record) override {
    requireWritable("recordAudit");
    for (const auto& [seq, existing] : s_.audit) {
      if (existing.id == record.id) {  // the table's unique id
        throw FhirError(ErrorKind::kConflict, "conflict",
                        "A concurrent request changed the same resource; retry");
      }
    }
    s_.audit.emplace_back(s_.nextAuditSeq++, record);
  }

  store::AuditPage auditRecords(const store::AuditQuery& q) override {
    store::AuditPage page;
    if (q.count <= 0) return page;
    std::vector<const std::pair<std::int64_t, store::AuditRecord>*> found;
    for (auto it = s_.audit.rbegin(); it != s_.audit.rend(); ++it) {  // newest first
      const store::AuditRecord& a = it->second;
      if (!q.id.empty() && a.id != q.id) continue;
      if (!q.agent.empty() && a.organisation != q.agent) continue;
      if (!q.entityType.empty() && a.entityType != q.entityType) continue;
      if (!q.entityId.empty() && a.entityId != q.entityId) continue;
      if (q.beforeSequence && it->first >= *q.beforeSequence) continue;
      found.push_back(&*it);
    }
    for (std::size_t i = 0; i < found.size() && static_cast<int>(i) < q.count; ++i) {
      page.records.push_back(found[i]->second);
    }
    if (static_cast<int>(found.size()) > q.count) {
      page.nextCursor = found[static_cast<std::size_t>(q.count - 1)]->first;
    }
    return page;
  }

  // --- messaging (store/message_store.h) ---

  std::optional<store::Conversation> conversationFor(const std::string& serviceRequestId) override {
    auto it = s_.conversations.find(serviceRequestId);
    if (it == s_.conversations.end()) return std::nullopt;
    return it->second.conversation;
  }

  std::optional<store::Conversation> conversationForRequest(const std::string& requestId) override {
    const ConversationRow* first = nullptr;
    for (const auto& [id, row] : s_.conversations) {
      const bool named = row.conversation.requestBundleId == requestId ||
                         (!requestId.empty() && row.requestMessageId == requestId);
      if (named && (!first || row.order < first->order)) first = &row;
    }
    if (!first) return std::nullopt;
    return first->conversation;
  }

  void recordConversation(const store::Conversation& conversation,
                          const std::string& requestMessageId) override {
    requireWritable("recordConversation");
    // A referral keeps its first conversation.
    s_.conversations.emplace(
        conversation.serviceRequestId,
        ConversationRow{conversation, requestMessageId, s_.nextConversation++});
  }

  void noteReferralVersion(const std::string& serviceRequestId, std::int64_t version) override {
    requireWritable("noteReferralVersion");
    auto it = s_.conversations.find(serviceRequestId);
    if (it != s_.conversations.end()) it->second.conversation.referralVersion = version;
  }

  store::MessageClaim claimMessage(const store::MessageKey& key, int staleAfterSeconds) override {
    requireWritable("claimMessage");
    const auto now = clock_.now();
    const ClaimKey k{key.sender, key.keyKind, key.key};
    auto it = s_.claims.find(k);
    store::MessageClaim claim;
    if (it == s_.claims.end()) {
      s_.claims.emplace(k, Claim{"processing", now, 0, ""});
      return claim;
    }
    Claim& held = it->second;
    if (held.state == "processing" &&
        held.claimedAt < now - std::chrono::seconds(staleAfterSeconds)) {
      held.claimedAt = now;  // its process died: taken over
      return claim;
    }
    claim.state = held.state == "processed" ? store::ClaimState::kProcessed
                  : held.state == "failed"  ? store::ClaimState::kFailed
                                            : store::ClaimState::kInFlight;
    claim.httpStatus = held.httpStatus;
    claim.responseBody = held.body;
    return claim;
  }

  void finishMessage(const store::MessageKey& key, int httpStatus,
                     const std::string& body) override {
    requireWritable("finishMessage");
    auto it = s_.claims.find({key.sender, key.keyKind, key.key});
    if (it == s_.claims.end()) return;
    it->second.state = httpStatus >= 200 && httpStatus <= 299 ? "processed" : "failed";
    it->second.httpStatus = httpStatus;
    it->second.body = body;
  }

  void releaseMessage(const store::MessageKey& key) override {
    requireWritable("releaseMessage");
    s_.claims.erase({key.sender, key.keyKind, key.key});
  }

  void logMessage(const store::MessageLogEntry& entry) override {
    requireWritable("logMessage");
    s_.messageLog.push_back(entry);
  }

 private:
  void requireWritable(const char* what) const {
    if (readOnly_) {
      throw std::logic_error(std::string("MemoryStore: ") + what + " in a read-only transaction");
    }
  }

  State& s_;
  bool readOnly_;
  const fhir::Clock& clock_;
};

// --- the store -----------------------------------------------------------------------------

class MemoryStore::Hold {
 public:
  Hold(const MemoryStore& store, const char* what) : store_(store) {
    if (store.holder_.load() == std::this_thread::get_id()) {
      throw std::logic_error(std::string("MemoryStore: ") + what +
                             " inside a transaction on the same thread is not supported");
    }
    lock_ = std::unique_lock<std::mutex>(store.mutex_);
    store.holder_.store(std::this_thread::get_id());
  }
  ~Hold() { store_.holder_.store(std::thread::id()); }
  Hold(const Hold&) = delete;
  Hold& operator=(const Hold&) = delete;

 private:
  const MemoryStore& store_;
  std::unique_lock<std::mutex> lock_;
};

namespace {
const fhir::SystemClock kSystemClock{};
}  // namespace

MemoryStore::MemoryStore(const fhir::Clock* clock)
    : clock_(clock ? clock : &kSystemClock), state_(std::make_unique<State>()) {}

MemoryStore::~MemoryStore() = default;

void MemoryStore::inTransaction(const std::function<void(store::StoreTransaction&)>& work) {
  Hold hold(*this, "a transaction");
  State working = *state_;  // copy on write: an exception leaves state_ untouched
  Transaction tx(working, false, *clock_);
  work(tx);
  *state_ = std::move(working);
  ++commits_;
}

void MemoryStore::inReadOnly(const std::function<void(store::StoreTransaction&)>& work) {
  Hold hold(*this, "a read-only transaction");
  Transaction tx(*state_, true, *clock_);
  work(tx);
}

std::vector<store::OutboxMessage> MemoryStore::outbox() const {
  Hold hold(*this, "outbox()");
  return state_->outbox;
}

std::vector<store::CapacityRefusal> MemoryStore::capacityRefusals() const {
  Hold hold(*this, "capacityRefusals()");
  return state_->refusals;
}

std::vector<store::MessageLogEntry> MemoryStore::messageLog() const {
  Hold hold(*this, "messageLog()");
  return state_->messageLog;
}

std::optional<store::ResourceVersion> MemoryStore::current(const std::string& type,
                                                           const std::string& id) const {
  Hold hold(*this, "current()");
  const Resource* r = findResource(*state_, type, id);
  if (!r) return std::nullopt;
  return r->current();
}

std::size_t MemoryStore::commits() const {
  Hold hold(*this, "commits()");
  return commits_;
}

}  // namespace sp::testing
