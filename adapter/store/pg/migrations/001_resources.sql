-- Every version of every resource, and a pointer to the current one.
CREATE TABLE resource_versions (
  seq          bigserial   NOT NULL UNIQUE,          -- global order, the history paging key
  res_type     text        NOT NULL,
  res_id       text        NOT NULL,
  version_id   bigint      NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted      boolean     NOT NULL,
  method       text        NOT NULL,
  body         text,                                  -- NULL for a deletion
  PRIMARY KEY (res_type, res_id, version_id)
);
CREATE INDEX resource_versions_type_seq ON resource_versions (res_type, seq);

CREATE TABLE resources (
  res_type     text        NOT NULL,
  res_id       text        NOT NULL,
  version_id   bigint      NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted      boolean     NOT NULL,
  PRIMARY KEY (res_type, res_id)
);

-- Resource.identifier of current versions, for conditional create and update.
CREATE TABLE resource_identifiers (
  res_type text NOT NULL,
  res_id   text NOT NULL,
  system   text NOT NULL,
  value    text NOT NULL
);
CREATE INDEX resource_identifiers_lookup ON resource_identifiers (res_type, value, system);
CREATE INDEX resource_identifiers_owner ON resource_identifiers (res_type, res_id);
