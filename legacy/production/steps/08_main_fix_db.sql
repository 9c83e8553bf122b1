-- POST /fix-db (backend/main.py FIX_STATEMENTS), called after the 2024-09 deploy.
-- last_login_at already existed (fix_users_last_login.py): IF NOT EXISTS made it a no-op.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMPTZ;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS file_size BIGINT;
ALTER TABLE users ADD COLUMN IF NOT EXISTS last_login_at TIMESTAMPTZ;
