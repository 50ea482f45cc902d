#include "store/pg/pg_reports.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <future>
#include <iostream>
#include <unordered_map>
#include <unordered_set>

#include "fhir/errors.h"
#include "store/pg/access_sql.h"  // sqlTextArray

namespace sp::store::pg {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

// One row per referral authored in the period: a ServiceRequest with a referral-route token (the
// sp-referral profile requires the route), not entered-in-error. Everything comes from the
// search index rows the server writes with each version (current versions only) and from the
// Task history, read through the partial indexes of migration 003: the predicates below must
// stay word for word those of the indexes, or PostgreSQL cannot use them.
//
// The attributes of a referral and of its Tasks are gathered as one stream of (referral, kind,
// number, text) rows, each index table read once and narrowed to the period's referrals, and
// grouped once, with no per-referral strings: far cheaper than joining a dozen aggregated
// subqueries. Kinds: r route, c cohort (bit), w withdrawn (entered-in-error), s subject,
// p performing service, b basedOn a ServiceRequest, t a Task's state (bits), x a fulfilling
// Task's first acceptance, y any Task's first contact (epoch milliseconds).
//
// Bits of a Task's state (see decodeTasks): its status's position in $4 (bit 0 for the first);
// bit 20 instead of "completed" when it completed by a warm handover (businessStatus
// handed-over); for a rejection, bit 21 + the position of its reason in $5 (statusReason first,
// then businessStatus), or bit 21 alone for any other reason. Cohorts: bit = position in $3.
// $1, $2: the period in epoch milliseconds [from, to). The period's referrals (base) and their
// Tasks (task) are each read in several branches: materialised, they are computed once (for a
// year of 100,000 referrals, computing base once instead of five times saved about 15 %). base
// has one row per referral, so the branches join it plainly: as `IN (SELECT id FROM base)`
// PostgreSQL made base's ids distinct again for each branch (a hash aggregate of 100,000 rows).
constexpr const char* kReferralFacts = R"sql(
WITH
base AS MATERIALIZED (
  SELECT d.res_id AS id, min(d.low) AS authored FROM idx_date d
  WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored' AND d.low >= $1 AND d.low < $2
  GROUP BY d.res_id),
task AS MATERIALIZED (
  SELECT f.res_id AS task, f.target_id AS id FROM idx_reference f JOIN base ON base.id = f.target_id
  WHERE f.res_type = 'Task' AND f.param = 'focus' AND f.target_type = 'ServiceRequest'),
task_state AS (
  SELECT k.task, k.id,
    min(t.code) FILTER (WHERE t.param = 'status') AS status,
    bool_or(t.param = 'code') AS handover,
    bool_or(t.param = 'business-status' AND t.code = 'handed-over') AS handed_over,
    min(t.code) FILTER (WHERE t.param = 'status-reason' AND t.code <> 'handed-over') AS reason,
    min(t.code) FILTER (WHERE t.param = 'business-status' AND t.code <> 'handed-over')
      AS business_reason
  FROM task k JOIN idx_token t ON t.res_type = 'Task' AND t.res_id = k.task
  WHERE t.param = 'status'
     OR t.param = 'code' AND t.code = 'warm-handover'
        AND t.system = 'https://fhir.social-prescribing.example.org/CodeSystem/task-code'
     OR t.param IN ('business-status', 'status-reason')
        AND (t.code = 'handed-over' OR t.code = ANY ($5::text[]))
        AND t.system = 'https://fhir.social-prescribing.example.org/CodeSystem/task-business-status'
  GROUP BY k.task, k.id),
facts AS (
  SELECT t.res_id AS id,
         CASE t.param WHEN 'route' THEN 'r' WHEN 'reason-code' THEN 'c' ELSE 'w' END AS k,
         CASE WHEN t.param = 'reason-code'
              THEN 1::bigint << (array_position($3::text[], t.code) - 1) END AS n,
         CASE WHEN t.param = 'route' THEN t.code END AS v
  FROM idx_token t JOIN base ON base.id = t.res_id
  WHERE t.res_type = 'ServiceRequest'
    AND (t.param = 'route'
           AND t.system = 'https://fhir.social-prescribing.example.org/CodeSystem/referral-route'
      OR t.param = 'reason-code'
           AND t.system = 'https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort'
           AND t.code = ANY ($3::text[])
      OR t.param = 'status' AND t.code = 'entered-in-error')
  UNION ALL
  SELECT x.res_id, CASE x.param WHEN 'subject' THEN 's' WHEN 'performer' THEN 'p' ELSE 'b' END,
         NULL,
         CASE WHEN x.param = 'based-on' THEN NULL
              WHEN x.param = 'performer' THEN x.target_id
              WHEN x.target_type <> '' THEN x.target_type || '/' || x.target_id
              WHEN x.id_value <> '' THEN x.id_system || '|' || x.id_value
              ELSE x.url END
  FROM idx_reference x JOIN base ON base.id = x.res_id
  WHERE x.res_type = 'ServiceRequest'
    AND (x.param = 'subject' OR x.param = 'performer' AND x.target_type = 'HealthcareService'
         OR x.param = 'based-on' AND x.target_type = 'ServiceRequest')
  UNION ALL
  SELECT s.id, 't',
         CASE WHEN s.status = 'completed' AND s.handed_over THEN 1::bigint << 20
              ELSE 1::bigint << (array_position($4::text[], s.status) - 1) END
         | CASE WHEN s.status = 'rejected' THEN 1::bigint << (21 + COALESCE(
             array_position($5::text[], s.reason), array_position($5::text[], s.business_reason), 0))
           ELSE 0 END,
         NULL
  FROM task_state s WHERE s.status = ANY ($4::text[])
  UNION ALL
  SELECT s.id, 'x', a.at, NULL
  FROM task_state s JOIN (
    SELECT v.res_id, floor(extract(epoch FROM min(v.last_updated)) * 1000)::bigint AS at
    FROM resource_versions v
    WHERE v.res_type = 'Task'
      AND (v.body::json ->> 'status') IN ('accepted', 'in-progress', 'on-hold', 'completed', 'failed')
    GROUP BY v.res_id) a ON a.res_id = s.task AND NOT s.handover
  UNION ALL
  SELECT k.id, 'y', c.at, NULL
  FROM task k JOIN (
    SELECT v.res_id, floor(extract(epoch FROM min(v.last_updated)) * 1000)::bigint AS at
    FROM resource_versions v
    WHERE v.res_type = 'Task'
      AND sp_report_has_code(v.body::json -> 'businessStatus',
            'https://fhir.social-prescribing.example.org/CodeSystem/task-business-status',
            '{first-contact-made,plan-agreed,attending,discharged}')
    GROUP BY v.res_id) c ON c.res_id = k.task)
SELECT b.id, b.authored, f.route, f.cohorts, f.person, f.service, f.based_on, f.tasks,
       f.accepted, f.contact
FROM base b JOIN (
  SELECT id,
    min(v) FILTER (WHERE k = 'r') AS route,
    bit_or(n) FILTER (WHERE k = 'c') AS cohorts,
    bool_or(k = 'w') AS withdrawn,
    min(v) FILTER (WHERE k = 's') AS person,
    min(v) FILTER (WHERE k = 'p') AS service,
    bool_or(k = 'b') AS based_on,
    bit_or(n) FILTER (WHERE k = 't') AS tasks,
    min(n) FILTER (WHERE k = 'x') AS accepted,
    min(n) FILTER (WHERE k = 'y') AS contact
  FROM facts GROUP BY id) f ON f.id = b.id AND f.route IS NOT NULL AND NOT f.withdrawn
)sql";

