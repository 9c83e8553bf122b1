-- revision: c5e07a3b91d4
-- parents: 97c4b1e2d053
-- message: add prompt_templates.updated_at

-- migrate:up
-- From legacy backend/fix_updated_at_columns.py: its loop over
-- (documents, conversations, prompt_templates); production lacks only the third.
ALTER TABLE prompt_templates ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- migrate:down
ALTER TABLE prompt_templates DROP COLUMN updated_at;
