-- Run by hand in psql on 2025-02-03 and checked in afterwards:
--   psql $DATABASE_URL -f fix_conversations_user_index.sql
CREATE INDEX IF NOT EXISTS idx_conversations_user_id ON conversations (user_id);