// The local Patients who are subjects of referrals authored in [$1, $2) (epoch milliseconds): a
// superset of the people of the referral facts (those also count referrals without a route or
// entered in error), which is harmless for what is read about them.
constexpr const char* kPeriodPatients = R"sql(
SELECT DISTINCT x.target_id FROM idx_date d
JOIN idx_reference x ON x.res_type = 'ServiceRequest' AND x.res_id = d.res_id
 AND x.param = 'subject' AND x.target_type = 'Patient'
WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored' AND d.low >= $1 AND d.low < $2
)sql";

// The postcode of each of these Patients (the first in sort order of their addresses'). $1: ids.
constexpr const char* kPostcodes = R"sql(
SELECT s.res_id, min(s.exact) FROM idx_string s
JOIN unnest($1::text[]) p(id) ON p.id = s.res_id
WHERE s.res_type = 'Patient' AND s.param = 'address-postalcode'
GROUP BY s.res_id
)sql";

// Which of these Patients ($2) were referred before the period starts ($1).
constexpr const char* kReferredBefore = R"sql(
SELECT DISTINCT x.target_id FROM idx_date d
JOIN idx_reference x ON x.res_type = 'ServiceRequest' AND x.res_id = d.res_id
 AND x.param = 'subject' AND x.target_type = 'Patient'
