-- Typed by hand in psql by the on-call DBA during the audit-log incident
-- (2025-05-20). No script, no ticket; the model caught up later.
CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at DESC);
