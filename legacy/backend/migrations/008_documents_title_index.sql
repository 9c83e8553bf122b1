-- Case-insensitive title search. CONCURRENTLY: documents is large and busy;
-- apply_migration.py runs with autocommit for this file.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_documents_title_lower ON documents (lower(title));