JOIN unnest($2::text[]) p(id) ON p.id = x.target_id
WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored' AND d.low < $1
  AND EXISTS (SELECT 1 FROM idx_token t WHERE t.res_type = 'ServiceRequest'
              AND t.res_id = d.res_id AND t.param = 'route')
)sql";

// Integer scores of the instruments for the given Patients, effective at or after $4, one row
// per Observation. $1: Patient ids; $2, $3: instrument systems and codes, whose position is the
// instrument (the codes also narrow the index scan).
constexpr const char* kScores = R"sql(
WITH
patient AS (SELECT DISTINCT unnest($1::text[]) AS id),
instrument AS (SELECT * FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS i(system, code, n)),
measured AS (
  SELECT c.res_id, min(i.n) - 1 AS instrument FROM idx_token c
  JOIN instrument i ON i.code = c.code AND i.system = c.system
  WHERE c.res_type = 'Observation' AND c.param = 'code' AND c.code = ANY ($3::text[])
  GROUP BY c.res_id)
SELECT s.target_id, m.instrument, d.low, n.value
FROM measured m
JOIN idx_reference s ON s.res_type = 'Observation' AND s.res_id = m.res_id AND s.param = 'subject'
 AND s.target_type = 'Patient'
JOIN patient p ON p.id = s.target_id
JOIN idx_date d ON d.res_type = 'Observation' AND d.res_id = m.res_id AND d.param = 'date'
JOIN idx_number n ON n.res_type = 'Observation' AND n.res_id = m.res_id AND n.param = 'value-integer'
WHERE d.low >= $4
  AND NOT EXISTS (SELECT 1 FROM idx_token st WHERE st.res_type = 'Observation'
                  AND st.res_id = m.res_id AND st.param = 'status'
                  AND st.code IN ('entered-in-error', 'cancelled'))
)sql";

// Refusals for want of a place made in the period [$1, $2) (epoch milliseconds), or about a
// referral authored in it.
constexpr const char* kRefusals = R"sql(
SELECT floor(extract(epoch FROM r.refused_at) * 1000)::bigint, r.service_id, r.referral_id,
       r.refused
FROM capacity_refusals r
WHERE r.refused_at >= to_timestamp($1::bigint / 1000.0)
      AND r.refused_at < to_timestamp($2::bigint / 1000.0)
   OR r.referral_id IN (SELECT d.res_id FROM idx_date d
                        WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored'
                          AND d.low >= $1 AND d.low < $2)
)sql";

// The directory as it is now: a few hundred services at most, so their JSON is read directly.
// $1: the capacity extension URL, $2: the last-reviewed extension URL.
constexpr const char* kServices = R"sql(
SELECT r.res_id, j ->> 'name', COALESCE(j ->> 'active', 'true'), cap.total, cap.free, cap.status,
       reviewed.value
FROM resources r
JOIN resource_versions v ON v.res_type = r.res_type AND v.res_id = r.res_id
 AND v.version_id = r.version_id
