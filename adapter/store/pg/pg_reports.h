// ReportStore on PostgreSQL (libpqxx 6.4): the facts of the impact report, read from the search
// index tables (idx_*) of the current resources and from the Task version history (through the
// partial indexes of migrations 003, 012 and 014; the SQL is in report_queries.h), in one
// snapshot: a read-only REPEATABLE READ transaction, and beside it on up to two more
// connections (those free) transactions importing its snapshot (pg_export_snapshot). The first
// reads the referrals and the directory while the others read the Tasks, the scores and the
// Patients (readAll in pg_reports.cpp); the rows are streamed (COPY) and joined here by id.
//
// It has its own small pool of connections, so a report (which can take a second) never holds
// a connection the FHIR interactions need; a pool of one reads everything on one. SQL
// text and database messages never leave this layer: failures become fhir::FhirError through
// store/pg/db_errors.h (kUnavailable when the database cannot be reached or the report runs past
// its time limit, kInternal for a database fault) and the detail goes to stderr.
// Thread-safe. Construct after PgResourceStore, which applies the migrations.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/pg/connection_pool.h"
#include "store/report_store.h"

namespace sp::store::pg {

class PgReportStore : public ReportStore {
 public:
  PgReportStore(const std::string& url, std::size_t poolSize,
                std::chrono::seconds timeLimit = std::chrono::seconds(60));

  ReportData read(const ReportQuery& query) override;

 private:
  std::unique_ptr<ConnectionPool> pool_;
  std::chrono::seconds timeLimit_;
};

}  // namespace sp::store::pg
