-- Search by any part of a product's name ("rice" finds "Basmati Rice") from a trigram index
-- (pg_trgm, a trusted extension: the database owner may create it; RDS supports it), which
-- answers `name_key LIKE '%rice%'` instead of reading all 100,000 names.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX products_name_trgm ON products USING gin (name_key gin_trgm_ops);
