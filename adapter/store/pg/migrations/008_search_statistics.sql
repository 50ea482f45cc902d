-- Search index statistics across columns. A search filters idx_token on (res_type, param, code)
-- together; those columns are strongly correlated (a param belongs to one type, a code to one
-- param), so per-column estimates multiply into far too few rows and the planner starts from a
-- token filter that matches thousands (service-category among 10,000 services) instead of a
-- narrower condition (the `near` box). Multi-column statistics give it the joint counts.
CREATE STATISTICS idx_token_joint (ndistinct, dependencies, mcv)
  ON res_type, param, code FROM idx_token;
CREATE STATISTICS idx_reference_joint (ndistinct, dependencies, mcv)
  ON res_type, param, target_type, target_id FROM idx_reference;
ANALYZE idx_token;
ANALYZE idx_reference;
