-- revision: 2c7a94e1f805
-- parents: 8e3d61b07a4c
-- message: add users.email_verified

-- migrate:up
-- From legacy backend/migrations/006_users_email_verified.sql.
-- A constant default adds the column without rewriting the table (PostgreSQL 11+).
ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false;

-- migrate:down
ALTER TABLE users DROP COLUMN email_verified;
