-- Documents uploaded after 001_add_document_processing.sql ran: the extractor
-- set processed_at but left processing_status at 'pending' (the bug that
-- fix_backfill_processing_status.py fixes; it never ran in production).
INSERT INTO documents (organisation_id, owner_id, title, body, mime_type, processed_at) VALUES
    (1, 1, 'Board minutes March', 'Present: ...', 'application/pdf', '2025-03-14 10:00:00+00'),
    (2, 3, 'Camp risk assessment', 'Risks: ...', 'application/pdf', '2025-04-02 16:30:00+00');
INSERT INTO documents (organisation_id, owner_id, title, mime_type) VALUES
    (1, 2, 'Unprocessed scan', 'image/png');
