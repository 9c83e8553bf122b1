-- revision: e81f3c6d2a97
-- parents: c5e07a3b91d4
-- message: add conversations.archived_at and its partial index

-- migrate:up
-- From legacy backend/fix_conversation_archived.js (pg client.query).
ALTER TABLE conversations ADD COLUMN archived_at timestamptz;
-- strata-lint-ignore create-index-non-concurrently: conversations is tiny in production (a handful
-- of rows), so the build is instant; a separate CONCURRENTLY migration is not worth a second step.
CREATE INDEX idx_conversations_archived_at ON conversations (archived_at) WHERE archived_at IS NOT NULL;

-- migrate:down
DROP INDEX idx_conversations_archived_at;
ALTER TABLE conversations DROP COLUMN archived_at;
