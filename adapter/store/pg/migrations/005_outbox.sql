-- The outbox (docs/delivery.md): messages and notifications for partners, written in the same
-- transaction as the change that causes them and sent afterwards by the delivery worker of any
-- server process. A row is claimed with FOR UPDATE SKIP LOCKED and held while it is sent, so
-- two processes never send one message at once; only the oldest pending row of each receiver
-- may be claimed, so each receiver gets its messages in the order they were written.
CREATE TABLE outbox (
  id              bigserial   PRIMARY KEY,   -- also the order of delivery per receiver
  receiver        text        NOT NULL,      -- ordering key: the endpoint address
  url             text        NOT NULL,      -- where the POST goes
  kind            text        NOT NULL,      -- bars-response, referral-push, subscription-notification
  content_type    text        NOT NULL,
  body            text        NOT NULL,
  correlation_id  text        NOT NULL,
  about           text        NOT NULL DEFAULT '',  -- the resource it is about (Task/123)
  origin          text        NOT NULL DEFAULT '',  -- whose change caused it (a reference)
  recipient       text        NOT NULL DEFAULT '',  -- who should get it (a reference)
  state           text        NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'delivered', 'undelivered')),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  last_status     integer,                   -- the receiver's HTTP status, 0: no answer
  last_error      text,
  last_request_id text                       -- X-Request-Id of the last attempt
);
CREATE INDEX outbox_pending ON outbox (receiver, id) WHERE state = 'pending';
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending';
