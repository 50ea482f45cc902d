#include "store/pg/pg_reports.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <iostream>
#include <set>

#include "fhir/errors.h"

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
// Each attribute is gathered in one pass over its index table (conditional aggregates by
// resource id) and joined to the referrals once. $1, $2: the period in epoch milliseconds
// [from, to); $3: postcode sectors and districts (upper case), whose position is the place.
constexpr const char* kReferralFacts = R"sql(
WITH
place_prefix AS (SELECT * FROM unnest($3::text[]) WITH ORDINALITY AS l(prefix, n)),
base AS MATERIALIZED (
  SELECT d.res_id AS id, min(d.low) AS authored FROM idx_date d
  WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored' AND d.low >= $1 AND d.low < $2
  GROUP BY d.res_id),
sr_token AS (
  SELECT t.res_id AS id,
    min(t.code) FILTER (WHERE t.param = 'route') AS route,
    string_agg(t.code, ',') FILTER (WHERE t.param = 'reason-code') AS cohorts,
    bool_or(t.param = 'status') AS withdrawn
  FROM idx_token t
  WHERE t.res_type = 'ServiceRequest'
    AND (t.param = 'route' AND t.system = 'https://fhir.social-prescribing.example.org/CodeSystem/referral-route'
      OR t.param = 'reason-code' AND t.system = 'https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort'
      OR t.param = 'status' AND t.code = 'entered-in-error')
    AND t.res_id IN (SELECT id FROM base)
  GROUP BY t.res_id),
sr_reference AS (
  SELECT x.res_id AS id,
    min(x.target_id) FILTER (WHERE x.param = 'subject' AND x.target_type = 'Patient') AS patient,
    min(CASE WHEN x.target_type <> '' THEN x.target_type || '/' || x.target_id
             WHEN x.id_value <> '' THEN x.id_system || '|' || x.id_value ELSE x.url END)
      FILTER (WHERE x.param = 'subject') AS person,
    min(x.target_id) FILTER (WHERE x.param = 'performer' AND x.target_type = 'HealthcareService') AS service,
    bool_or(x.param = 'based-on' AND x.target_type = 'ServiceRequest') AS onward
  FROM idx_reference x
  WHERE x.res_type = 'ServiceRequest' AND x.param IN ('subject', 'performer', 'based-on')
    AND x.res_id IN (SELECT id FROM base)
  GROUP BY x.res_id),
task AS MATERIALIZED (
  SELECT f.res_id AS task, f.target_id AS id FROM idx_reference f
  WHERE f.res_type = 'Task' AND f.param = 'focus' AND f.target_type = 'ServiceRequest'
    AND f.target_id IN (SELECT id FROM base)),
task_status AS (
  SELECT t.res_id AS task, t.code AS status FROM idx_token t
  WHERE t.res_type = 'Task' AND t.param = 'status' AND t.res_id IN (SELECT task FROM task)),
task_flag AS (
  SELECT t.res_id AS task,
    bool_or(t.param = 'code') AS handover,
    bool_or(t.param = 'business-status' AND t.code = 'handed-over') AS handed_over,
    min(t.code) FILTER (WHERE t.param = 'status-reason' AND t.code <> 'handed-over') AS reason,
    min(t.code) FILTER (WHERE t.param = 'business-status' AND t.code <> 'handed-over') AS business_reason
  FROM idx_token t
  WHERE t.res_type = 'Task'
    AND (t.param = 'code' AND t.code = 'warm-handover'
           AND t.system = 'https://fhir.social-prescribing.example.org/CodeSystem/task-code'
      OR t.param IN ('business-status', 'status-reason')
         AND t.code IN ('handed-over', 'no-capacity', 'not-eligible', 'declined-by-person')
         AND t.system = 'https://fhir.social-prescribing.example.org/CodeSystem/task-business-status')
  GROUP BY t.res_id),
accepted AS (
  SELECT v.res_id AS task, min(v.last_updated) AS at FROM resource_versions v
  WHERE v.res_type = 'Task'
    AND (v.body::json ->> 'status') IN ('accepted', 'in-progress', 'on-hold', 'completed', 'failed')
  GROUP BY v.res_id),
