-- The impact report's referral attributes, one index per index table (store/pg/report_queries.h,
-- kReferrals): a ServiceRequest's route, reason codes and status tokens, and its subject,
-- performer and basedOn references, each in ServiceRequest id order alone with the parameter
-- INCLUDEd, like the Task tokens of migration 012. The report then reads them with two
-- index-only scans, each grouped once per referral, and merges two streams with the period's
-- referrals instead of six: a year of 100,000 referrals took a third less of PostgreSQL's time
-- for this statement (bench/README.md, "Impact report benchmark").
--
-- The ServiceRequest parts of migration 012's indexes are dropped with them, as nothing reads
-- them any more: those indexes are made again for the Observations and Tasks alone.
-- Like every index, PostgreSQL keeps these with each write: they cannot drift from the data.

CREATE INDEX idx_token_referral_report ON idx_token (res_id) INCLUDE (param, system, code)
  WHERE res_type = 'ServiceRequest' AND param IN ('route', 'reason-code', 'status');

CREATE INDEX idx_reference_referral_report ON idx_reference (res_id)
  INCLUDE (param, target_type, target_id, url, id_system, id_value)
  WHERE res_type = 'ServiceRequest' AND param IN ('subject', 'performer', 'based-on');

DROP INDEX idx_token_report;
CREATE INDEX idx_token_report ON idx_token (res_type, param, res_id) INCLUDE (system, code)
  WHERE res_type = 'Observation' AND param = 'code';

DROP INDEX idx_reference_report;
CREATE INDEX idx_reference_report ON idx_reference (res_type, param, res_id)
  INCLUDE (target_type, target_id, url, id_system, id_value)
  WHERE res_type IN ('Task', 'Observation') AND param IN ('subject', 'focus');
