-- Generates a year of referrals for the impact report benchmark by cloning the template
-- resources that bench/reports/templates.py made through the API: their stored versions
-- (bodies with ids, references, codes, dates and scores replaced) and their search index and
-- identifier rows, so the clones look as if the server had written them.
--
-- psql variables: referrals (N), patients, services (gen-hs-1 .. gen-hs-<services> must exist),
-- year_start (epoch milliseconds of the first day). Deterministic (fixed random seed).
--
-- Per referral: a Patient drawn from `patients` (a postcode in one of the localities of
-- mappings/localities.csv, 3 % unknown), a date in the year, a route and one or two cohorts, a
-- service, and a fate with its Task history (completed, active, waiting, rejected for each of
-- the three reasons, failed, cancelled). Completed referrals get a WEMWBS score before and after.
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.2026);

CREATE TEMP TABLE gen_patient AS
SELECT j, 'gen-pat-' || j AS id,
       'GEN' || lpad(j::text, 7, '0') AS nhs,
       (ARRAY['NE99 1AB', 'NE99 2CD', 'NE99 3EF', 'NE99 4QA', 'NE99 5GH', 'NE99 6JK', 'NE98 7LN',
              'NE97 3PQ', 'NE99 1RS', 'NE99 4TU', 'NE98 2WX', 'NE97 8YZ', 'NE99 3AA', 'NE99 2BB',
              'NE99 5DD', 'NE99 6EE', 'NE97 1FF', 'NE99 1GG', 'NE99 4HH', 'NE98 9JJ', 'NE99 3KK',
              'NE97 5LL', 'NE99 2MM', 'NE99 1NN', 'NE99 4PP', 'NE98 3QQ', 'NE99 5RR', 'NE97 4SS',
              'NE99 6TT', 'NE99 3UU', 'NE99 2VV', 'NE99 1WW', 'ZZ9 9ZZ'])[1 + floor(random() * 33)::int] AS postcode
FROM generate_series(1, :patients) j;

CREATE TEMP TABLE gen_ref AS
WITH draw AS (
  SELECT i, random() AS r_pat, random() AS r_day, random() AS r_route, random() AS r_cohort,
         random() AS r_two, random() AS r_service, random() AS r_fate, random() AS r_acc,
         random() AS r_contact, random() AS r_end, random() AS r_score, random() AS r_change
  FROM generate_series(1, :referrals) i)
SELECT i, 'gen-sr-' || i AS id,
       'gen-pat-' || (1 + floor(r_pat * :patients))::int AS patient,
       :year_start::bigint + floor(r_day * 365 * 86400)::bigint * 1000 AS authored,
       (ARRAY['gp', 'gp', 'gp', 'gp', 'other-clinician', 'single-point-of-referral',
              'vcse-organisation', 'self-referral-phone', 'self-referral-web',
              'self-referral-face-to-face', 're-access'])[1 + floor(r_route * 11)::int] AS route,
       (ARRAY['mental-health-wellbeing', 'social-isolation-loneliness', 'carers',
              'long-term-conditions'])[1 + floor(r_cohort * 4)::int] AS cohort,
       CASE WHEN r_two < 0.3 THEN (ARRAY['mental-health-wellbeing', 'social-isolation-loneliness',
              'carers', 'long-term-conditions'])[1 + floor(r_two / 0.3 * 4)::int] END AS cohort2,
       'gen-hs-' || (1 + floor(r_service * :services))::int AS service,
       CASE WHEN r_fate < 0.55 THEN 'completed' WHEN r_fate < 0.65 THEN 'active'
            WHEN r_fate < 0.70 THEN 'waiting' WHEN r_fate < 0.76 THEN 'rejected-capacity'
            WHEN r_fate < 0.81 THEN 'rejected-eligible' WHEN r_fate < 0.85 THEN 'rejected-declined'
            WHEN r_fate < 0.93 THEN 'failed' ELSE 'cancelled' END AS fate,
       -- seconds from the referral to acceptance (or the answer), to first contact, to the end
       60 + floor(-ln(1 - r_acc) * 2.5 * 86400)::bigint AS acc_s,
       floor(r_contact * 6 * 86400)::bigint + 3600 AS contact_gap_s,
       floor((20 + r_end * 60) * 86400)::bigint AS end_gap_s,
       30 + floor(r_score * 20)::int AS before_score,
       floor(r_change * 16)::int - 4 AS score_change
FROM draw;
ALTER TABLE gen_ref ADD COLUMN contact_s bigint, ADD COLUMN end_s bigint;
UPDATE gen_ref SET contact_s = acc_s + contact_gap_s, end_s = acc_s + contact_gap_s + end_gap_s;

