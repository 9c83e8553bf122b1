-- revision: 97c4b1e2d053
-- parents: 3d92e5a08c1f
-- message: add messages.token_count

-- migrate:up
-- From legacy backend/migrate_add_token_count.py (exec_driver_sql).
ALTER TABLE messages ADD COLUMN token_count integer;

-- migrate:down
ALTER TABLE messages DROP COLUMN token_count;
