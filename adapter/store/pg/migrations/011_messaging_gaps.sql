-- FHIR messaging and delivery (issue 6, second round).

-- The ServiceRequest version the sender's latest message wrote, so a BaRS update based on an
-- older copy is refused when the referral was changed here since (409 conflict;
-- messaging/update_conflict.h). 0: unknown.
ALTER TABLE message_conversations ADD COLUMN referral_version bigint NOT NULL DEFAULT 0;

-- Delivered outbox rows by the time they finished: the delivery workers delete those older than
-- the retention (--outbox-retention-hours) when they are idle, so this is probed often.
CREATE INDEX outbox_delivered ON outbox (finished_at) WHERE state = 'delivered';
