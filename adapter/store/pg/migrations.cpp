#include "store/pg/migrations.h"

#include <pqxx/pqxx>

namespace sp::store::pg {

namespace {

// Held until the transaction ends: a second process starting at the same time waits here.
void lockMigrations(pqxx::work& w) { w.exec("SELECT pg_advisory_xact_lock(7301105)"); }

}  // namespace

int applyMigrations(pqxx::connection& conn) {
  {
    // Under the lock: two concurrent CREATE TABLE IF NOT EXISTS can both miss the table and one
    // then fails on the catalogue's unique index.
    pqxx::work w(conn);
    lockMigrations(w);
    w.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " number int PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    w.commit();
  }
  int applied = 0;
  for (const Migration& m : builtInMigrations()) {
    pqxx::work w(conn);
    // A process that waited here then sees the other's row and skips.
    lockMigrations(w);
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
