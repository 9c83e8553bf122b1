-- revision: f0b8c2d417e6
-- parents: a41d07c3e9b2
-- message: index documents by lower(title), concurrently
-- transactional: false

-- migrate:up
-- From legacy backend/migrations/008_documents_title_index.sql. CONCURRENTLY
-- does not block writes to documents while it builds, and cannot run in a
-- transaction: Strata runs this migration outside one.
CREATE INDEX CONCURRENTLY idx_documents_title_lower ON documents (lower(title));

-- migrate:down
DROP INDEX CONCURRENTLY idx_documents_title_lower;
