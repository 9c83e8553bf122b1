-- backend/apply_migration.py's own guarded statement (index_exists was false on its first run).
CREATE INDEX idx_documents_org_status ON documents (organisation_id, status);
