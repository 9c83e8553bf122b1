-- backend/fix_messages_role_check.py (the DO block it executes).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'messages_role_check') THEN
        ALTER TABLE messages
            ADD CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system'));
    END IF;
END $$;
