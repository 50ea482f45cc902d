#include "store/pg/pg_reports.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <future>
#include <iostream>
#include <unordered_map>

#include "fhir/errors.h"
#include "store/pg/access_sql.h"  // sqlTextArray
#include "store/pg/copy_text.h"

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
// Each attribute is one index-only scan in resource id order through the indexes of migration
// 012 (keyed by type, parameter and id), grouped by id as it streams, and the attributes are
// merged with the period's referrals in id order: the statement runs with hash joins (and
// nested loops) off, so PostgreSQL never hashes the 36-character ids, whatever it estimates
// (its estimates on these tables are poor). A referral's Tasks are merged in Task id order
// (their tokens through the Task index of 012, their first acceptance and first contact
// through those of 003) and then sorted once by referral. For a year of 100,000 referrals this
// took a third of the backend CPU of the previous form (one stream of attribute rows hashed by
// id and joined to the period's referrals a dozen times); see bench/README.md.
//
// Bits of a Task's state (see decodeTasks): its status's position in $4 (bit 0 for the first);
// bit 20 instead of "completed" when it completed by a warm handover (businessStatus
// handed-over); for a rejection, bit 21 + the position of its reason in $5 (statusReason first,
// then businessStatus), or bit 21 alone for any other reason. Cohorts: bit = position in $3.
// $1, $2: the period in epoch milliseconds [from, to).
constexpr const char* kReferralFacts = R"sql(
WITH
referral AS (
  SELECT res_id AS id, min(low) AS authored FROM idx_date
  WHERE res_type = 'ServiceRequest' AND param = 'authored' AND low >= $1 AND low < $2
  GROUP BY res_id),
route AS (
  SELECT res_id AS id, min(code) AS route FROM idx_token
  WHERE res_type = 'ServiceRequest' AND param = 'route'
    AND system = 'https://fhir.social-prescribing.example.org/CodeSystem/referral-route'
  GROUP BY res_id),
cohort AS (
  SELECT res_id AS id, bit_or(1::bigint << (array_position($3::text[], code) - 1)) AS cohorts
  FROM idx_token
  WHERE res_type = 'ServiceRequest' AND param = 'reason-code'
    AND system = 'https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort'
    AND array_position($3::text[], code) IS NOT NULL
  GROUP BY res_id),
withdrawn AS (
  SELECT res_id AS id FROM idx_token
  WHERE res_type = 'ServiceRequest' AND param = 'status' AND code = 'entered-in-error'),
person AS (
  SELECT res_id AS id,
         min(CASE WHEN target_type <> '' THEN target_type || '/' || target_id
                  WHEN id_value <> '' THEN id_system || '|' || id_value
                  ELSE url END) AS person
  FROM idx_reference WHERE res_type = 'ServiceRequest' AND param = 'subject'
  GROUP BY res_id),
service AS (
  SELECT res_id AS id,
         min(target_id) FILTER (WHERE target_type = 'HealthcareService') AS service
  FROM idx_reference WHERE res_type = 'ServiceRequest' AND param = 'performer'
  GROUP BY res_id),
onward AS (
  SELECT DISTINCT res_id AS id FROM idx_reference
  WHERE res_type = 'ServiceRequest' AND param = 'based-on' AND target_type = 'ServiceRequest'),
task_state AS (
  SELECT res_id AS task,
    min(code) FILTER (WHERE param = 'status') AS status,
    bool_or(param = 'code' AND code = 'warm-handover'
            AND system = 'https://fhir.social-prescribing.example.org/CodeSystem/task-code')
      AS handover,
    bool_or(param = 'business-status' AND code = 'handed-over'
            AND system = 'https://fhir.social-prescribing.example.org/CodeSystem/task-business-status')
      AS handed_over,
    min(code) FILTER (WHERE param = 'status-reason' AND code = ANY ($5::text[])
            AND system = 'https://fhir.social-prescribing.example.org/CodeSystem/task-business-status')
      AS reason,
    min(code) FILTER (WHERE param = 'business-status' AND code = ANY ($5::text[])
            AND system = 'https://fhir.social-prescribing.example.org/CodeSystem/task-business-status')
      AS business_reason
  FROM idx_token
  WHERE res_type = 'Task' AND param IN ('status', 'code', 'business-status', 'status-reason')
  GROUP BY res_id),
