-- backend/fix_updated_at_columns.py AS IT WAS when it ran (2025-04):
-- TABLES = ["documents", "conversations"]. prompt_templates was added to the
-- list in 2025-07 and the script was never run again.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE conversations ADD COLUMN IF NOT EXISTS updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
