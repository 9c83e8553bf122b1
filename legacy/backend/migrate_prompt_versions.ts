// Prompt templates get a version number (the editor keeps history).
// Run: npx tsx backend/migrate_prompt_versions.ts
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

const db = new Kysely<unknown>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }),
});

const table = 'prompt_templates';

await sql`ALTER TABLE ${sql.raw(table)} ADD COLUMN version INTEGER NOT NULL DEFAULT 1`.execute(db);
await db.destroy();
