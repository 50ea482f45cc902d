// Schema migrations: numbered SQL files from store/pg/migrations/, compiled into the binary and
// applied in order at start-up. Safe when several processes start at once (an advisory lock
// serialises them; each migration runs in its own transaction and is recorded).
#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

namespace sp::store::pg {

struct Migration {
  int number;
  std::string name;
  std::string sql;
};

// The migrations built into this binary, in order (generated at build time).
const std::vector<Migration>& builtInMigrations();

// Applies those not yet recorded in schema_migrations. Returns how many were applied.
int applyMigrations(pqxx::connection& conn);

}  // namespace sp::store::pg
