-- Large bodies (stored message Bundles of 5 to 10 kB, their answers, outgoing messages) are
-- compressed with lz4 instead of PostgreSQL's default pglz: several times faster to compress
-- and to read back, for a slightly larger result. Compressing the two Bundles of each referral
-- message with pglz was 3 to 4 % of PostgreSQL's CPU per message. Rows written before keep
-- their pglz form and stay readable. A server built without lz4 keeps pglz.
DO $$
BEGIN
  ALTER TABLE resource_versions ALTER COLUMN body SET COMPRESSION lz4;
  ALTER TABLE message_claims ALTER COLUMN response_body SET COMPRESSION lz4;
  ALTER TABLE outbox ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available: bodies stay compressed with pglz';
END $$;
