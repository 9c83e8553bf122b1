-- backend/entrypoint.sh: its psql -c and heredoc, run on every container start.
ALTER TABLE system_config ADD COLUMN IF NOT EXISTS description TEXT;
CREATE INDEX IF NOT EXISTS idx_messages_conversation_created
    ON messages (conversation_id, created_at);