CROSS JOIN LATERAL (SELECT v.body::json AS j) body
LEFT JOIN LATERAL (
  SELECT max(COALESCE(s ->> 'valueUnsignedInt', s ->> 'valueInteger', s ->> 'valuePositiveInt'))
           FILTER (WHERE s ->> 'url' = 'total') AS total,
         max(COALESCE(s ->> 'valueUnsignedInt', s ->> 'valueInteger', s ->> 'valuePositiveInt'))
           FILTER (WHERE s ->> 'url' = 'free') AS free,
         max(s ->> 'valueCode') FILTER (WHERE s ->> 'url' = 'status') AS status
  FROM json_array_elements(CASE WHEN json_typeof(j -> 'extension') = 'array'
                                THEN j -> 'extension' ELSE '[]' END) e,
       json_array_elements(CASE WHEN json_typeof(e -> 'extension') = 'array'
                                THEN e -> 'extension' ELSE '[]' END) s
  WHERE e ->> 'url' = $1) cap ON true
LEFT JOIN LATERAL (
  SELECT min(e ->> 'valueDate') AS value
  FROM json_array_elements(CASE WHEN json_typeof(j -> 'extension') = 'array'
                                THEN j -> 'extension' ELSE '[]' END) e
  WHERE e ->> 'url' = $2) reviewed ON true
WHERE r.res_type = 'HealthcareService' AND NOT r.deleted
ORDER BY r.res_id
)sql";

constexpr const char* kCapacityUrl =
    "https://fhir.social-prescribing.example.org/StructureDefinition/capacity";
constexpr const char* kLastReviewedUrl =
    "https://fhir.social-prescribing.example.org/StructureDefinition/last-reviewed";

std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : f.c_str(); }

std::optional<std::int64_t> integer(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::int64_t>();
}

// A JSON number as the capacity extension holds it ("15"); absent when it is not a whole number.
std::optional<std::int64_t> wholeNumber(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  const std::string s = f.c_str();
  if (s.empty() || s.size() > 15 || !std::all_of(s.begin(), s.end(), ::isdigit)) return std::nullopt;
  return std::stoll(s);
}

constexpr int kHandedOverBit = 20;
constexpr int kReasonBit = 21;  // + position of the reason; kReasonBit alone: another reason

// The states of a referral's Tasks from their bits (see kReferralFacts).
std::vector<TaskFact> decodeTasks(std::int64_t bits, const ReportQuery& q) {
  std::vector<TaskFact> tasks;
  for (std::size_t i = 0; i < q.taskStatuses.size() && i < kHandedOverBit; ++i) {
    if (!(bits & (std::int64_t{1} << i))) continue;
    if (q.taskStatuses[i] == "rejected") {
      for (std::size_t r = 0; r <= q.rejectionReasons.size(); ++r) {
        if (!(bits & (std::int64_t{1} << (kReasonBit + r)))) continue;
        tasks.push_back({"rejected", false, r == 0 ? "other" : q.rejectionReasons[r - 1]});
      }
      continue;
    }
    tasks.push_back({q.taskStatuses[i], false, ""});
  }
  if (bits & (std::int64_t{1} << kHandedOverBit)) tasks.push_back({"completed", true, ""});
  return tasks;
}

std::vector<std::string> decodeCohorts(std::int64_t bits, const ReportQuery& q) {
  std::vector<std::string> cohorts;
  for (std::size_t i = 0; i < q.cohorts.size() && i < 62; ++i) {
    if (bits & (std::int64_t{1} << i)) cohorts.push_back(q.cohorts[i]);
  }
  std::sort(cohorts.begin(), cohorts.end());
  return cohorts;
}

ReferralFact referralOf(const pqxx::row& row, const ReportQuery& q) {
  ReferralFact r;
  r.id = text(row[0]);
  r.authoredMillis = row[1].as<std::int64_t>();
  r.route = text(row[2]);
  r.cohorts = decodeCohorts(integer(row[3]).value_or(0), q);
  r.person = text(row[4]);
  r.service = text(row[5]);
  r.basedOnReferral = !row[6].is_null() && row[6].as<bool>();
  r.tasks = decodeTasks(integer(row[7]).value_or(0), q);
  if (const auto at = integer(row[8])) r.toAcceptanceMillis = *at - r.authoredMillis;
  if (const auto at = integer(row[9])) r.toFirstContactMillis = *at - r.authoredMillis;
  return r;
}

