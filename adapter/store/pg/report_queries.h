// The SQL of the impact report (store/pg/pg_reports.cpp reads it): what each statement returns
// and why it has the shape it has. Text only.
//
// Everything comes from the search index rows the server writes with each version (current
// versions only) and from the Task history, read through the partial indexes of migrations 003,
// 012 and 014: the predicates below must imply those of the indexes (PostgreSQL uses a partial
// index only when it can prove that), so change them together.
//
// Each attribute, or each kind of index row of a resource type, is one index-only scan in
// resource id order, grouped by id as it streams, and the scans of one resource type are merged
// in id order. The statements run with hash joins, nested loops and sorts off (see configure()
// in pg_reports.cpp): none of them needs a sort, and PostgreSQL's estimates on these tables are
// poor (it expects a few dozen referrals where there are a hundred thousand), so left to itself
// it picks the code-ordered indexes and sorts their rows by id, or hashes the 36-character ids.
// The referrals, their Tasks, the people and the scores are separate statements, so that up to
// three connections can read them at the same time; the server joins them by id (a referral's
// Tasks by their focus, a referral's person by its reference).
#pragma once

namespace sp::store::pg::report_sql {

// One row per referral authored in the period: a ServiceRequest with a referral-route token (the
// sp-referral profile requires the route), not entered-in-error. Its tokens and its references
// are each one scan of an index of migration 014, in referral id order, grouped per referral.
// Cohorts: bit = position in $3. $1, $2: the period in epoch milliseconds [from, to). $4, $5:
// the referral-route and priority-cohort CodeSystems (fhir/project_urls.h).
constexpr const char* kReferrals = R"sql(
WITH
referral AS (
  SELECT res_id AS id, min(low) AS authored FROM idx_date
  WHERE res_type = 'ServiceRequest' AND param = 'authored' AND low >= $1 AND low < $2
  GROUP BY res_id),
token AS (
  SELECT res_id AS id,
    min(code) FILTER (WHERE param = 'route'
        AND system = $4)
      AS route,
    bit_or(1::bigint << (array_position($3::text[], code) - 1)) FILTER (
        WHERE param = 'reason-code'
        AND system = $5)
      AS cohorts,
    bool_or(param = 'status' AND code = 'entered-in-error') AS withdrawn
  FROM idx_token
  WHERE res_type = 'ServiceRequest' AND param IN ('route', 'reason-code', 'status')
  GROUP BY res_id),
reference AS (
  SELECT res_id AS id,
    min(CASE WHEN target_type <> '' THEN target_type || '/' || target_id
             WHEN id_value <> '' THEN id_system || '|' || id_value
             ELSE url END) FILTER (WHERE param = 'subject') AS person,
    min(target_id) FILTER (WHERE param = 'performer' AND target_type = 'HealthcareService')
      AS service,
    bool_or(param = 'based-on' AND target_type = 'ServiceRequest') AS onward
  FROM idx_reference
  WHERE res_type = 'ServiceRequest' AND param IN ('subject', 'performer', 'based-on')
  GROUP BY res_id)
SELECT r.id, r.authored, t.route, t.cohorts, x.person, x.service, COALESCE(x.onward, false)
FROM referral r
JOIN token t ON t.id = r.id
LEFT JOIN reference x ON x.id = r.id
WHERE t.route IS NOT NULL AND NOT t.withdrawn
)sql";

// One row per Task whose focus is a ServiceRequest (every Task, whatever the period: the server
// keeps those of the period's referrals): the referral's id; what its tokens say, as bits; when
// it was first accepted; when it first recorded a contact (epoch milliseconds).
//
// The bits (read by taskState in pg_reports.cpp), one aggregate over the Task's token rows:
// its status's position in $1 (bit 0 for the first; $1 holds at most 20), bit 20 when its code
// is warm-handover, bit 21 when its businessStatus is handed-over, bit 22 + the position of a
// statusReason in $2 and bit 32 + the position of a businessStatus in $2 (positions from 0;
// $2 holds at most 10 rejection reasons). Null for a Task without tokens. $3, $4: the task-code
// and task-business-status CodeSystems (fhir/project_urls.h), which like every $n here reach
// PostgreSQL as literals written into the text (withLiterals: the statement is a COPY): the
// contact predicate is then migration 003's index predicate, constant and all, as it must be.
//
// The first acceptance and first contact are in the version history only, read through the
// partial indexes of migration 003. date_part, not extract: extract returns numeric, whose
// arithmetic cost a tenth of this statement. Its double holds the microseconds exactly once
// rounded, so the milliseconds are those microseconds divided, as extract would give them.
constexpr const char* kTasks = R"sql(
WITH
task_state AS (
  SELECT res_id AS task, bit_or(CASE
      WHEN param = 'status' THEN 1::bigint << (array_position($1::text[], code) - 1)
      WHEN param = 'code' THEN
          CASE WHEN code = 'warm-handover' AND system = $3 THEN 1::bigint << 20 END
      WHEN system IS DISTINCT FROM $4 THEN NULL
      WHEN param = 'business-status' AND code = 'handed-over' THEN 1::bigint << 21
      WHEN param = 'status-reason' THEN 1::bigint << (21 + array_position($2::text[], code))
      ELSE 1::bigint << (31 + array_position($2::text[], code)) END) AS bits
  FROM idx_token
  WHERE res_type = 'Task' AND param IN ('status', 'code', 'business-status', 'status-reason')
  GROUP BY res_id),
