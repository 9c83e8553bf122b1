-- backend/migrate_prompt_versions.ts (sql.raw(table) = prompt_templates).
ALTER TABLE prompt_templates ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
