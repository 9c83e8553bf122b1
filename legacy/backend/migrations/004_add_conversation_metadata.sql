-- "metadata" is reserved on SQLAlchemy declarative classes, so the model
-- attribute (and the column) is conversation_metadata.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM information_schema.columns
        WHERE table_name = 'conversations' AND column_name = 'conversation_metadata'
    ) THEN
        ALTER TABLE conversations ADD COLUMN conversation_metadata JSONB NOT NULL DEFAULT '{}'::jsonb;
    END IF;
END
$$;