-- The milliseconds after its referral at which each template version is placed in a clone.
CREATE TEMP TABLE tpl_version AS
SELECT v.res_type, v.res_id, substring(v.res_id FROM '^tpl-sr-(.*?)(-task)?$') AS fate,
       v.version_id, v.last_updated, v.method, v.body,
       to_char(v.last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS stamp,
       CASE WHEN v.res_type = 'ServiceRequest' AND v.version_id = 1 THEN 'start'
            WHEN v.res_type = 'ServiceRequest' THEN 'end'
            ELSE CASE v.body::jsonb ->> 'status'
                   WHEN 'requested' THEN 'create' WHEN 'accepted' THEN 'accept'
                   WHEN 'rejected' THEN 'accept' WHEN 'cancelled' THEN 'accept'
                   WHEN 'in-progress' THEN 'contact' ELSE 'end' END END AS moment
FROM resource_versions v WHERE v.res_id LIKE 'tpl-sr-%';

CREATE TEMP TABLE clone_version (res_type text, res_id text, version_id bigint,
                                 last_updated timestamptz, method text, body text);

-- Helpers: an instant as FHIR writes it; the replacements applied to every cloned text.
CREATE FUNCTION pg_temp.fhir_instant(ms bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(to_timestamp(ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"') $$;
CREATE FUNCTION pg_temp.label(code text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE code
    WHEN 'gp' THEN 'GP' WHEN 'other-clinician' THEN 'Other clinician'
    WHEN 'single-point-of-referral' THEN 'Single point of referral'
    WHEN 'vcse-organisation' THEN 'VCSE organisation'
    WHEN 'self-referral-phone' THEN 'Self-referral by phone'
    WHEN 'self-referral-web' THEN 'Self-referral online'
    WHEN 'self-referral-face-to-face' THEN 'Self-referral face to face'
    WHEN 're-access' THEN 'Re-access after discharge'
    WHEN 'mental-health-wellbeing' THEN 'Mental health and wellbeing'
    WHEN 'social-isolation-loneliness' THEN 'Social isolation and loneliness'
    WHEN 'carers' THEN 'Carers' WHEN 'long-term-conditions' THEN 'Long-term conditions' END $$;
CREATE FUNCTION pg_temp.referral_text(t text, tpl text, g gen_ref) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(replace(replace(replace(t,
      tpl, g.id),
      'Patient/tpl-pat', 'Patient/' || g.patient),
      'HealthcareService/tpl-hs', 'HealthcareService/' || g.service),
      '"code":"gp","display":"GP"', '"code":"' || g.route || '","display":"' || pg_temp.label(g.route) || '"') $$;

-- ServiceRequests and their Tasks: every version of the fate's templates.
INSERT INTO clone_version
SELECT t.res_type, replace(t.res_id, 'tpl-sr-' || g.fate, g.id), t.version_id,
       to_timestamp((g.authored + 1000 * CASE t.moment WHEN 'start' THEN 0 WHEN 'create' THEN 5
                       WHEN 'accept' THEN g.acc_s WHEN 'contact' THEN g.contact_s ELSE g.end_s END) / 1000.0),
       t.method,
       replace(replace(replace(pg_temp.referral_text(t.body, 'tpl-sr-' || g.fate, g),
         '"code":"social-isolation-loneliness","display":"Social isolation and loneliness"}]}',
         '"code":"' || g.cohort || '","display":"' || pg_temp.label(g.cohort) || '"}]}'
           || CASE WHEN g.cohort2 IS NOT NULL AND g.cohort2 <> g.cohort THEN
                ',{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort","code":"'
                || g.cohort2 || '","display":"' || pg_temp.label(g.cohort2) || '"}]}' ELSE '' END),
         '"authoredOn":"2025-01-01T00:00:00+00:00"', '"authoredOn":"' || pg_temp.fhir_instant(g.authored) || '"'),
         '"lastUpdated":"' || t.stamp || '"', '"lastUpdated":"#STAMP#"')
FROM gen_ref g JOIN tpl_version t ON t.fate = g.fate;
UPDATE clone_version SET body = replace(body, '#STAMP#',
  to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));

-- Patients and Observations (a WEMWBS score before and after for completed referrals).
INSERT INTO clone_version
SELECT 'Patient', p.id, 1, to_timestamp(:year_start::bigint / 1000.0 - 86400 * 30), v.method,
       replace(replace(replace(replace(v.body, '"id":"tpl-pat"', '"id":"' || p.id || '"'),
         '"value":"9000000009"', '"value":"' || p.nhs || '"'),
         '"postalCode":"NE99 4QA"', '"postalCode":"' || p.postcode || '"'),
         '"lastUpdated":"' || to_char(v.last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"',
         '"lastUpdated":"' || pg_temp.fhir_instant(:year_start::bigint - 86400000::bigint * 30) || '"')
FROM gen_patient p JOIN resource_versions v ON v.res_type = 'Patient' AND v.res_id = 'tpl-pat';

CREATE TEMP TABLE gen_obs AS
SELECT g.id || '-wemwbs-' || k AS id, g.patient,
       g.authored + 1000 * CASE k WHEN 1 THEN g.contact_s ELSE g.end_s END AS effective,
       CASE k WHEN 1 THEN g.before_score ELSE least(70, greatest(14, g.before_score + g.score_change)) END AS score
FROM gen_ref g, generate_series(1, 2) k WHERE g.fate = 'completed';
INSERT INTO clone_version
SELECT 'Observation', o.id, 1, to_timestamp(o.effective / 1000.0), v.method,
       replace(replace(replace(replace(v.body, '"id":"tpl-obs"', '"id":"' || o.id || '"'),
         'Patient/tpl-pat', 'Patient/' || o.patient),
         '"valueInteger":38', '"valueInteger":' || o.score),
         '"effectiveDateTime":"2025-01-01T00:00:00+00:00"', '"effectiveDateTime":"' || pg_temp.fhir_instant(o.effective) || '"')
FROM gen_obs o JOIN resource_versions v ON v.res_type = 'Observation' AND v.res_id = 'tpl-obs';

INSERT INTO resource_versions (res_type, res_id, version_id, last_updated, deleted, method, body)
SELECT res_type, res_id, version_id, last_updated, false, method, body FROM clone_version
ORDER BY last_updated;
INSERT INTO resources (res_type, res_id, version_id, last_updated, deleted)
SELECT DISTINCT ON (res_type, res_id) res_type, res_id, version_id, last_updated, false
FROM clone_version ORDER BY res_type, res_id, version_id DESC;

-- Index and identifier rows: the template's, with the same replacements. `owner` maps a clone
-- to its template, its referral and the shift of its dates.
CREATE TEMP TABLE clone_owner AS
SELECT 'ServiceRequest' AS res_type, 'tpl-sr-' || g.fate AS tpl, g.id AS res_id, g.id AS ref,
       g.authored AS at, 1735689600000 AS tpl_at  -- the templates' authoredOn, 2025-01-01
FROM gen_ref g
UNION ALL
SELECT 'Task', 'tpl-sr-' || g.fate || '-task', g.id || '-task', g.id, g.authored,
       (SELECT floor(extract(epoch FROM v.last_updated) * 1000)::bigint FROM resource_versions v
        WHERE v.res_type = 'Task' AND v.res_id = 'tpl-sr-' || g.fate || '-task' AND v.version_id = 1)
FROM gen_ref g;

INSERT INTO idx_token (res_type, res_id, param, system, code, text)
SELECT t.res_type, o.res_id, t.param, t.system,
       CASE WHEN t.param = 'route' THEN g.route
            WHEN t.param = 'reason-code' AND t.code = 'social-isolation-loneliness' THEN g.cohort
            ELSE t.code END,
       CASE WHEN t.param = 'route' THEN lower(pg_temp.label(g.route))
            WHEN t.param = 'reason-code' AND t.code = 'social-isolation-loneliness' THEN lower(pg_temp.label(g.cohort))
            ELSE t.text END
FROM clone_owner o JOIN gen_ref g ON g.id = o.ref
JOIN idx_token t ON t.res_type = o.res_type AND t.res_id = o.tpl;
INSERT INTO idx_token (res_type, res_id, param, system, code, text)
SELECT 'ServiceRequest', g.id, 'reason-code',
       'https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort', g.cohort2,
       lower(pg_temp.label(g.cohort2))
FROM gen_ref g WHERE g.cohort2 IS NOT NULL AND g.cohort2 <> g.cohort;

INSERT INTO idx_reference (res_type, res_id, param, target_type, target_id, url, id_system, id_value)
SELECT r.res_type, o.res_id, r.param, r.target_type,
       CASE WHEN r.target_id = 'tpl-pat' THEN g.patient WHEN r.target_id = 'tpl-hs' THEN g.service
            WHEN r.target_id = o.tpl OR r.target_id = 'tpl-sr-' || g.fate THEN g.id ELSE r.target_id END,
       pg_temp.referral_text(r.url, 'tpl-sr-' || g.fate, g), r.id_system, r.id_value
FROM clone_owner o JOIN gen_ref g ON g.id = o.ref
JOIN idx_reference r ON r.res_type = o.res_type AND r.res_id = o.tpl;

INSERT INTO idx_date (res_type, res_id, param, low, high)
SELECT d.res_type, o.res_id, d.param,
       CASE WHEN d.param = 'authored' THEN o.at ELSE d.low + (o.at - o.tpl_at) END,
       CASE WHEN d.param = 'authored' THEN o.at + 1000 ELSE d.high + (o.at - o.tpl_at) END
FROM clone_owner o JOIN idx_date d ON d.res_type = o.res_type AND d.res_id = o.tpl
WHERE d.low > -9000000000000000000 AND d.high < 9000000000000000000;

INSERT INTO idx_string (res_type, res_id, param, normalised, exact)
SELECT s.res_type, o.res_id, s.param, s.normalised, s.exact
FROM clone_owner o JOIN idx_string s ON s.res_type = o.res_type AND s.res_id = o.tpl;
INSERT INTO idx_uri (res_type, res_id, param, uri)
SELECT u.res_type, o.res_id, u.param, u.uri
FROM clone_owner o JOIN idx_uri u ON u.res_type = o.res_type AND u.res_id = o.tpl;

-- Patients
INSERT INTO idx_token (res_type, res_id, param, system, code, text)
SELECT t.res_type, p.id, t.param, t.system, CASE WHEN t.code = '9000000009' THEN p.nhs ELSE t.code END, t.text
FROM gen_patient p JOIN idx_token t ON t.res_type = 'Patient' AND t.res_id = 'tpl-pat';
INSERT INTO idx_string (res_type, res_id, param, normalised, exact)
SELECT s.res_type, p.id, s.param,
       CASE WHEN s.normalised = 'ne99 4qa' THEN lower(p.postcode) ELSE s.normalised END,
       CASE WHEN s.exact = 'NE99 4QA' THEN p.postcode ELSE s.exact END
FROM gen_patient p JOIN idx_string s ON s.res_type = 'Patient' AND s.res_id = 'tpl-pat';
INSERT INTO idx_date (res_type, res_id, param, low, high)
SELECT d.res_type, p.id, d.param, d.low, d.high
FROM gen_patient p JOIN idx_date d ON d.res_type = 'Patient' AND d.res_id = 'tpl-pat';
INSERT INTO idx_reference (res_type, res_id, param, target_type, target_id, url, id_system, id_value)
SELECT r.res_type, p.id, r.param, r.target_type, r.target_id, r.url, r.id_system, r.id_value
FROM gen_patient p JOIN idx_reference r ON r.res_type = 'Patient' AND r.res_id = 'tpl-pat';
INSERT INTO resource_identifiers (res_type, res_id, system, value)
SELECT 'Patient', p.id, i.system, p.nhs
FROM gen_patient p JOIN resource_identifiers i ON i.res_type = 'Patient' AND i.res_id = 'tpl-pat';

-- Observations
INSERT INTO idx_token (res_type, res_id, param, system, code, text)
SELECT t.res_type, o.id, t.param, t.system, t.code, t.text
FROM gen_obs o JOIN idx_token t ON t.res_type = 'Observation' AND t.res_id = 'tpl-obs';
INSERT INTO idx_reference (res_type, res_id, param, target_type, target_id, url, id_system, id_value)
SELECT r.res_type, o.id, r.param, r.target_type,
       CASE WHEN r.target_id = 'tpl-pat' THEN o.patient ELSE r.target_id END,
       replace(r.url, 'Patient/tpl-pat', 'Patient/' || o.patient), r.id_system, r.id_value
FROM gen_obs o JOIN idx_reference r ON r.res_type = 'Observation' AND r.res_id = 'tpl-obs';
INSERT INTO idx_date (res_type, res_id, param, low, high)
SELECT d.res_type, o.id, d.param,
       CASE WHEN d.param = 'date' THEN o.effective ELSE d.low END,
       CASE WHEN d.param = 'date' THEN o.effective + 1000 ELSE d.high END
FROM gen_obs o JOIN idx_date d ON d.res_type = 'Observation' AND d.res_id = 'tpl-obs';
INSERT INTO idx_number (res_type, res_id, param, value, system, code)
SELECT n.res_type, o.id, n.param, CASE WHEN n.param = 'value-integer' THEN o.score ELSE n.value END,
       n.system, n.code
FROM gen_obs o JOIN idx_number n ON n.res_type = 'Observation' AND n.res_id = 'tpl-obs';

SELECT (SELECT count(*) FROM gen_ref) AS referrals, (SELECT count(*) FROM gen_patient) AS patients,
       (SELECT count(*) FROM gen_obs) AS observations,
       (SELECT count(*) FROM clone_version) AS versions;
COMMIT;
