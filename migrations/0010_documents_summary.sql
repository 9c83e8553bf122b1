-- revision: 6a0d9b4c3e18
-- parents: e81f3c6d2a97
-- message: add documents.summary and summarised_at

-- migrate:up
-- From legacy backend/migrations/009_add_document_summary.sql, which never ran
-- anywhere: it had a syntax error (a missing comma between the two ADD COLUMN
-- clauses), reported by the conversion for manual review and fixed here.
ALTER TABLE documents
    ADD COLUMN summary text,
    ADD COLUMN summarised_at timestamptz;

-- migrate:down
ALTER TABLE documents
    DROP COLUMN summarised_at,
    DROP COLUMN summary;
