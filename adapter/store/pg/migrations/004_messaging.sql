-- FHIR messaging (issue 6): conversations of referrals made by messages, de-duplication keys
-- of received messages, and the message log.

-- One row per referral (ServiceRequest) created by a message: where replies go.
CREATE TABLE message_conversations (
  service_request_id  text        PRIMARY KEY,
  sender_organisation text        NOT NULL,
  reply_endpoint      text        NOT NULL,  -- MessageHeader.source.endpoint as given
  correlation_id      text        NOT NULL,
  partner_kind        text        NOT NULL CHECK (partner_kind IN ('bars', 'fhir')),
  request_bundle_id   text        NOT NULL,  -- the request's Bundle.id as the sender gave it
  request_message_id  text        NOT NULL,  -- its MessageHeader.id, '' when absent
  created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX message_conversations_bundle ON message_conversations (request_bundle_id);
CREATE INDEX message_conversations_message ON message_conversations (request_message_id);

-- One row per received message key. Inserted (state 'processing') in its own short
-- transaction before the message is processed: a second copy, on any server process, finds it.
CREATE TABLE message_claims (
  sender        text        NOT NULL,
  key_kind      text        NOT NULL CHECK (key_kind IN ('x-request-id', 'message-id',
                                                          'bundle-identifier')),
  key           text        NOT NULL,
  state         text        NOT NULL CHECK (state IN ('processing', 'processed', 'failed')),
  claimed_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  http_status   int,
  response_body text,
  PRIMARY KEY (sender, key_kind, key)
);

-- One row per processed message.
CREATE TABLE message_log (
  seq                bigserial   PRIMARY KEY,
  received_at        timestamptz NOT NULL DEFAULT now(),
  sender             text        NOT NULL,
  x_request_id       text        NOT NULL,
  correlation_id     text        NOT NULL,
  event              text        NOT NULL,
  partner_kind       text        NOT NULL,
  request_bundle_id  text        NOT NULL,
  response_bundle_id text        NOT NULL,
  http_status        int         NOT NULL,
  nhsd_headers       text        NOT NULL
);
CREATE INDEX message_log_request_id ON message_log (x_request_id);
CREATE INDEX message_log_correlation_id ON message_log (correlation_id);
