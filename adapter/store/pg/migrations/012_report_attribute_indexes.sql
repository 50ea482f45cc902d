-- Indexes for the impact report (store/pg/pg_reports.cpp): the search parameters it reads, in
-- resource id order. The report wants, for every referral of a period, a handful of its
-- attributes (route, cohorts, person, service; its Tasks' states; the people's postcodes and
-- scores). Read through the lookup indexes (ordered by code or target) or the owner indexes
-- (which hold no values), each attribute had to be hashed by the 36-character resource id and
-- joined; a year of 100,000 referrals took a dozen such joins. With the id as the key after the
-- parameter and the value INCLUDEd, each attribute is an index-only scan that comes out in id
-- order, so PostgreSQL merges them with the period's referrals without hashing or sorting.
--
-- Partial: only the resource types and parameters the report reads (the predicates name them
-- with IN lists, which the report's `res_type = ... AND param = ...` conditions imply), so the
-- write path of other resources and parameters pays nothing. Like every index, PostgreSQL
-- keeps them with each write: they cannot drift from the data.

CREATE INDEX idx_token_report ON idx_token (res_type, param, res_id) INCLUDE (system, code)
  WHERE res_type IN ('ServiceRequest', 'Observation') AND param IN ('route', 'reason-code', 'code');

-- A Task's state is read from four parameters at once, so these are in Task id order alone.
CREATE INDEX idx_token_task_report ON idx_token (res_id) INCLUDE (param, system, code)
  WHERE res_type = 'Task' AND param IN ('status', 'code', 'business-status', 'status-reason');

CREATE INDEX idx_reference_report ON idx_reference (res_type, param, res_id)
  INCLUDE (target_type, target_id, url, id_system, id_value)
  WHERE res_type IN ('ServiceRequest', 'Task', 'Observation')
    AND param IN ('subject', 'performer', 'based-on', 'focus');

CREATE INDEX idx_date_report ON idx_date (res_type, param, res_id) INCLUDE (low)
  WHERE res_type IN ('ServiceRequest', 'Observation') AND param IN ('authored', 'date');

CREATE INDEX idx_number_report ON idx_number (res_type, param, res_id) INCLUDE (value)
  WHERE res_type = 'Observation' AND param = 'value-integer';

CREATE INDEX idx_string_report ON idx_string (res_type, param, res_id) INCLUDE (exact)
  WHERE res_type = 'Patient' AND param = 'address-postalcode';
