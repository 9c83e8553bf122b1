import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';

/** A temp migrations folder; `write` adds files, `rm` removes the folder. */
export function tempMigrations(): { dir: string; write(name: string, text: string): void; rm(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'strata-fallback-'));
  return {
    dir,
    write: (name, text) => writeFileSync(join(dir, name), text),
    rm: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An SQL migration file's text. */
export function sqlMigration(revision: string, parents: string[], up: string, down = ''): string {
  return (
    `-- revision: ${revision}\n-- parents: ${parents.length ? parents.join(', ') : 'none'}\n-- ` +
    `message: ${revision}\n\n-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`
  );
}

/** Run one query on a fresh connection. */
export async function query<R extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The small application schema the tests use, as three migrations
 * (a1 -> a2 -> a3) and as the equivalent legacy createAll.
 */
export function writeAppMigrations(t: ReturnType<typeof tempMigrations>): void {
  t.write(
    '0001_widgets.sql',
    sqlMigration('a1', [], 'CREATE TABLE widgets (id serial PRIMARY KEY, name varchar(100) NOT NULL UNIQUE);', 'DROP TABLE widgets;'),
  );
  t.write(
    '0002_widget_colour.sql',
    sqlMigration(
      'a2',
      ['a1'],
      "ALTER TABLE widgets ADD COLUMN colour text NOT NULL DEFAULT 'blue';",
      'ALTER TABLE widgets DROP COLUMN colour;',
    ),
  );
  t.write(
    '0003_parts.sql',
    sqlMigration(
      'a3',
      ['a2'],
      'CREATE TABLE parts (id serial PRIMARY KEY, widget_id integer NOT NULL REFERENCES widgets (id) ' +
        'ON DELETE CASCADE, label text);\nCREATE INDEX idx_parts_widget ON parts (widget_id);',
      'DROP TABLE parts;',
    ),
  );
}

/** The legacy models of {@link writeAppMigrations}'s schema; `drift` leaves out the index on parts. */
export function appCreateAll(options: { drift?: boolean; nestedTransaction?: boolean } = {}): (db: Kysely<any>) => Promise<void> {
  return async (db) => {
    const build = async (d: Kysely<any>) => {
      await d.schema
        .createTable('widgets')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'varchar(100)', (c) => c.notNull().unique())
        .addColumn('colour', 'text', (c) => c.notNull().defaultTo('blue'))
        .execute();
      await d.schema
        .createTable('parts')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('widget_id', 'integer', (c) => c.notNull().references('widgets.id').onDelete('cascade'))
        .addColumn('label', 'text')
        .execute();
      if (!options.drift) await d.schema.createIndex('idx_parts_widget').on('parts').column('widget_id').execute();
      else await sql`COMMENT ON TABLE parts IS 'built by an older createAll'`.execute(d);
    };
    if (options.nestedTransaction) await db.transaction().execute(build);
    else await build(db);
  };
}
