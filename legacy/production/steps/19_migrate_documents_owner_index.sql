-- backend/migrate_documents_owner_index.py (INDEX_SQL.format(...)).
CREATE INDEX IF NOT EXISTS idx_documents_owner_id ON documents (owner_id);
