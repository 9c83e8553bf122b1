-- AI summaries of documents (summariser v2).
ALTER TABLE documents
    ADD COLUMN summary TEXT
    ADD COLUMN summarised_at TIMESTAMPTZ;
