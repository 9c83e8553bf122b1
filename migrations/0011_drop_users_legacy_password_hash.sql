-- revision: 0b7e2f5a8c61
-- parents: 6a0d9b4c3e18
-- message: drop users.legacy_password_hash

-- migrate:up
-- From legacy backend/fix_cleanup_legacy_columns.py (manual review: it loses
-- data). The models dropped the column after the move to SSO; nothing reads it.
-- Take a backup first (migrate up --backup DIR); Strata refuses to run this
-- without --allow-data-loss, and refuses to revert it without it too.
ALTER TABLE users DROP COLUMN legacy_password_hash;

-- migrate:down
-- The column comes back empty: the hashes are gone with the up migration.
ALTER TABLE users ADD COLUMN legacy_password_hash varchar(255);
