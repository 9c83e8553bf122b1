-- backend/fix_indexes.sh, run by hand (2025-05); its psql -f of
-- migrations/003_document_tags_index.sql was a no-op (the index existed).
CREATE INDEX IF NOT EXISTS idx_documents_deleted_at ON documents (deleted_at) WHERE deleted_at IS NULL;