contact AS (
  SELECT v.res_id AS task, min(v.last_updated) AS at FROM resource_versions v
  WHERE v.res_type = 'Task'
    AND sp_report_has_code(v.body::json -> 'businessStatus',
          'https://fhir.social-prescribing.example.org/CodeSystem/task-business-status',
          '{first-contact-made,plan-agreed,attending,discharged}')
  GROUP BY v.res_id),
outcome AS (
  SELECT k.id,
    string_agg(s.status || '|' || (f.handover IS TRUE)::int || (f.handed_over IS TRUE)::int || '|'
      || CASE WHEN s.status = 'rejected' THEN COALESCE(f.reason, f.business_reason, 'other') ELSE '' END,
      ',') AS tasks,
    min(a.at) FILTER (WHERE f.handover IS NOT TRUE) AS accepted_at,
    min(c.at) AS contact_at
  FROM task k JOIN task_status s ON s.task = k.task LEFT JOIN task_flag f ON f.task = k.task
  LEFT JOIN accepted a ON a.task = k.task LEFT JOIN contact c ON c.task = k.task
  GROUP BY k.id),
place AS (
  SELECT p.patient, COALESCE(ls.n, ld.n) - 1 AS place
  FROM (SELECT s.res_id AS patient, min(upper(replace(s.normalised, ' ', ''))) AS pc
        FROM idx_string s WHERE s.res_type = 'Patient' AND s.param = 'address-postalcode'
          AND s.res_id IN (SELECT patient FROM sr_reference)
        GROUP BY s.res_id) p
  LEFT JOIN place_prefix ls ON p.pc ~ '^[A-Z0-9]{5,7}$'
    AND ls.prefix = left(p.pc, length(p.pc) - 3) || ' ' || substr(p.pc, length(p.pc) - 2, 1)
  LEFT JOIN place_prefix ld ON p.pc ~ '^[A-Z0-9]{5,7}$' AND ld.prefix = left(p.pc, length(p.pc) - 3)),
prior AS (
  SELECT DISTINCT x.target_id AS patient
  FROM idx_date d
  JOIN idx_reference x ON x.res_type = 'ServiceRequest' AND x.res_id = d.res_id
   AND x.param = 'subject' AND x.target_type = 'Patient'
  WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored' AND d.low < $1
    AND EXISTS (SELECT 1 FROM idx_token t WHERE t.res_type = 'ServiceRequest'
                AND t.res_id = d.res_id AND t.param = 'route')
    AND x.target_id IN (SELECT patient FROM sr_reference))
SELECT b.id, b.authored, r.person, t.route, t.cohorts, r.onward, r.service, pl.place,
       pr.patient IS NOT NULL AS referred_before, o.tasks,
       floor(extract(epoch FROM o.accepted_at) * 1000)::bigint - b.authored AS to_accept,
       floor(extract(epoch FROM o.contact_at) * 1000)::bigint - b.authored AS to_contact
FROM base b JOIN sr_token t ON t.id = b.id AND t.route IS NOT NULL AND NOT t.withdrawn
LEFT JOIN sr_reference r ON r.id = b.id
LEFT JOIN place pl ON pl.patient = r.patient
LEFT JOIN outcome o ON o.id = b.id
LEFT JOIN prior pr ON pr.patient = r.patient
)sql";

// Integer scores of the instruments for the given Patients, effective at or after $4.
// $1: Patient ids; $2, $3: instrument systems and codes, whose position is the instrument.
constexpr const char* kScores = R"sql(
WITH
patient AS (SELECT DISTINCT unnest($1::text[]) AS id),
instrument AS (SELECT * FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS i(system, code, n)),
measured AS (
  SELECT c.res_id, min(i.n) - 1 AS instrument FROM idx_token c
  JOIN instrument i ON i.code = c.code AND i.system = c.system
  WHERE c.res_type = 'Observation' AND c.param = 'code'
  GROUP BY c.res_id)
SELECT s.target_id, m.instrument, min(d.low), min(n.value)
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
GROUP BY m.res_id, s.target_id, m.instrument
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

// A PostgreSQL array literal of text values: {"a","b\"c"}.
std::string textArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  if (text.empty()) return parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

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

