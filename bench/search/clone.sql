-- Search benchmark data: clones of template resources, made in SQL (see bench/search_bench.sh).
--
-- The templates (bench/search/*.json) are written once through the server's API, so their
-- resource rows and search index rows are exactly what the server stores. sb_clone() copies a
-- template n times: the body with its placeholders replaced, and every index row of the
-- template with the same replacements, so a clone's index rows are what the server would have
-- written for the clone's body (search_bench.sh checks this on samples by writing them again
-- through the API and comparing the rows).
--
-- Placeholders in the templates:
--   ids        sb-task-T  sb-sr-T  sb-pat-T  sb-hs-T  sb-loc-T   (and lower case, in normalised
--              strings)
--   Task       "status":"requested", business status "received"
--   HealthcareService  category code "23", free capacity 7 (status "capacity")
--   Location   latitude 53.8123456, longitude -1.5654321, postcode "LS6 3QS"
--   Patient    NHS number 9999999999
--   every one  meta.lastUpdated of the template
--
-- Shape of the data, for clone number i (0-based):
--   Task i         focus ServiceRequest sb-sr-(i/4), for Patient sb-pat-(i/8),
--                  owner HealthcareService sb-hs-0 for i < 100, else sb-hs-(1 + i % 9999);
--                  status requested/accepted/in-progress/completed by i % 4
--   ServiceRequest i  subject Patient sb-pat-(i/2)
--   Patient i      NHS number 9100000000 + i
--   HealthcareService i  location sb-loc-i; category one of 8 codes by i % 8; free places 0
--                  when i % 4 = 0 (has-capacity false), else 1 + i % 7
--   Location i     spread over a county-sized box (lat 53.6-54.0, long -1.9 to -1.2); service i's
--                  place rows (idx_geo, param near) hold the same position
-- so every Patient has 2 referrals and 8 Tasks, and owner sb-hs-0 has 100 Tasks (25 requested),
-- whatever the number of Tasks.

CREATE TYPE sb_clone_row AS (
  i bigint, id text, task text, sr text, pat text, hs text, loc text, lu timestamptz,
  status text, bstatus text, cat text, free int, lat text, lon text, postcode text, nhs text);

-- The template of each type and the id placeholder it uses.
CREATE FUNCTION sb_template_id(res_type text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE res_type WHEN 'Task' THEN 'sb-task-T' WHEN 'ServiceRequest' THEN 'sb-sr-T'
    WHEN 'Patient' THEN 'sb-pat-T' WHEN 'HealthcareService' THEN 'sb-hs-T'
    WHEN 'Location' THEN 'sb-loc-T' END $$;

-- The values of clone i of a type.
CREATE FUNCTION sb_gen(res_type text, lo bigint, hi bigint) RETURNS SETOF sb_clone_row
LANGUAGE sql STABLE AS $$
  SELECT i,
    CASE res_type WHEN 'Task' THEN 'sb-task-' WHEN 'ServiceRequest' THEN 'sb-sr-'
      WHEN 'Patient' THEN 'sb-pat-' WHEN 'HealthcareService' THEN 'sb-hs-' ELSE 'sb-loc-' END || i,
    CASE WHEN res_type = 'Task' THEN 'sb-task-' || i END,
    CASE res_type WHEN 'Task' THEN 'sb-sr-' || (i / 4) WHEN 'ServiceRequest' THEN 'sb-sr-' || i END,
    CASE res_type WHEN 'Task' THEN 'sb-pat-' || (i / 8) WHEN 'ServiceRequest' THEN 'sb-pat-' || (i / 2)
      WHEN 'Patient' THEN 'sb-pat-' || i END,
    CASE res_type WHEN 'Task' THEN 'sb-hs-' || CASE WHEN i < 100 THEN 0 ELSE 1 + i % 9999 END
      WHEN 'HealthcareService' THEN 'sb-hs-' || i WHEN 'Location' THEN 'sb-hs-' || i END,
    CASE WHEN res_type IN ('HealthcareService', 'Location') THEN 'sb-loc-' || i END,
    timestamptz '2026-01-01 00:00:00+00' + i * interval '1 millisecond'
      + CASE res_type WHEN 'Task' THEN interval '40 days' WHEN 'ServiceRequest' THEN interval '30 days'
          WHEN 'Patient' THEN interval '20 days' WHEN 'HealthcareService' THEN interval '10 days'
          ELSE interval '0 days' END,
    CASE WHEN res_type = 'Task' THEN (ARRAY['requested', 'accepted', 'in-progress', 'completed'])[i % 4 + 1] END,
    CASE WHEN res_type = 'Task' THEN (ARRAY['received', 'first-contact-made', 'attending', 'discharged'])[i % 4 + 1] END,
    CASE WHEN res_type = 'HealthcareService' THEN (ARRAY['1', '2', '8', '11', '14', '23', '27', '33'])[i % 8 + 1] END,
    CASE WHEN res_type = 'HealthcareService' THEN CASE WHEN i % 4 = 0 THEN 0 ELSE 1 + (i % 7)::int END END,
    CASE WHEN res_type IN ('Location', 'HealthcareService') THEN round((53.6 + 0.4 * ((i * 0.6180339887) % 1))::numeric, 7)::text END,
    CASE WHEN res_type IN ('Location', 'HealthcareService') THEN round((-1.9 + 0.7 * ((i * 0.7548776662) % 1))::numeric, 7)::text END,
    CASE WHEN res_type = 'Location' THEN 'LS' || (1 + i % 28) || ' ' || (1 + i % 9) || 'AB' END,
    CASE WHEN res_type = 'Patient' THEN (9100000000 + i)::text END
  FROM generate_series(lo, hi) AS i $$;

-- The SQL expression that replaces, in the text `col`, every placeholder a clone of `p_type`
-- has a value for (columns of sb_g g): ids in both cases (normalised strings are lower case),
-- literal values as they appear in the compact stored JSON and in index rows. Built as text and
-- run with EXECUTE, so the replacements are plain nested replace() calls (a function call per
-- value would make cloning a million Tasks take many minutes).
CREATE FUNCTION sb_fill_sql(p_type text, col text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  pairs text[] := CASE p_type
    WHEN 'Task' THEN ARRAY['sb-task-T', 'g.task', 'sb-task-t', 'g.task', 'sb-sr-T', 'g.sr',
      'sb-sr-t', 'g.sr', 'sb-pat-T', 'g.pat', 'sb-pat-t', 'g.pat', 'sb-hs-T', 'g.hs', 'sb-hs-t', 'g.hs',
      '"status":"requested"', '''"status":"'' || g.status || ''"''',
      '"code":"received"', '''"code":"'' || g.bstatus || ''"''']
    WHEN 'ServiceRequest' THEN ARRAY['sb-sr-T', 'g.sr', 'sb-sr-t', 'g.sr', 'sb-pat-T', 'g.pat',
      'sb-pat-t', 'g.pat']
    WHEN 'Patient' THEN ARRAY['sb-pat-T', 'g.pat', 'sb-pat-t', 'g.pat', '9999999999', 'g.nhs']
    WHEN 'HealthcareService' THEN ARRAY['sb-hs-T', 'g.hs', 'sb-hs-t', 'g.hs', 'sb-loc-T', 'g.loc',
      'sb-loc-t', 'g.loc', '"code":"23"', '''"code":"'' || g.cat || ''"''',
      '{"url":"free","valueUnsignedInt":7}', '''{"url":"free","valueUnsignedInt":'' || g.free || ''}''',
      '"valueCode":"capacity"',
      '''"valueCode":"'' || CASE WHEN g.free = 0 THEN ''no-capacity'' ELSE ''capacity'' END || ''"''']
    WHEN 'Location' THEN ARRAY['sb-loc-T', 'g.loc', 'sb-loc-t', 'g.loc', 'sb-hs-T', 'g.hs',
      'sb-hs-t', 'g.hs', '53.8123456', 'g.lat', '-1.5654321', 'g.lon', 'LS6 3QS', 'g.postcode',
      'ls6 3qs', 'lower(g.postcode)']
  END;
  expr text := col;
  k int;
BEGIN
  FOR k IN 1 .. coalesce(array_length(pairs, 1), 0) BY 2 LOOP
    expr := format('replace(%s, %L, %s)', expr, pairs[k], pairs[k + 1]);
  END LOOP;
  RETURN expr;
END $$;

-- Clones numbers lo..hi of the template of p_type; returns the number of resources made.
CREATE FUNCTION sb_clone(p_type text, lo bigint, hi bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  tpl text := sb_template_id(p_type);
  tpl_body text;
  tpl_lu text;
  made bigint;
  millis constant text := 'floor(extract(epoch FROM g.lu) * 1000)::bigint';
  instant constant text := 'to_char(g.lu AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'')';
  tail constant text := ' FROM sb_g g CROSS JOIN %I x WHERE x.res_type = $1 AND x.res_id = $2';
BEGIN
  SELECT v.body, to_char(v.last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    INTO STRICT tpl_body, tpl_lu
    FROM resources r JOIN resource_versions v USING (res_type, res_id, version_id)
   WHERE r.res_type = p_type AND r.res_id = tpl;
  IF position(tpl_lu IN tpl_body) = 0 THEN
    RAISE EXCEPTION 'template % does not hold its lastUpdated % as expected', tpl, tpl_lu;
  END IF;
  CREATE TEMP TABLE sb_g ON COMMIT DROP AS SELECT * FROM sb_gen(p_type, lo, hi);

  EXECUTE format('INSERT INTO resource_versions (res_type, res_id, version_id, last_updated, deleted, method, body)
    SELECT $1, g.id, 1, g.lu, false, ''PUT'', replace(%s, $3, %s) FROM sb_g g ORDER BY g.i',
    sb_fill_sql(p_type, '$2'), instant) USING p_type, tpl_body, tpl_lu;
  GET DIAGNOSTICS made = ROW_COUNT;
  INSERT INTO resources (res_type, res_id, version_id, last_updated, deleted)
  SELECT p_type, g.id, 1, g.lu, false FROM sb_g g;

  EXECUTE format('INSERT INTO idx_token (res_type, res_id, param, system, code, text)
    SELECT $1, g.id, x.param, %s,
      CASE WHEN $1 = ''Task'' AND x.param = ''status'' THEN g.status
           WHEN x.param = ''business-status'' THEN g.bstatus
           WHEN x.param = ''service-category'' THEN g.cat
           WHEN x.param = ''has-capacity'' THEN (g.free > 0)::text
           ELSE %s END, %s' || tail,
    sb_fill_sql(p_type, 'x.system'), sb_fill_sql(p_type, 'x.code'), sb_fill_sql(p_type, 'x.text'),
    'idx_token') USING p_type, tpl;
  EXECUTE format('INSERT INTO idx_string (res_type, res_id, param, normalised, exact)
    SELECT $1, g.id, x.param, %s, %s' || tail,
    sb_fill_sql(p_type, 'x.normalised'), sb_fill_sql(p_type, 'x.exact'), 'idx_string') USING p_type, tpl;
  EXECUTE format('INSERT INTO idx_reference (res_type, res_id, param, target_type, target_id, url, id_system, id_value)
    SELECT $1, g.id, x.param, x.target_type, %s, %s, %s, %s' || tail,
    sb_fill_sql(p_type, 'x.target_id'), sb_fill_sql(p_type, 'x.url'),
    sb_fill_sql(p_type, 'x.id_system'), sb_fill_sql(p_type, 'x.id_value'), 'idx_reference')
    USING p_type, tpl;
  EXECUTE format('INSERT INTO idx_date (res_type, res_id, param, low, high)
    SELECT $1, g.id, x.param, CASE WHEN x.param = ''_lastUpdated'' THEN %s ELSE x.low END,
      CASE WHEN x.param = ''_lastUpdated'' THEN %s + 1 ELSE x.high END' || tail,
    millis, millis, 'idx_date') USING p_type, tpl;
  EXECUTE format('INSERT INTO idx_number (res_type, res_id, param, value, system, code)
    SELECT $1, g.id, x.param, x.value, %s, %s' || tail,
    sb_fill_sql(p_type, 'x.system'), sb_fill_sql(p_type, 'x.code'), 'idx_number') USING p_type, tpl;
  EXECUTE format('INSERT INTO idx_uri (res_type, res_id, param, uri) SELECT $1, g.id, x.param, %s' || tail,
    sb_fill_sql(p_type, 'x.uri'), 'idx_uri') USING p_type, tpl;
  EXECUTE format('INSERT INTO idx_geo (res_type, res_id, param, latitude, longitude)
    SELECT $1, g.id, x.param, g.lat::double precision, g.lon::double precision' || tail,
    'idx_geo') USING p_type, tpl;
  EXECUTE format('INSERT INTO resource_identifiers (res_type, res_id, system, value)
    SELECT $1, g.id, x.system, %s' || tail,
    sb_fill_sql(p_type, 'x.value'), 'resource_identifiers') USING p_type, tpl;
  RETURN made;
END $$;

-- The secondary indexes of the tables sb_clone() fills (not the primary keys and unique
-- constraints): dropped before a bulk load and built again after it, which is much faster than
-- maintaining them row by row. Their definitions are kept in sb_saved_indexes.
CREATE TABLE sb_saved_indexes (name text PRIMARY KEY, definition text NOT NULL);

CREATE FUNCTION sb_drop_indexes() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  ix record;
  n int := 0;
BEGIN
  FOR ix IN
    SELECT i.indexname, i.indexdef FROM pg_indexes i
     WHERE i.schemaname = 'public'
       AND i.tablename IN ('resources', 'resource_versions', 'resource_identifiers', 'idx_token',
                           'idx_string', 'idx_reference', 'idx_date', 'idx_number', 'idx_uri', 'idx_geo')
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
  LOOP
    INSERT INTO sb_saved_indexes VALUES (ix.indexname, ix.indexdef);
    EXECUTE format('DROP INDEX %I', ix.indexname);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- Builds again the indexes sb_drop_indexes() removed (a procedure: no surrounding transaction).
CREATE PROCEDURE sb_create_indexes() LANGUAGE plpgsql AS $$
DECLARE
  ix record;
BEGIN
  FOR ix IN SELECT name, definition FROM sb_saved_indexes ORDER BY name LOOP
    EXECUTE ix.definition;
    DELETE FROM sb_saved_indexes WHERE name = ix.name;
    COMMIT;
  END LOOP;
END $$;
