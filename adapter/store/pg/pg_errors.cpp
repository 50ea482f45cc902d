#include "store/pg/pg_errors.h"

#include <iostream>
#include <pqxx/except>

namespace sp::store::pg {

std::optional<DbFailure> databaseFailure(const std::exception& e) {
  if (dynamic_cast<const PoolExhausted*>(&e)) return DbFailure::kPoolExhausted;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    return failureForSqlState(sql->sqlstate());
  }
  // libpqxx 6.4 throws these without their SQLSTATE (they do not derive from sql_error; it
  // picked the type by the code and kept only the message), so the table is asked with the code
  // PostgreSQL gives the same event. The most derived types first.
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    return failureForSqlState("08007");  // transaction_resolution_unknown
  }
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
    return failureForSqlState("40003");
  }
  if (dynamic_cast<const pqxx::serialization_failure*>(&e)) return failureForSqlState("40001");
  if (dynamic_cast<const pqxx::deadlock_detected*>(&e)) return failureForSqlState("40P01");
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e)) return failureForSqlState("40000");
  // Also pqxx::too_many_connections, which 6.4 derives from broken_connection: met when
  // connecting, where a new attempt is the right answer too.
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
    return failureForSqlState("08006");  // connection_failure
  }
  if (dynamic_cast<const pqxx::failure*>(&e)) return DbFailure::kOther;
  return std::nullopt;
}

void dropIfBroken(ConnectionPool::Lease& lease, DbFailure failure) {
  if (lease.discarded()) return;
  if (answerFor(failure).dropsConnection || !lease->is_open()) lease.discard();
}

fhir::FhirError loggedError(const char* context, DbFailure failure, const std::exception& e,
                            const std::string& diagnostics) {
  std::string sqlstate;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) sqlstate = sql->sqlstate();
  std::cerr << context << ": database error" << (sqlstate.empty() ? "" : " " + sqlstate) << ": "
            << e.what() << "\n";
  return toFhirError(failure, diagnostics);
}

}  // namespace sp::store::pg
