-- revision: 3d92e5a08c1f
-- parents: f0b8c2d417e6
-- message: add audit_logs.ip_address

-- migrate:up
-- From legacy backend/fix_audit_logs_ip.py (SQLAlchemy text()).
ALTER TABLE audit_logs ADD COLUMN ip_address inet;

-- migrate:down
ALTER TABLE audit_logs DROP COLUMN ip_address;
