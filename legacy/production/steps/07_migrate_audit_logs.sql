-- backend/migrate_audit_logs.py (the DDL string it executes).
CREATE TABLE IF NOT EXISTS audit_logs (
    id BIGSERIAL PRIMARY KEY,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action VARCHAR(100) NOT NULL,
    entity_type VARCHAR(50),
    entity_id INTEGER,
    details JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_audit_logs_entity ON audit_logs (entity_type, entity_id);
INSERT INTO audit_logs (user_id, action, entity_type, entity_id) VALUES
    (1, 'document.publish', 'document', 1),
    (3, 'document.publish', 'document', 3);