// "status|HO|reason" items, ',' between them (see kReferralFacts).
std::vector<TaskFact> parseTasks(const std::string& encoded) {
  std::vector<TaskFact> tasks;
  for (const std::string& item : split(encoded, ',')) {
    const auto fields = split(item, '|');
    if (fields.size() != 3 || fields[1].size() != 2) continue;
    TaskFact t;
    t.status = fields[0];
    t.handover = fields[1][0] == '1';
    t.handedOver = fields[1][1] == '1';
    t.rejectionReason = fields[2];
    tasks.push_back(std::move(t));
  }
  return tasks;
}

ReferralFact referralOf(const pqxx::row& row) {
  ReferralFact r;
  r.id = text(row[0]);
  r.authoredMillis = row[1].as<std::int64_t>();
  r.person = text(row[2]);
  r.route = text(row[3]);
  r.cohorts = split(text(row[4]), ',');
  std::sort(r.cohorts.begin(), r.cohorts.end());
  r.cohorts.erase(std::unique(r.cohorts.begin(), r.cohorts.end()), r.cohorts.end());
  r.basedOnReferral = !row[5].is_null() && row[5].as<bool>();
  r.service = text(row[6]);
  r.place = row[7].is_null() ? -1 : row[7].as<int>();
  r.referredBefore = row[8].as<bool>();
  r.tasks = parseTasks(text(row[9]));
  r.toAcceptanceMillis = integer(row[10]);
  r.toFirstContactMillis = integer(row[11]);
  return r;
}

ReportData readAll(pqxx::transaction_base& tx, const ReportQuery& q) {
  ReportData data;
  std::vector<std::string> prefixes;
  for (const auto& p : q.places) prefixes.push_back(p.prefix);
  const pqxx::result referrals =
      tx.exec_params(kReferralFacts, q.fromMillis, q.toMillis, textArray(prefixes));
  data.referrals.reserve(referrals.size());
  std::set<std::string> patients;
  for (const auto& row : referrals) {
    data.referrals.push_back(referralOf(row));
    const std::string& person = data.referrals.back().person;
    if (person.rfind("Patient/", 0) == 0) patients.insert(person.substr(8));
  }
  std::sort(data.referrals.begin(), data.referrals.end(),
            [](const ReferralFact& a, const ReferralFact& b) {
              return a.authoredMillis != b.authoredMillis ? a.authoredMillis < b.authoredMillis
                                                          : a.id < b.id;
            });

  if (!q.instruments.empty() && !patients.empty()) {
    std::vector<std::string> systems, codes;
    for (const auto& i : q.instruments) {
      systems.push_back(i.system);
      codes.push_back(i.code);
    }
    const pqxx::result scores = tx.exec_params(
        kScores, textArray(std::vector<std::string>(patients.begin(), patients.end())),
        textArray(systems), textArray(codes), q.scoresFromMillis);
    for (const auto& row : scores) {
      data.scores.push_back(ScoreFact{"Patient/" + text(row[0]), row[1].as<int>(),
                                      row[2].as<std::int64_t>(), row[3].as<double>()});
    }
  }

  tx.exec("SET LOCAL enable_nestloop = on");  // a few hundred services: see read()
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
    try {
      lease.emplace(pool_->acquire());
      pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(**lease);
      // The index tables hold correlated columns (res_type, param, system, code) whose
      // selectivities PostgreSQL multiplies: it then expects a few dozen referrals where there
      // are a hundred thousand and picks nested loops that run for minutes. Hash joins over
      // whole index ranges are always reasonable for the referral facts and the scores, so nested
      // loops are turned off for them (readAll turns them back on for the directory, a few
      // hundred rows); the hash tables need more than the default working memory.
      tx.exec("SET LOCAL enable_nestloop = off");
      tx.exec("SET LOCAL work_mem = '64MB'");
      tx.exec("SET LOCAL statement_timeout = " +
              std::to_string(std::chrono::milliseconds(timeLimit_).count()));
      ReportData data = readAll(tx, query);
      tx.commit();
      return data;
    } catch (const pqxx::broken_connection& e) {
      if (lease) lease->discard();
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