accepted AS (
  SELECT res_id AS task, floor(extract(epoch FROM min(last_updated)) * 1000)::bigint AS at
  FROM resource_versions
  WHERE res_type = 'Task'
    AND (body::json ->> 'status') IN ('accepted', 'in-progress', 'on-hold', 'completed', 'failed')
  GROUP BY res_id),
contact AS (
  SELECT res_id AS task, floor(extract(epoch FROM min(last_updated)) * 1000)::bigint AS at
  FROM resource_versions
  WHERE res_type = 'Task'
    AND sp_report_has_code(body::json -> 'businessStatus',
          'https://fhir.social-prescribing.example.org/CodeSystem/task-business-status',
          '{first-contact-made,plan-agreed,attending,discharged}')
  GROUP BY res_id),
tasks AS (
  SELECT f.target_id AS id,
    bit_or(CASE WHEN s.status = 'completed' AND s.handed_over THEN 1::bigint << 20
                ELSE 1::bigint << (array_position($4::text[], s.status) - 1) END
           | CASE WHEN s.status = 'rejected' THEN 1::bigint << (21 + COALESCE(
               array_position($5::text[], s.reason),
               array_position($5::text[], s.business_reason), 0))
             ELSE 0 END) FILTER (WHERE s.status = ANY ($4::text[])) AS states,
    min(a.at) FILTER (WHERE NOT s.handover) AS accepted,
    min(c.at) AS contact
  FROM idx_reference f
  LEFT JOIN task_state s ON s.task = f.res_id
  LEFT JOIN accepted a ON a.task = f.res_id
  LEFT JOIN contact c ON c.task = f.res_id
  WHERE f.res_type = 'Task' AND f.param = 'focus' AND f.target_type = 'ServiceRequest'
  GROUP BY f.target_id)
SELECT r.id, r.authored, route.route, cohort.cohorts, person.person, service.service,
       onward.id IS NOT NULL, tasks.states, tasks.accepted, tasks.contact
FROM referral r
JOIN route ON route.id = r.id
LEFT JOIN cohort ON cohort.id = r.id
LEFT JOIN person ON person.id = r.id
LEFT JOIN service ON service.id = r.id
LEFT JOIN onward ON onward.id = r.id
LEFT JOIN tasks ON tasks.id = r.id
WHERE NOT EXISTS (SELECT 1 FROM withdrawn w WHERE w.id = r.id)
)sql";

// The local Patients who are subjects of referrals authored in [$1, $2) (epoch milliseconds): a
// superset of the people of the referral facts (those also count referrals without a route or
// entered in error), which is harmless for what is read about them. Found again by each
// statement that needs them (about 0.1 s for a year) instead of being sent back as an array.
constexpr const char* kPeriodPatients = R"sql(
WITH period_patient AS (
  SELECT DISTINCT x.target_id AS id FROM idx_date d
  JOIN idx_reference x ON x.res_type = 'ServiceRequest' AND x.param = 'subject'
   AND x.res_id = d.res_id AND x.target_type = 'Patient'
  WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored' AND d.low >= $1 AND d.low < $2),)sql";

// After kPeriodPatients: each of these Patients with their postcode (the first in sort order of
// their addresses') and whether they were referred (with a route) before the period starts.
constexpr const char* kPeople = R"sql(
postcode AS (
  SELECT res_id AS id, min(exact) AS postcode FROM idx_string
  WHERE res_type = 'Patient' AND param = 'address-postalcode'
  GROUP BY res_id),
earlier AS (
  SELECT DISTINCT x.target_id AS id FROM idx_date d
  JOIN idx_reference x ON x.res_type = 'ServiceRequest' AND x.param = 'subject'
   AND x.res_id = d.res_id AND x.target_type = 'Patient'
  WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored' AND d.low < $1
    AND EXISTS (SELECT 1 FROM idx_token t WHERE t.res_type = 'ServiceRequest'
                AND t.param = 'route' AND t.res_id = d.res_id))
SELECT p.id, postcode.postcode, earlier.id IS NOT NULL
FROM period_patient p
LEFT JOIN postcode ON postcode.id = p.id
LEFT JOIN earlier ON earlier.id = p.id
)sql";

