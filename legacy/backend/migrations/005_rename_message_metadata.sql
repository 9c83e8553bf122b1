-- Same reserved-name problem on messages: rename the existing column.
ALTER TABLE messages RENAME COLUMN metadata TO message_metadata;
