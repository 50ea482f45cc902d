// The message tables (store/message_store.h) on PostgreSQL (libpqxx 6.4). Internal to store/pg:
// PgTransaction forwards its MessageTransaction methods here.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "store/message_store.h"
#include "store/pg/deferred_writes.h"

namespace sp::store::pg {

// Prepares the statements below on a new pooled connection.
void prepareMessageStatements(pqxx::connection& c);

std::optional<Conversation> selectConversation(pqxx::transaction_base& tx,
                                               const std::string& serviceRequestId);
std::optional<Conversation> selectConversationForRequest(pqxx::transaction_base& tx,
                                                         const std::string& requestId);
DeferredWrite conversationInsert(const Conversation& conversation,
                                 const std::string& requestMessageId);
void updateConversationVersion(pqxx::transaction_base& tx, const std::string& serviceRequestId,
                               std::int64_t version);
MessageClaim claimMessageKey(pqxx::transaction_base& tx, const MessageKey& key,
                             int staleAfterSeconds);
DeferredWrite messageFinish(const MessageKey& key, int httpStatus, const std::string& body);
void deleteMessageKey(pqxx::transaction_base& tx, const MessageKey& key);
DeferredWrite messageLogInsert(const MessageLogEntry& entry);

}  // namespace sp::store::pg