// After kPeriodPatients: integer scores of the instruments for these Patients, effective at or
// after $5, one row per Observation. $3, $4: instrument systems and codes, whose position is
// the instrument.
constexpr const char* kScores = R"sql(
instrument AS (SELECT * FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS i(system, code, n)),
measured AS (
  SELECT c.res_id AS id, min(i.n) - 1 AS instrument FROM idx_token c
  JOIN instrument i ON i.code = c.code AND i.system = c.system
  WHERE c.res_type = 'Observation' AND c.param = 'code'
  GROUP BY c.res_id),
subject AS (
  SELECT res_id AS id, target_id AS person FROM idx_reference
  WHERE res_type = 'Observation' AND param = 'subject' AND target_type = 'Patient'),
effective AS (
  SELECT res_id AS id, low FROM idx_date
  WHERE res_type = 'Observation' AND param = 'date' AND low >= $5),
score AS (
  SELECT res_id AS id, value FROM idx_number
  WHERE res_type = 'Observation' AND param = 'value-integer'),
withdrawn AS (
  SELECT res_id AS id FROM idx_token WHERE res_type = 'Observation' AND param = 'status'
   AND code IN ('entered-in-error', 'cancelled'))
SELECT s.person, m.instrument, e.low, n.value
FROM measured m
JOIN subject s ON s.id = m.id
JOIN effective e ON e.id = m.id
JOIN score n ON n.id = m.id
JOIN period_patient p ON p.id = s.person
WHERE NOT EXISTS (SELECT 1 FROM withdrawn w WHERE w.id = m.id)
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

ReferralFact referralOf(const CopyTextRow& row, const ReportQuery& q) {
  ReferralFact r;
  r.id = row.text(0);
  r.authoredMillis = row.integer(1);
  r.route = row.text(2);
  r.cohorts = decodeCohorts(row.integer(3), q);
  r.person = row.text(4);
  r.service = row.text(5);
  r.basedOnReferral = row.boolean(6);
  r.tasks = decodeTasks(row.integer(7), q);
  if (!row.isNull(8)) r.toAcceptanceMillis = row.integer(8) - r.authoredMillis;
  if (!row.isNull(9)) r.toFirstContactMillis = row.integer(9) - r.authoredMillis;
  return r;
}

// The referral facts are streamed (COPY (query) TO STDOUT): each row is parsed while
// PostgreSQL makes the next ones (the merge joins hand them out in id order as they go),
// instead of after the whole result has arrived. libpqxx 6.4's stream_from puts the name it is
// given into the COPY statement as written, so a parenthesised query can stand for a table;
// COPY takes no parameters, hence the literals (numbers, and arrays of the report's own codes
// quoted by the connection).
std::vector<ReferralFact> readReferrals(pqxx::transaction_base& tx, const ReportQuery& q) {
  tx.exec("SET LOCAL enable_hashjoin = off");  // merge joins in id order: see kReferralFacts
  const std::string sql = withLiterals(
      kReferralFacts,
      {std::to_string(q.fromMillis), std::to_string(q.toMillis),
       tx.quote(sqlTextArray(q.cohorts)), tx.quote(sqlTextArray(q.taskStatuses)),
       tx.quote(sqlTextArray(q.rejectionReasons))});
  std::vector<ReferralFact> referrals;
  {
    pqxx::stream_from rows(tx, "(" + sql + ")");
    std::string line;
    CopyTextRow row;
    while (rows.get_raw_line(line)) {
      row.parse(line);
      referrals.push_back(referralOf(row, q));
    }
    rows.complete();
  }
  tx.exec("SET LOCAL enable_hashjoin TO DEFAULT");
  return referrals;
}

// What is known of a person referred in the period.
struct Person {
  std::string postcode;  // "" when none
  bool referredBefore = false;
};

// What is known of the people referred in the period, keyed by "Patient/<id>".
struct People {
  std::unordered_map<std::string, Person> byReference;
  std::vector<ScoreFact> scores;
};

