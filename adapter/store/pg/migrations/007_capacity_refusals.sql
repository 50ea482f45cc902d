-- Requests refused at once because a service had no free place (no waiting lists; see
-- docs/workflow.md). The refused write is rolled back to a savepoint, so nothing of it is in
-- the resources; the adapter writes one row here in the same transaction after that rollback
-- (rest/capacity_refusal.h), so that the impact report can count refusals (docs/reports.md).
-- Rows are only ever added. (Comments only changed since this first ran.)
CREATE TABLE capacity_refusals (
  id bigserial PRIMARY KEY,
  refused_at timestamptz NOT NULL,
  service_id text NOT NULL,   -- the HealthcareService without a free place
  referral_id text NOT NULL,  -- the ServiceRequest concerned, '' when none
  refused text NOT NULL CHECK (refused IN ('referral', 'task')));
CREATE INDEX capacity_refusals_at ON capacity_refusals (refused_at);
CREATE INDEX capacity_refusals_referral ON capacity_refusals (referral_id);
