-- Tag filter on the search page.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_indexes
        WHERE schemaname = 'public' AND indexname = 'idx_document_tags_tag'
    ) THEN
        CREATE INDEX idx_document_tags_tag ON document_tags (tag);
    END IF;
END
$$;
