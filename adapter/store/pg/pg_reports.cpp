#include "store/pg/pg_reports.h"

#include <algorithm>
#include <functional>
#include <future>
#include <optional>
#include <pqxx/pqxx>

#include "fhir/project_urls.h"
#include "store/pg/access_sql.h"  // sqlTextArray
#include "store/pg/copy_text.h"
#include "store/pg/pg_errors.h"
#include "store/pg/report_bits.h"
#include "store/pg/report_queries.h"
#include "util/string_index.h"

namespace sp::store::pg {
namespace {

// A report that fails in a way a new attempt can mend (db_errors.h: in practice a broken
// connection, as a read-only snapshot meets no serialization failures) is read once more, on new
// connections; not a third time, as a report can take seconds.
constexpr int kAttempts = 2;

std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : f.c_str(); }

// A JSON number as the capacity extension holds it ("15"); absent when it is not a whole number.
std::optional<std::int64_t> wholeNumber(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  const std::string s = f.c_str();
  if (s.empty() || s.size() > 15 || !std::all_of(s.begin(), s.end(), ::isdigit))
    return std::nullopt;
  return std::stoll(s);
}

// Hands each row of `sql` to `onRow` as PostgreSQL makes it (COPY (query) TO STDOUT), instead of
// after the whole result has arrived: the merge joins hand the rows out in id order as they go.
// libpqxx 6.4's stream_from puts the name it is given into the COPY statement as written, so a
// parenthesised query can stand for a table. COPY takes no parameters: `sql` holds literals.
template <typename OnRow>
void streamRows(pqxx::transaction_base& tx, const std::string& sql, OnRow onRow) {
  pqxx::stream_from rows(tx, "(" + sql + ")");
  std::string line;
  CopyTextRow row;
  while (rows.get_raw_line(line)) {
    row.parse(line);
    onRow(row);
  }
  rows.complete();
}

// The referrals of the period (report_sql::kReferrals), without their Tasks and people yet.
std::vector<ReferralFact> readReferrals(pqxx::transaction_base& tx, const ReportQuery& q) {
  const std::string sql = withLiterals(
      report_sql::kReferrals,
      {std::to_string(q.fromMillis), std::to_string(q.toMillis), tx.quote(sqlTextArray(q.cohorts)),
       tx.quote(fhir::kReferralRouteSystem), tx.quote(fhir::kPriorityCohortSystem)});
  std::vector<ReferralFact> referrals;
  streamRows(tx, sql, [&](const CopyTextRow& row) {
    ReferralFact r;
    r.id = row.text(0);
    r.authoredMillis = row.integer(1);
    r.route = row.text(2);
    r.cohorts = decodeCohorts(row.integer(3), q);
    r.person = row.text(4);
    r.service = row.text(5);
    r.basedOnReferral = row.boolean(6);
    referrals.push_back(std::move(r));
  });
  return referrals;
}

// A Task of some referral.
struct TaskRow {
  std::string referral;                        // the id of the ServiceRequest it is focused on
  std::int64_t state = 0;                      // see taskState
  std::optional<std::int64_t> acceptedMillis;  // absent for a warm handover's Task
  std::optional<std::int64_t> contactMillis;
};

std::vector<TaskRow> readTasks(pqxx::transaction_base& tx, const ReportQuery& q) {
  const std::string sql = withLiterals(
      report_sql::kTasks,
      {tx.quote(sqlTextArray(q.taskStatuses)), tx.quote(sqlTextArray(q.rejectionReasons)),
       tx.quote(fhir::kTaskCodeSystem), tx.quote(fhir::kBusinessStatusSystem)});
  std::vector<TaskRow> tasks;
  streamRows(tx, sql, [&](const CopyTextRow& row) {
    TaskRow t;
    t.referral = row.text(0);
    const bool hasTokens = !row.isNull(1);
    const std::int64_t tokens = row.integer(1);
    t.state = taskState(tokens, q);
    // A warm handover's acceptance is the receiver's, not the referral's.
    if (hasTokens && !isWarmHandover(tokens) && !row.isNull(2)) {
      t.acceptedMillis = row.integer(2);
    }
    if (!row.isNull(3)) t.contactMillis = row.integer(3);
    tasks.push_back(std::move(t));
  });
  return tasks;
}

void keepEarliest(std::optional<std::int64_t>& earliest, std::int64_t candidate) {
  if (!earliest || candidate < *earliest) earliest = candidate;
}

// Gives each referral its Tasks: the union of their states, and the first acceptance and first
// contact of any of them. Tasks of other referrals (other periods) are passed over.
void attachTasks(std::vector<ReferralFact>& referrals, const std::vector<TaskRow>& tasks,
                 const ReportQuery& q) {
  util::StringIndex ids(referrals.size());  // numbered as in `referrals`: one row per id
  for (const ReferralFact& r : referrals) ids.add(r.id);
  std::vector<std::int64_t> states(referrals.size(), 0);
  for (const TaskRow& t : tasks) {
    const int found = ids.find(t.referral);
    if (found < 0) continue;
    ReferralFact& r = referrals[found];
    states[found] |= t.state;
    if (t.acceptedMillis) keepEarliest(r.toAcceptanceMillis, *t.acceptedMillis - r.authoredMillis);
    if (t.contactMillis) keepEarliest(r.toFirstContactMillis, *t.contactMillis - r.authoredMillis);
  }
  for (std::size_t i = 0; i < referrals.size(); ++i) {
    referrals[i].tasks = decodeTasks(states[i], q);
  }
}

// What is known of local Patients: their postcodes (report_sql::kPostcodes) and who was
// referred before the period (kReferredBefore). Read beside the referrals; attachPeople gives
// it to them.
struct Patients {
  std::vector<std::pair<std::string, std::string>> postcodes;  // Patient id, postcode
  std::vector<std::string> referredBefore;                     // Patient ids
};

Patients readPatients(pqxx::transaction_base& tx, const ReportQuery& q) {
  Patients patients;
  streamRows(tx, report_sql::kPostcodes, [&](const CopyTextRow& row) {
    patients.postcodes.emplace_back(row.text(0), row.text(1));
  });
  for (const auto& row : tx.exec_params(report_sql::kReferredBefore, q.fromMillis)) {
    patients.referredBefore.push_back(text(row[0]));
  }
  return patients;
}

// Gives each referral its person's postcode and whether they were referred before the period.
void attachPeople(std::vector<ReferralFact>& referrals, const Patients& patients) {
  util::StringIndex people(referrals.size());  // "Patient/<id>", or a logical reference
  std::vector<int> personOf(referrals.size(), -1);
  for (std::size_t i = 0; i < referrals.size(); ++i) {
    if (!referrals[i].person.empty()) personOf[i] = people.add(referrals[i].person).first;
  }
  std::vector<const std::string*> postcode(people.size(), nullptr);
  std::vector<bool> referredBefore(people.size(), false);
  std::string reference = "Patient/";
  const auto numberOf = [&](const std::string& patientId) {
    reference.replace(8, std::string::npos, patientId);
    return people.find(reference);
  };
  for (const auto& [patient, code] : patients.postcodes) {
    const int person = numberOf(patient);
    if (person >= 0) postcode[person] = &code;
  }
  for (const auto& patient : patients.referredBefore) {
    const int person = numberOf(patient);
    if (person >= 0) referredBefore[person] = true;
  }
  for (std::size_t i = 0; i < referrals.size(); ++i) {
    if (personOf[i] < 0) continue;
    if (postcode[personOf[i]]) referrals[i].postcode = *postcode[personOf[i]];
    referrals[i].referredBefore = referredBefore[personOf[i]];
  }
}

// The scores of every local Patient (report_sql::kScores); reports/ keeps those of the people
// referred in the period.
std::vector<ScoreFact> readScores(pqxx::transaction_base& tx, const ReportQuery& q) {
  std::vector<ScoreFact> scores;
  if (q.instruments.empty()) return scores;
  std::vector<std::string> codes, pairs;
  for (const auto& i : q.instruments) {
    codes.push_back(i.code);
    pairs.push_back(i.system + "|" + i.code);
  }
  const std::string sql = withLiterals(
      report_sql::kScores, {tx.quote(sqlTextArray(codes)), tx.quote(sqlTextArray(pairs)),
                            std::to_string(q.scoresFromMillis)});
  streamRows(tx, sql, [&](const CopyTextRow& row) {
    scores.push_back(ScoreFact{"Patient/" + row.text(0), static_cast<int>(row.integer(1)),
                               row.integer(2), std::stod(row.text(3))});
  });
  return scores;
}

void readDirectory(pqxx::transaction_base& tx, const ReportQuery& q, ReportData& data) {
  tx.exec("SET LOCAL enable_nestloop = on");  // a few hundred services: see configure()
  for (const auto& row :
       tx.exec_params(report_sql::kServices, fhir::kCapacityExtension, fhir::kLastReviewedExtension,
                      fhir::kGovernanceTierExtension)) {
    ServiceFact s;
    s.id = text(row[0]);
    s.name = text(row[1]);
    s.active = text(row[2]) != "false";
    s.total = wholeNumber(row[3]);
    s.free = wholeNumber(row[4]);
    s.capacityStatus = text(row[5]);
    s.lastReviewed = text(row[6]);
    if (!row[7].is_null()) s.governanceTier = text(row[7]);
    data.services.push_back(std::move(s));
  }
  for (const auto& row : tx.exec_params(report_sql::kRefusals, q.fromMillis, q.toMillis)) {
    data.refusals.push_back(
        CapacityRefusal{row[0].as<std::int64_t>(), text(row[1]), text(row[2]), text(row[3])});
  }
}

// Settings of a report's transaction, before its first query.
void configure(pqxx::transaction_base& tx, std::chrono::seconds timeLimit) {
  // The index tables hold correlated columns (res_type, param, system, code) whose
  // selectivities PostgreSQL multiplies: it then expects a few dozen referrals where there are
  // a hundred thousand, and picks nested loops that run for minutes, or the indexes ordered by
  // code with a sort by id after them. The statements are merges of id-ordered index scans
  // (report_queries.h), so nested loops, hash joins and sorts are turned off
  // (readDirectory turns nested loops back on for a few hundred rows).
  tx.exec("SET LOCAL enable_nestloop = off");
  tx.exec("SET LOCAL enable_hashjoin = off");
  tx.exec("SET LOCAL enable_sort = off");
  tx.exec("SET LOCAL work_mem = '64MB'");
  // No parallel workers: the report already reads on up to three connections at once, and
  // workers merging their shares of the id-ordered scans (Gather Merge) made the year's facts
  // slower (1.3 s against 0.85 s of wall time on this 2-CPU machine, measured with one statement).
  tx.exec("SET LOCAL max_parallel_workers_per_gather = 0");
  // Compiling the plan's expressions (a few hundred functions) cost 0.4 s of every report.
  tx.exec("SET LOCAL jit = off");
  tx.exec("SET LOCAL statement_timeout = " +
          std::to_string(std::chrono::milliseconds(timeLimit).count()));
}

using ReadOnlyTransaction = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// Reads everything in `main`'s snapshot. `main` reads the referrals and the directory; the
// Tasks, the scores and the Patients are read on the `helpers` when there are some, each in a
// transaction importing main's snapshot (pg_export_snapshot) so that all see the same data, at
// the same time as `main`. For a year of 100,000 referrals on their own these take about 300 ms
// of PostgreSQL (the referrals), 300 (Tasks), 200 (scores) and 70 (Patients): with two
// helpers, one reads the Tasks and the other the scores and the Patients; with one, it reads
// the Tasks and the scores and `main` the Patients; with none, `main` reads everything.
ReportData readAll(pqxx::connection& main, const std::vector<pqxx::connection*>& helpers,
                   const ReportQuery& q, std::chrono::seconds timeLimit) {
  if (q.taskStatuses.size() > 20 || q.rejectionReasons.size() > 10 || q.cohorts.size() > 62) {
    throw std::invalid_argument("report query: too many codes to report as bits");
  }
  ReadOnlyTransaction tx(main);
  configure(tx, timeLimit);
  ReportData data;
  std::vector<TaskRow> tasks;  // outlive `beside`, which fills them
  std::vector<ScoreFact> scores;
  Patients patients;
  using Part = std::function<void(pqxx::transaction_base&)>;
  const Part readTasksPart = [&](pqxx::transaction_base& t) { tasks = readTasks(t, q); };
  const Part readScoresPart = [&](pqxx::transaction_base& t) { scores = readScores(t, q); };
  const Part readPatientsPart = [&](pqxx::transaction_base& t) { patients = readPatients(t, q); };
  std::vector<std::vector<Part>> besidePlan;  // by helper
  std::vector<Part> mainPlan;                 // after the referrals
  if (helpers.empty()) {
    mainPlan = {readTasksPart, readScoresPart, readPatientsPart};
  } else if (helpers.size() == 1) {
    besidePlan = {{readTasksPart, readScoresPart}};
    mainPlan = {readPatientsPart};
  } else {
    besidePlan = {{readTasksPart}, {readScoresPart, readPatientsPart}};
  }
  std::vector<std::future<void>> beside;
  // Joined before `tx` ends, also when reading the referrals throws (a future's destructor
  // waits), so the snapshot stays exported for as long as a helper may import it.
  if (!besidePlan.empty()) {
    const std::string snapshot = tx.exec("SELECT pg_export_snapshot()")[0][0].c_str();
    for (std::size_t h = 0; h < besidePlan.size(); ++h) {
      beside.push_back(std::async(std::launch::async, [&, h, snapshot] {
        ReadOnlyTransaction htx(*helpers[h]);
        htx.exec("SET TRANSACTION SNAPSHOT " + htx.quote(snapshot));
        configure(htx, timeLimit);
        for (const Part& part : besidePlan[h]) part(htx);
        htx.commit();
      }));
    }
  }
  data.referrals = readReferrals(tx, q);
  for (const Part& part : mainPlan) part(tx);
  readDirectory(tx, q, data);
  for (auto& b : beside) b.get();
  attachPeople(data.referrals, patients);
  attachTasks(data.referrals, tasks, q);
  data.scores = std::move(scores);
  tx.commit();
  return data;
}

// What the caller reads when the statement timeout (configure) cancels the report.
std::string timeLimitExceeded(std::chrono::seconds timeLimit) {
  return "The report took longer than " + std::to_string(timeLimit.count()) +
         " seconds; choose a shorter period or try again later";
}

}  // namespace

