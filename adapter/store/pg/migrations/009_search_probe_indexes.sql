-- Search index lookups that end with the resource id. A search with several criteria starts
-- from its most selective one and then tests each candidate against the others: "does service
-- X have service-category 23?". With the id as the last key column that test is one descent of
-- the lookup index, answered from the index alone; before, it went through the owner index
-- (res_type, res_id) and read every token row of the candidate from the table. The token
-- system moves to INCLUDE: a system|code search still filters it without reading the table.
-- The replaced indexes served the same range scans (their columns are a prefix of the new ones).
DROP INDEX idx_token_lookup;
CREATE INDEX idx_token_lookup ON idx_token (res_type, param, code, res_id) INCLUDE (system);
DROP INDEX idx_reference_lookup;
CREATE INDEX idx_reference_lookup ON idx_reference (res_type, param, target_type, target_id, res_id);
