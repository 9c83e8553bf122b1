-- Document processing pipeline: status of the text extraction job.
ALTER TABLE documents ADD COLUMN processing_status VARCHAR(20) NOT NULL DEFAULT 'pending';
ALTER TABLE documents ADD COLUMN processed_at TIMESTAMPTZ;