PgReportStore::PgReportStore(const std::string& url, std::size_t poolSize,
                             std::chrono::seconds timeLimit)
    : pool_(std::make_unique<ConnectionPool>(url, poolSize, nullptr)), timeLimit_(timeLimit) {}

ReportData PgReportStore::read(const ReportQuery& query) {
  for (int attempt = 1;; ++attempt) {
    std::optional<ConnectionPool::Lease> lease;
    std::vector<ConnectionPool::Lease> helpers;
    try {
      lease.emplace(pool_->acquire());
      // Up to two more connections read beside the first; none free (other reports): one does
      // all.
      while (helpers.size() < 2) {
        auto spare = pool_->tryAcquire();
        if (!spare) break;
        helpers.push_back(std::move(*spare));
      }
      std::vector<pqxx::connection*> beside;
      for (auto& h : helpers) beside.push_back(&*h);
      return readAll(**lease, beside, query, timeLimit_);
    } catch (const std::exception& e) {
      const std::optional<DbFailure> failure = databaseFailure(e);
      if (!failure) throw;
      if (lease) dropIfBroken(*lease, *failure);
      for (auto& h : helpers) dropIfBroken(h, *failure);
      if (retryAfter(*failure, attempt, kAttempts)) continue;
      throw loggedError("report", *failure, e,
                        *failure == DbFailure::kCanceled ? timeLimitExceeded(timeLimit_) : "");
    }
  }
}

}  // namespace sp::store::pg
