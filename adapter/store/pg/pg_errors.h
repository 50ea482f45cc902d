// libpqxx's exceptions read through the one table of db_errors.h: the stores of store/pg catch a
// failure, ask here what it is, drop the connection it broke, retry or throw what the table says.
//
// Use in a store's retry loop:
//   } catch (const std::exception& e) {
//     const std::optional<DbFailure> failure = databaseFailure(e);
//     if (!failure) throw;                       // not the database's: passes unchanged
//     if (lease) dropIfBroken(*lease, *failure);
//     if (retryAfter(*failure, attempt, kAttempts)) continue;
//     throw loggedError("resource store", *failure, e);
//   }
// Thread-safe (no state of its own).
#pragma once

#include <exception>
#include <optional>
#include <string>

#include "fhir/errors.h"
#include "store/pg/connection_pool.h"
#include "store/pg/db_errors.h"

namespace sp::store::pg {

// The failure `e` stands for: a libpqxx run-time failure (pqxx::failure and every exception
// derived from it: its SQLSTATE when it has one, else the SQLSTATE of the same event) or the
// pool's PoolExhausted. nullopt for anything else (a FhirError the work threw, a logic error),
// which the caller lets through as it is.
std::optional<DbFailure> databaseFailure(const std::exception& e);

// Discards the lease's connection when `failure` broke it (DbAnswer::dropsConnection) or it is no
// longer open, so the pool opens a new one; otherwise it goes back to the pool when the lease
// ends.
void dropIfBroken(ConnectionPool::Lease& lease, DbFailure failure);

// Logs `e` to stderr under `context` (its SQLSTATE and PostgreSQL's message, which the caller
// must not see) and returns toFhirError(failure, diagnostics) to throw.
fhir::FhirError loggedError(const char* context, DbFailure failure, const std::exception& e,
                            const std::string& diagnostics = "");

}  // namespace sp::store::pg
