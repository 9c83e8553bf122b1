#!/bin/sh
# Container start-up: patch the schema, then serve.
set -e

echo "Running migrations..."
python /app/apply_migration.py

# Added during the config-screen sprint; apply_migration.py did not exist yet.
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -c "ALTER TABLE system_config ADD COLUMN IF NOT EXISTS description TEXT"

# Chat history was slow (see incident 2025-03-11).
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 <<'SQL'
CREATE INDEX IF NOT EXISTS idx_messages_conversation_created
    ON messages (conversation_id, created_at);
SQL

echo "Starting API..."
exec uvicorn main:app --host 0.0.0.0 --port "${PORT:-8000}"
