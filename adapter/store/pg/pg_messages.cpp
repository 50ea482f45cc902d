#include "store/pg/pg_messages.h"

namespace sp::store::pg {

void prepareMessageStatements(pqxx::connection& c) {
  c.prepare("select_conversation",
            "SELECT service_request_id, sender_organisation, reply_endpoint, correlation_id,"
            " partner_kind, request_bundle_id, referral_version FROM message_conversations"
            " WHERE service_request_id = $1");
  c.prepare("select_conversation_for_request",
            "SELECT service_request_id, sender_organisation, reply_endpoint, correlation_id,"
            " partner_kind, request_bundle_id, referral_version FROM message_conversations"
            " WHERE request_bundle_id = $1 OR (request_message_id = $1 AND $1 <> '')"
            " ORDER BY created_at LIMIT 1");
  c.prepare("update_conversation_version",
            "UPDATE message_conversations SET referral_version = $2"
            " WHERE service_request_id = $1");
  // Claims a new key, or takes over one whose process died while it was in flight. The
  // statement waits for a concurrent inserter of the same key to finish, then sees its row.
  // Its commit need not wait for the disk: if it is lost in a crash, so is all processing after
  // it (the processing transaction's durable commit flushes it too). It says so itself
  // (set_config, local to its transaction), so that it is one round trip when run on its own.
  c.prepare("claim_message",
            "INSERT INTO message_claims (sender, key_kind, key, state)"
            " SELECT $1, $2, $3, 'processing'"
            " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit"
            " ON CONFLICT (sender, key_kind, key) DO UPDATE SET claimed_at = now()"
            " WHERE message_claims.state = 'processing'"
            " AND message_claims.claimed_at < now() - make_interval(secs => $4::int)"
            " RETURNING 1");
  c.prepare("select_claim",
            "SELECT state, coalesce(http_status, 0), coalesce(response_body, '')"
            " FROM message_claims WHERE sender = $1 AND key_kind = $2 AND key = $3");
  c.prepare("delete_message",
            "DELETE FROM message_claims WHERE sender = $1 AND key_kind = $2 AND key = $3");
}

namespace {

std::optional<Conversation> firstConversation(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  Conversation c;
  c.serviceRequestId = r[0][0].as<std::string>();
  c.senderOrganisation = r[0][1].as<std::string>();
  c.replyEndpoint = r[0][2].as<std::string>();
  c.correlationId = r[0][3].as<std::string>();
  c.partnerKind = r[0][4].as<std::string>();
  c.requestBundleId = r[0][5].as<std::string>();
  c.referralVersion = r[0][6].as<std::int64_t>();
  return c;
}

}  // namespace

std::optional<Conversation> selectConversation(pqxx::transaction_base& tx,
                                               const std::string& serviceRequestId) {
  return firstConversation(tx.exec_prepared("select_conversation", serviceRequestId));
}

std::optional<Conversation> selectConversationForRequest(pqxx::transaction_base& tx,
                                                         const std::string& requestId) {
  return firstConversation(tx.exec_prepared("select_conversation_for_request", requestId));
}

DeferredWrite conversationInsert(const Conversation& c, const std::string& requestMessageId) {
  return {
      "INSERT INTO message_conversations (service_request_id, sender_organisation,"
      " reply_endpoint, correlation_id, partner_kind, request_bundle_id, request_message_id,"
      " referral_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint)"
      " ON CONFLICT (service_request_id) DO NOTHING",
      {c.serviceRequestId, c.senderOrganisation, c.replyEndpoint, c.correlationId, c.partnerKind,
       c.requestBundleId, requestMessageId, std::to_string(c.referralVersion)}};
}

void updateConversationVersion(pqxx::transaction_base& tx, const std::string& serviceRequestId,
                               std::int64_t version) {
  tx.exec_prepared("update_conversation_version", serviceRequestId, version);
}

MessageClaim claimMessageKey(pqxx::transaction_base& tx, const MessageKey& key,
                             int staleAfterSeconds) {
  MessageClaim claim;
  if (!tx.exec_prepared("claim_message", key.sender, key.keyKind, key.key, staleAfterSeconds)
           .empty()) {
    return claim;
  }
  const pqxx::result r = tx.exec_prepared("select_claim", key.sender, key.keyKind, key.key);
  if (r.empty()) return claim;  // unreachable: the insert conflicted with this row
  const std::string state = r[0][0].as<std::string>();
  claim.state = state == "processed" ? ClaimState::kProcessed
                : state == "failed"  ? ClaimState::kFailed
                                     : ClaimState::kInFlight;
  claim.httpStatus = r[0][1].as<int>();
  claim.responseBody = r[0][2].as<std::string>();
  return claim;
}

DeferredWrite messageFinish(const MessageKey& key, int httpStatus, const std::string& body) {
  return {
      "UPDATE message_claims SET state = CASE WHEN $4::int BETWEEN 200 AND 299"
      " THEN 'processed' ELSE 'failed' END, finished_at = now(), http_status = $4::int,"
      " response_body = $5 WHERE sender = $1 AND key_kind = $2 AND key = $3",
      {key.sender, key.keyKind, key.key, std::to_string(httpStatus), body}};
}

void deleteMessageKey(pqxx::transaction_base& tx, const MessageKey& key) {
  tx.exec_prepared("delete_message", key.sender, key.keyKind, key.key);
}

DeferredWrite messageLogInsert(const MessageLogEntry& e) {
  return {
      "INSERT INTO message_log (sender, x_request_id, correlation_id, event, partner_kind,"
      " request_bundle_id, response_bundle_id, http_status, nhsd_headers)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::int, $9)",
      {e.sender, e.xRequestId, e.correlationId, e.event, e.partnerKind, e.requestBundleId,
       e.responseBundleId, std::to_string(e.httpStatus), e.nhsdHeaders}};
}

}  // namespace sp::store::pg
