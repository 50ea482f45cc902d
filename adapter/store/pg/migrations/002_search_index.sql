-- Search index: rows computed from SearchParameter expressions on every write, replaced with
-- each new version of a resource (and removed when it is deleted).
CREATE TABLE idx_token (
  res_type text NOT NULL, res_id text NOT NULL, param text NOT NULL,
  system text NOT NULL, code text NOT NULL, text text NOT NULL);
CREATE INDEX idx_token_lookup ON idx_token (res_type, param, code, system);
CREATE INDEX idx_token_owner ON idx_token (res_type, res_id);

CREATE TABLE idx_string (
  res_type text NOT NULL, res_id text NOT NULL, param text NOT NULL,
  normalised text NOT NULL, exact text NOT NULL);
CREATE INDEX idx_string_lookup ON idx_string (res_type, param, normalised text_pattern_ops);
CREATE INDEX idx_string_owner ON idx_string (res_type, res_id);

CREATE TABLE idx_reference (
  res_type text NOT NULL, res_id text NOT NULL, param text NOT NULL,
  target_type text NOT NULL, target_id text NOT NULL, url text NOT NULL,
  id_system text NOT NULL, id_value text NOT NULL);
CREATE INDEX idx_reference_lookup ON idx_reference (res_type, param, target_type, target_id);
CREATE INDEX idx_reference_target ON idx_reference (target_type, target_id);
CREATE INDEX idx_reference_owner ON idx_reference (res_type, res_id);

CREATE TABLE idx_date (
  res_type text NOT NULL, res_id text NOT NULL, param text NOT NULL,
  low bigint NOT NULL, high bigint NOT NULL);
CREATE INDEX idx_date_lookup ON idx_date (res_type, param, low, high);
CREATE INDEX idx_date_owner ON idx_date (res_type, res_id);

CREATE TABLE idx_number (
  res_type text NOT NULL, res_id text NOT NULL, param text NOT NULL,
  value double precision NOT NULL, system text NOT NULL, code text NOT NULL);
CREATE INDEX idx_number_lookup ON idx_number (res_type, param, value);
CREATE INDEX idx_number_owner ON idx_number (res_type, res_id);

CREATE TABLE idx_uri (
  res_type text NOT NULL, res_id text NOT NULL, param text NOT NULL, uri text NOT NULL);
CREATE INDEX idx_uri_lookup ON idx_uri (res_type, param, uri);
CREATE INDEX idx_uri_owner ON idx_uri (res_type, res_id);

CREATE TABLE idx_geo (
  res_type text NOT NULL, res_id text NOT NULL, param text NOT NULL,
  latitude double precision NOT NULL, longitude double precision NOT NULL);
CREATE INDEX idx_geo_lookup ON idx_geo (res_type, param, latitude, longitude);
CREATE INDEX idx_geo_owner ON idx_geo (res_type, res_id);

CREATE INDEX resources_last_updated ON resources (res_type, last_updated);
