-- Access that follows the work and ends with it (docs/security.md, security/access_rule.h).

-- The work record each grant comes through: ending an organisation's access through a referral
-- withdraws exactly the grants it made. Grants made before this migration came through nothing
-- and stay.
ALTER TABLE access_grants ADD COLUMN via text NOT NULL DEFAULT '';
ALTER TABLE access_grants DROP CONSTRAINT access_grants_pkey;
ALTER TABLE access_grants ADD PRIMARY KEY (res_type, res_id, organisation, basis, via);
CREATE INDEX access_grants_via ON access_grants (via, organisation) WHERE via <> '';

-- Organisations whose access through a work record has ended (a rejection, a cancellation before
-- acceptance, a completed handover away): later writes of that work give them nothing back.
CREATE TABLE access_ended (
  via          text NOT NULL,
  organisation text NOT NULL,
  PRIMARY KEY (via, organisation)
);
