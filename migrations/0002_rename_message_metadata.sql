-- revision: 8e3d61b07a4c
-- parents: 5b1f0c2a9d30
-- message: rename messages.metadata to message_metadata

-- migrate:up
-- From legacy backend/migrations/005_rename_message_metadata.sql (release 2025.09,
-- which never reached production). A rename keeps the data; the old code reads
-- "metadata", so deploy the application that reads message_metadata with it.
ALTER TABLE messages RENAME COLUMN metadata TO message_metadata;

-- migrate:down
ALTER TABLE messages RENAME COLUMN message_metadata TO metadata;
