-- Trigram indexes make the registries list's name search (ILIKE '%…%') an index lookup in large teams.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