// The people are the local Patients who are subjects of the referrals authored in the period
// (found again here, not taken from the referral facts, so that this can run beside them).
People readPeople(pqxx::transaction_base& tx, const ReportQuery& q) {
  People people;
  const std::string peopleSql = std::string(kPeriodPatients) + kPeople;
  const pqxx::result rows = tx.exec_params(peopleSql, q.fromMillis, q.toMillis);
  people.byReference.reserve(rows.size());
  for (const auto& row : rows) {
    const bool before = row[2].as<bool>();
    if (row[1].is_null() && !before) continue;
    people.byReference.emplace("Patient/" + text(row[0]), Person{text(row[1]), before});
  }
  if (q.instruments.empty()) return people;
  std::vector<std::string> systems, codes;
  for (const auto& i : q.instruments) {
    systems.push_back(i.system);
    codes.push_back(i.code);
  }
  const pqxx::result scores =
      tx.exec_params(std::string(kPeriodPatients) + kScores, q.fromMillis, q.toMillis,
                     sqlTextArray(systems), sqlTextArray(codes), q.scoresFromMillis);
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
  // are a hundred thousand and picks nested loops that run for minutes. Merge and hash joins
  // over whole index ranges are always reasonable for the referral facts and the people, so
  // nested loops are turned off for them (readDirectory turns them back on for a few hundred
  // rows; readReferrals turns hash joins off as well); the hash tables and sorts need more
  // than the default working memory.
  tx.exec("SET LOCAL enable_nestloop = off");
  tx.exec("SET LOCAL work_mem = '64MB'");
  // No parallel workers: the report already reads on two connections at once, and workers
  // merging their shares of the id-ordered scans (Gather Merge) made the year's facts slower
  // (1.3 s against 0.85 s of wall time on this 2-CPU machine).
  tx.exec("SET LOCAL max_parallel_workers_per_gather = 0");
  // Compiling the plan's expressions (a few hundred functions) cost 0.4 s of every report.
  tx.exec("SET LOCAL jit = off");
  tx.exec("SET LOCAL statement_timeout = " +
          std::to_string(std::chrono::milliseconds(timeLimit).count()));
}

using ReadOnlyTransaction = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// Reads everything in `main`'s snapshot. With a `helper` connection, the people (postcodes,
// earlier referrals, scores) and then the directory are read on it at the same time as the
// referral facts on `main`, in a transaction importing main's snapshot (pg_export_snapshot), so
// both see the same data.
ReportData readAll(pqxx::connection& main, pqxx::connection* helper, const ReportQuery& q,
                   std::chrono::seconds timeLimit) {
  if (q.taskStatuses.size() > 20 || q.rejectionReasons.size() > 20 || q.cohorts.size() > 62) {
    throw std::invalid_argument("report query: too many codes to report as bits");
  }
  ReadOnlyTransaction tx(main);
  configure(tx, timeLimit);
  ReportData data;
  People people;
  ReportData directory;  // services and refusals; outlives `beside`, which fills it
  if (helper) {
    const std::string snapshot = tx.exec("SELECT pg_export_snapshot()")[0][0].c_str();
    // Joined before `tx` ends, also when reading the referrals throws (the future's destructor
    // waits), so the snapshot stays exported for as long as the helper may import it.
    std::future<People> beside = std::async(std::launch::async, [&, snapshot] {
      ReadOnlyTransaction htx(*helper);
      htx.exec("SET TRANSACTION SNAPSHOT " + htx.quote(snapshot));
      configure(htx, timeLimit);
      People p = readPeople(htx, q);
      readDirectory(htx, q, directory);
      htx.commit();
      return p;
    });
    data.referrals = readReferrals(tx, q);
    people = beside.get();
  } else {
    data.referrals = readReferrals(tx, q);
    people = readPeople(tx, q);
    readDirectory(tx, q, directory);
  }
  for (auto& r : data.referrals) {
    const auto person = people.byReference.find(r.person);
    if (person == people.byReference.end()) continue;
    r.postcode = person->second.postcode;
    r.referredBefore = person->second.referredBefore;
  }
  data.scores = std::move(people.scores);
  data.services = std::move(directory.services);
  data.refusals = std::move(directory.refusals);
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
