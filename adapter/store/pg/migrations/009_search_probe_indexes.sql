-- Search index lookups that end with the resource id. A search with several criteria starts
-- from its most selective one and then tests each candidate against the others: "does service
-- X have service-category 23?". With the id as the last key column that test is one descent of
-- the lookup index, answered from the index alone; before, it went through the owner index
-- (res_type, res_id) and read every token row of the candidate from the table. The token
-- system moves to INCLUDE: a system|code search still filters it without reading the table.
-- The replaced indexes served the same range scans (their key columns are a prefix of the new ones).
DROP INDEX idx_token_lookup;
CREATE INDEX idx_token_lookup ON idx_token (res_type, param, code, res_id) INCLUDE (system);
DROP INDEX idx_reference_lookup;
CREATE INDEX idx_reference_lookup ON idx_reference (res_type, param, target_type, target_id, res_id);
-- References to given targets (a chain's or near's set of ids, _revinclude, _has) answered from
-- the index alone, one descent per target: the parameter is only filtered (INCLUDE), since an
-- IN list on a key column would multiply the descents by its length.
DROP INDEX idx_reference_target;
CREATE INDEX idx_reference_target ON idx_reference (target_type, target_id, res_type, res_id) INCLUDE (param);

-- A larger sample for the joint statistics of (res_type, param, code). With a million Tasks the
-- token table holds millions of rows, and a code that is common within its parameter but rare
-- in the table (service-category 23: 1,251 of 7.4 million rows) does not make the default most-
-- common-values list: PostgreSQL then estimates 1 row and starts a search from that criterion
-- instead of from a narrower one (the `near` box). With 1000 the list holds such combinations
-- (estimate 1,191 for those 1,251); ANALYZE reads 300,000 sampled rows instead of 30,000.
ALTER STATISTICS idx_token_joint SET STATISTICS 1000;
ANALYZE idx_token;
