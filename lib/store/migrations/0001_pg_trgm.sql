-- Trigram similarity ranks series-mapping suggestions (similarity(), %, gin_trgm_ops).
-- Installed in public, which every session keeps on its search path, so a schema per test run shares it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