accepted AS (
  SELECT res_id AS task, (date_part('epoch', min(last_updated)) * 1000000)::bigint / 1000 AS at
  FROM resource_versions
  WHERE res_type = 'Task'
    AND (body::json ->> 'status') IN ('accepted', 'in-progress', 'on-hold', 'completed', 'failed')
  GROUP BY res_id),
contact AS (
  SELECT res_id AS task, (date_part('epoch', min(last_updated)) * 1000000)::bigint / 1000 AS at
  FROM resource_versions
  WHERE res_type = 'Task'
    AND sp_report_has_code(body::json -> 'businessStatus', $4,
          '{first-contact-made,plan-agreed,attending,discharged}')
  GROUP BY res_id)
SELECT f.target_id, s.bits, a.at, c.at
FROM idx_reference f
LEFT JOIN task_state s ON s.task = f.res_id
LEFT JOIN accepted a ON a.task = f.res_id
LEFT JOIN contact c ON c.task = f.res_id
WHERE f.res_type = 'Task' AND f.param = 'focus' AND f.target_type = 'ServiceRequest'
)sql";

// Every Patient with a postcode (the first in sort order of their addresses').
constexpr const char* kPostcodes = R"sql(
SELECT res_id, min(exact) FROM idx_string
WHERE res_type = 'Patient' AND param = 'address-postalcode'
GROUP BY res_id
)sql";

// The Patients referred (with a route) before $1 (epoch milliseconds).
constexpr const char* kReferredBefore = R"sql(
SELECT DISTINCT x.target_id FROM idx_date d
JOIN idx_reference x ON x.res_type = 'ServiceRequest' AND x.param = 'subject'
 AND x.res_id = d.res_id AND x.target_type = 'Patient'
WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored' AND d.low < $1
  AND EXISTS (SELECT 1 FROM idx_token t WHERE t.res_type = 'ServiceRequest'
              AND t.param = 'route' AND t.res_id = d.res_id)
)sql";

// Integer scores of the instruments for local Patients, effective at or after $3, one row per
// Observation not entered in error or cancelled: the Patient's id, the instrument, when, the
// score. $1: the instruments' codes; $2: each instrument as "system|code", in the same order
// (the position is the instrument). The codes narrow the rows cheaply before the pairs are
// matched.
constexpr const char* kScores = R"sql(
WITH
measured AS (
  SELECT res_id AS id, min(array_position($2::text[], system || '|' || code)) - 1 AS instrument
  FROM idx_token
  WHERE res_type = 'Observation' AND param = 'code' AND code = ANY ($1::text[])
  GROUP BY res_id),
subject AS (
  SELECT res_id AS id, target_id AS person FROM idx_reference
  WHERE res_type = 'Observation' AND param = 'subject' AND target_type = 'Patient'),
effective AS (
  SELECT res_id AS id, low FROM idx_date
  WHERE res_type = 'Observation' AND param = 'date' AND low >= $3),
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
WHERE m.instrument IS NOT NULL AND NOT EXISTS (SELECT 1 FROM withdrawn w WHERE w.id = m.id)
)sql";

// Refusals for want of a place made in the period [$1, $2) (epoch milliseconds), or about a
// referral authored in it.
constexpr const char* kRefusals = R"sql(
SELECT (date_part('epoch', r.refused_at) * 1000000)::bigint / 1000, r.service_id, r.referral_id,
       r.refused
FROM capacity_refusals r
WHERE r.refused_at >= to_timestamp($1::bigint / 1000.0)
      AND r.refused_at < to_timestamp($2::bigint / 1000.0)
   OR r.referral_id IN (SELECT d.res_id FROM idx_date d
                        WHERE d.res_type = 'ServiceRequest' AND d.param = 'authored'
                          AND d.low >= $1 AND d.low < $2)
)sql";

// The directory as it is now: a few hundred services at most, so their JSON is read directly.
// $1: the capacity extension URL, $2: the last-reviewed extension URL, $3: the governance-tier
// extension URL. A service without the extension has NULL there (capacity unknown, never
// reviewed, not yet assured).
constexpr const char* kServices = R"sql(
SELECT r.res_id, j ->> 'name', COALESCE(j ->> 'active', 'true'), cap.total, cap.free, cap.status,
       reviewed.value, tier.code
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
LEFT JOIN LATERAL (
  SELECT min(COALESCE(e -> 'valueCoding' ->> 'code', '')) AS code
  FROM json_array_elements(CASE WHEN json_typeof(j -> 'extension') = 'array'
                                THEN j -> 'extension' ELSE '[]' END) e
  WHERE e ->> 'url' = $3) tier ON true
WHERE r.res_type = 'HealthcareService' AND NOT r.deleted
ORDER BY r.res_id
)sql";

}  // namespace sp::store::pg::report_sql
