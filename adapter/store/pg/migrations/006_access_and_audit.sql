-- Access control and the audit trail (docs/security.md).

-- Who may see each resource: written with the work records (ServiceRequest, Task) and by the
-- creator of every record; search, history and read test them (store/pg/access_sql.h).
CREATE TABLE access_grants (
  res_type     text NOT NULL,
  res_id       text NOT NULL,
  organisation text NOT NULL,  -- ODS code, or '*' for every organisation (a pool Task)
  basis        text NOT NULL,  -- creator | requester | owner | performer | pool
  PRIMARY KEY (res_type, res_id, organisation, basis)
);

-- One row per audited access, exposed through the API as AuditEvent resources. Append-only:
-- the trigger refuses every UPDATE and DELETE, whoever asks.
CREATE TABLE audit_events (
  seq            bigserial   PRIMARY KEY,
  id             text        NOT NULL UNIQUE,
  recorded       timestamptz NOT NULL,
  action         text        NOT NULL,
  interaction    text        NOT NULL,
  outcome        integer     NOT NULL,
  organisation   text        NOT NULL,
  subject        text        NOT NULL,
  entity_type    text        NOT NULL,
  entity_id      text        NOT NULL,
  entity_version bigint      NOT NULL,
  query          text        NOT NULL,
  request_id     text        NOT NULL,
  correlation_id text        NOT NULL
);
CREATE INDEX audit_events_organisation ON audit_events (organisation, seq);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);

CREATE FUNCTION sp_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION sp_audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION sp_audit_events_append_only();
