-- Indexes for the impact report (store/pg/pg_reports.cpp): when each Task was first accepted,
-- and when it first recorded a contact with the person. Both facts live only in the version
-- history, which has no search index; these partial indexes hold, for just the Task versions
-- that show them, the Task id and the time of the version, so the report reads them with an
-- index-only scan instead of parsing every version's JSON. They are derived by PostgreSQL on
-- every insert of a version, so they cannot drift from the data.
--
-- The report's queries repeat these predicates word for word (PostgreSQL uses a partial index
-- only when it can prove the query's condition implies the index's). The json type (not jsonb)
-- reads only what is asked for, and accepts any text the server stores.

-- True when a CodeableConcept (JSON) has a coding with this system and one of the codes.
CREATE FUNCTION sp_report_has_code(concept json, code_system text, codes text[])
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN json_typeof(concept -> 'coding') = 'array' THEN EXISTS (
    SELECT 1 FROM json_array_elements(concept -> 'coding') c
    WHERE c ->> 'system' = code_system AND c ->> 'code' = ANY (codes)) ELSE false END
$$;

-- Task versions in a status that follows acceptance (failed and on-hold come only after it).
CREATE INDEX resource_versions_task_accepted ON resource_versions (res_id, last_updated)
  WHERE res_type = 'Task'
    AND (body::json ->> 'status') IN ('accepted', 'in-progress', 'on-hold', 'completed', 'failed');

-- Task versions whose businessStatus says the person has been contacted.
CREATE INDEX resource_versions_task_contact ON resource_versions (res_id, last_updated)
  WHERE res_type = 'Task'
    AND sp_report_has_code(body::json -> 'businessStatus',
          'https://fhir.social-prescribing.example.org/CodeSystem/task-business-status',
          '{first-contact-made,plan-agreed,attending,discharged}');
