-- A directory search by place that does not slow down as the workflow grows (issue 24).
--
-- Each HealthcareService holds, among its own index rows, the positions of the Locations it
-- names (location and coverage-area) as idx_geo rows with param 'near'. A place search on
-- services then reads the box of the services' own rows; before, it took the Locations in the
-- box and looked up, one by one, the services naming each of them in idx_reference, an index
-- that holds every Task's references too (383 descents of a tree that deepened with a million
-- Tasks). The store keeps the rows current when a service or a Location is written
-- (store/pg/directory_places.h). Here they are made for what is already stored.
INSERT INTO idx_geo (res_type, res_id, param, latitude, longitude)
SELECT DISTINCT 'HealthcareService', x.res_id, 'near', l.latitude, l.longitude
  FROM idx_reference x
  JOIN idx_geo l ON l.res_type = 'Location' AND l.param = 'near' AND l.res_id = x.target_id
 WHERE x.res_type = 'HealthcareService' AND x.param IN ('location', 'coverage-area')
   AND x.target_type = 'Location';

-- The directory's token rows in an index of their own: a place search tests its candidates'
-- category, capacity and the like here, in a tree the size of the directory, not in one shared
-- with millions of Task and referral rows.
CREATE INDEX idx_token_directory ON idx_token (res_type, param, code, res_id) INCLUDE (system)
  WHERE res_type IN ('HealthcareService', 'Location', 'Organization', 'Endpoint');

ANALYZE idx_geo;
ANALYZE idx_token;
