#include "store/pg/migrations.h"

#include <pqxx/pqxx>

namespace sp::store::pg {

int applyMigrations(pqxx::connection& conn) {
  {
    pqxx::work w(conn);
    w.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
           " number int PRIMARY KEY, name text NOT NULL,"
           " applied_at timestamptz NOT NULL DEFAULT now())");
    w.commit();
  }
  int applied = 0;
  for (const Migration& m : builtInMigrations()) {
    pqxx::work w(conn);
    // Held until commit: a second process waits here, then sees the row and skips.
    w.exec("SELECT pg_advisory_xact_lock(7301105)");
    if (!w.exec_params("SELECT 1 FROM schema_migrations WHERE number = $1", m.number).empty()) {
      continue;
    }
    w.exec(m.sql);
    w.exec_params("INSERT INTO schema_migrations (number, name) VALUES ($1, $2)", m.number, m.name);
    w.commit();
    ++applied;
  }
  return applied;
}

}  // namespace sp::store::pg