std::vector<ReferralFact> readReferrals(pqxx::transaction_base& tx, const ReportQuery& q) {
  const pqxx::result rows =
      tx.exec_params(kReferralFacts, q.fromMillis, q.toMillis, sqlTextArray(q.cohorts),
                     sqlTextArray(q.taskStatuses), sqlTextArray(q.rejectionReasons));
  std::vector<ReferralFact> referrals;
  referrals.reserve(rows.size());
  for (const auto& row : rows) referrals.push_back(referralOf(row, q));
  return referrals;
}

// What is known of the people referred in the period, keyed by "Patient/<id>".
struct People {
  std::unordered_map<std::string, std::string> postcodes;
  std::unordered_set<std::string> referredBefore;
  std::vector<ScoreFact> scores;
};

// The people are the local Patients who are subjects of the referrals authored in the period
// (read here again, not taken from the referral facts, so that this can run beside them).
People readPeople(pqxx::transaction_base& tx, const ReportQuery& q) {
  People people;
  std::vector<std::string> ids;
  for (const auto& row : tx.exec_params(kPeriodPatients, q.fromMillis, q.toMillis)) {
    ids.push_back(text(row[0]));
  }
  if (ids.empty()) return people;
  const std::string patients = sqlTextArray(ids);
  people.postcodes.reserve(ids.size());
  for (const auto& row : tx.exec_params(kPostcodes, patients)) {
    people.postcodes["Patient/" + text(row[0])] = text(row[1]);
  }
  for (const auto& row : tx.exec_params(kReferredBefore, q.fromMillis, patients)) {
    people.referredBefore.insert("Patient/" + text(row[0]));
  }
  if (q.instruments.empty()) return people;
  std::vector<std::string> systems, codes;
  for (const auto& i : q.instruments) {
    systems.push_back(i.system);
    codes.push_back(i.code);
  }
  const pqxx::result scores = tx.exec_params(kScores, patients, sqlTextArray(systems),
                                             sqlTextArray(codes), q.scoresFromMillis);
  people.scores.reserve(scores.size());
  for (const auto& row : scores) {
    people.scores.push_back(ScoreFact{"Patient/" + text(row[0]), row[1].as<int>(),
                                      row[2].as<std::int64_t>(), row[3].as<double>()});
  }
  return people;
}

void readDirectory(pqxx::transaction_base& tx, const ReportQuery& q, ReportData& data) {
  tx.exec("SET LOCAL enable_nestloop = on");  // a few hundred services: see configure()
  for (const auto& row : tx.exec_params(kServices, kCapacityUrl, kLastReviewedUrl)) {
    ServiceFact s;
    s.id = text(row[0]);
    s.name = text(row[1]);
    s.active = text(row[2]) != "false";
    s.total = wholeNumber(row[3]);
    s.free = wholeNumber(row[4]);
    s.capacityStatus = text(row[5]);
    s.lastReviewed = text(row[6]);
    data.services.push_back(std::move(s));
  }
  for (const auto& row : tx.exec_params(kRefusals, q.fromMillis, q.toMillis)) {
    data.refusals.push_back(
        CapacityRefusal{row[0].as<std::int64_t>(), text(row[1]), text(row[2]), text(row[3])});
  }
}

// Settings of a report's transaction, before its first query.
void configure(pqxx::transaction_base& tx, std::chrono::seconds timeLimit) {
  // The index tables hold correlated columns (res_type, param, system, code) whose
  // selectivities PostgreSQL multiplies: it then expects a few dozen referrals where there
  // are a hundred thousand and picks nested loops that run for minutes. Hash joins over
  // whole index ranges are always reasonable for the referral facts and the scores, so nested
  // loops are turned off for them (readDirectory turns them back on for a few hundred rows);
  // the hash tables need more than the default working memory.
  tx.exec("SET LOCAL enable_nestloop = off");
  tx.exec("SET LOCAL work_mem = '64MB'");
  // The referral facts are one large scan-and-aggregate: let PostgreSQL share it with
  // parallel workers (within its max_parallel_workers_per_gather) sooner than by default.
  tx.exec("SET LOCAL parallel_setup_cost = 100");
  tx.exec("SET LOCAL parallel_tuple_cost = 0.01");
  // Compiling the plan's expressions (a few hundred functions) cost 0.4 s of every report.
  tx.exec("SET LOCAL jit = off");
  tx.exec("SET LOCAL statement_timeout = " +
          std::to_string(std::chrono::milliseconds(timeLimit).count()));
}

