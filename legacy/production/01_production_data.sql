-- A little production data, as it was before the fixes ran: tags typed by
-- users in mixed case (fix_tags_lowercase.py lower-cases them later).
INSERT INTO organisations (name) VALUES ('Riverside Food Bank'), ('Northside Youth Club');

INSERT INTO users (organisation_id, email, full_name, legacy_password_hash) VALUES
    (1, 'ana@riverside.example', 'Ana Lopez', '$2b$12$Qm9ndXNIYXNoMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA'),
    (1, 'ben@riverside.example', 'Ben Okafor', NULL),
    (2, 'chloe@northside.example', 'Chloe Martin', '$2b$12$Qm9ndXNIYXNoMTExMTExMTExMTExMTExMTExMTExMTExMQ');

INSERT INTO documents (organisation_id, owner_id, title, body, status, mime_type) VALUES
    (1, 1, 'Annual report 2024', 'We served 12,000 families.', 'published', 'application/pdf'),
    (1, 2, 'Volunteer handbook', 'Welcome!', 'draft', 'text/markdown'),
    (2, 3, 'Grant application: summer camp', 'Budget: ...', 'published', 'application/pdf');

INSERT INTO document_programs (document_id, program) VALUES (1, 'food'), (2, 'volunteering'), (3, 'youth');
INSERT INTO document_tags (document_id, tag) VALUES (1, 'Annual'), (1, 'report'), (2, 'HR'), (3, 'Grants'), (3, 'youth');

INSERT INTO conversations (user_id, title) VALUES (1, 'Draft the thank-you letter'), (3, 'Camp budget');
INSERT INTO messages (conversation_id, role, content, metadata) VALUES
    (1, 'user', 'Draft a thank-you letter to our donors.', '{"client": "web"}'),
    (1, 'assistant', 'Dear friends, ...', NULL),
    (2, 'user', 'What did we spend on the camp last year?', NULL);

INSERT INTO system_config (key, value) VALUES ('max_upload_mb', '25'), ('default_model', '"gpt-4o-mini"');