using ReadOnlyTransaction = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// Reads everything in `main`'s snapshot. With a `helper` connection, the people (postcodes,
// earlier referrals, scores) are read on it at the same time as the referral facts on `main`,
// in a transaction importing main's snapshot (pg_export_snapshot), so both see the same data.
ReportData readAll(pqxx::connection& main, pqxx::connection* helper, const ReportQuery& q,
                   std::chrono::seconds timeLimit) {
  if (q.taskStatuses.size() > 20 || q.rejectionReasons.size() > 20 || q.cohorts.size() > 62) {
    throw std::invalid_argument("report query: too many codes to report as bits");
  }
  ReadOnlyTransaction tx(main);
  configure(tx, timeLimit);
  ReportData data;
  People people;
  if (helper) {
    const std::string snapshot = tx.exec("SELECT pg_export_snapshot()")[0][0].c_str();
    // Joined before `tx` ends, also when reading the referrals throws (the future's destructor
    // waits), so the snapshot stays exported for as long as the helper may import it.
    std::future<People> beside = std::async(std::launch::async, [&, snapshot] {
      ReadOnlyTransaction htx(*helper);
      htx.exec("SET TRANSACTION SNAPSHOT " + htx.quote(snapshot));
      configure(htx, timeLimit);
      People p = readPeople(htx, q);
      htx.commit();
      return p;
    });
    data.referrals = readReferrals(tx, q);
    people = beside.get();
  } else {
    data.referrals = readReferrals(tx, q);
    people = readPeople(tx, q);
  }
  for (auto& r : data.referrals) {
    const auto pc = people.postcodes.find(r.person);
    if (pc != people.postcodes.end()) r.postcode = pc->second;
    r.referredBefore = people.referredBefore.count(r.person) > 0;
  }
  data.scores = std::move(people.scores);
  readDirectory(tx, q, data);
  tx.commit();
  return data;
}

void logDatabaseError(const char* what) { std::cerr << "report database error: " << what << "\n"; }

}  // namespace

PgReportStore::PgReportStore(const std::string& url, std::size_t poolSize,
                             std::chrono::seconds timeLimit)
    : pool_(std::make_unique<ConnectionPool>(url, poolSize, nullptr)), timeLimit_(timeLimit) {}

ReportData PgReportStore::read(const ReportQuery& query) {
  for (int attempt = 1;; ++attempt) {
    std::optional<ConnectionPool::Lease> lease;
    std::optional<ConnectionPool::Lease> helper;
    try {
      lease.emplace(pool_->acquire());
      // A second connection reads beside the first; none free (another report): one does all.
      if (auto spare = pool_->tryAcquire()) helper.emplace(std::move(*spare));
      ReportData data = readAll(**lease, helper ? &**helper : nullptr, query, timeLimit_);
      return data;
    } catch (const pqxx::broken_connection& e) {
      if (lease) lease->discard();
      if (helper) helper->discard();
      if (attempt >= 2) {
        logDatabaseError(e.what());
        throw FhirError(ErrorKind::kUnavailable, "transient", "The database is unavailable");
      }
    } catch (const pqxx::sql_error& e) {
      logDatabaseError(e.what());
      if (e.sqlstate() == "57014") {  // query_canceled: the statement timeout
        throw FhirError(ErrorKind::kUnavailable, "too-costly",
                        "The report took longer than " + std::to_string(timeLimit_.count()) +
                            " seconds; choose a shorter period or try again later");
      }
      if (lease && !(*lease)->is_open()) lease->discard();
      if (helper && !(*helper)->is_open()) helper->discard();
      throw FhirError(ErrorKind::kInternal, "exception", "A database error occurred");
    } catch (const std::runtime_error& e) {
      if (dynamic_cast<const FhirError*>(&e)) throw;
      if (!lease) {  // no connection free, or none could be opened
        logDatabaseError(e.what());
        throw FhirError(ErrorKind::kUnavailable, "transient", "The database is unavailable");
      }
      throw;
    }
  }
}

}  // namespace sp::store::pg
