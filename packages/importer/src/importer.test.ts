import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { translateAlembicStatic } from './alembic.js';
import { planImport, readSource, revisionsFromHistory, writeImport, type ImportedRevision, type ToolHistory } from './index.js';
import { revisionFor } from './write.js';

const FIXTURES = resolve(import.meta.dirname, '../test/fixtures');

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-import-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('flyway', () => {
  it(
    'orders V files by version (1.10 after 1.9), pairs U files as downs, puts R files last, reports ' + 'callbacks, Java, placeholders',
    async () => {
      const dir = folder({
        'V1_10__ten.sql': 'CREATE TABLE ten (id int);',
        'V1_9__nine.sql': 'CREATE TABLE nine (id int);',
        'V1__one.sql': "CREATE TABLE one (id int); COMMENT ON TABLE one IS '${owner} ${other} ${flyway:filename}';",
        'U1__one.sql': 'DROP TABLE one;',
        'R__views.sql': 'CREATE OR REPLACE VIEW v AS SELECT 1;',
        'sub/V2__deep.sql': 'CREATE TABLE deep (id int);',
        'beforeMigrate.sql': 'SET x = 1;',
        'V3__java.java': 'class V3 {}',
        'V4__conf.sql': 'CREATE INDEX CONCURRENTLY i ON one (id);',
        'V4__conf.sql.conf': 'executeInTransaction=false\nmixed=true\n',
      });
      const s = await readSource('flyway', dir, { placeholders: { owner: 'app' } });
      expect(s.migrations.map((m) => m.id)).toEqual(['1', '1.9', '1.10', '2', '4', 'R:views']);
      expect(s.migrations[0]!.up).toBe("CREATE TABLE one (id int); COMMENT ON TABLE one IS 'app ${other} V1__one.sql';");
      expect(s.migrations[0]!.down).toBe('DROP TABLE one;');
      expect(s.migrations[1]!.down).toBeUndefined();
      expect(s.migrations[4]!.transactional).toBe(false);
      const kinds = s.report.map((r) => `${r.file}:${r.kind}:${r.severity}`);
      expect(kinds).toEqual(
        expect.arrayContaining([
          'V1__one.sql:placeholder:error',
          'beforeMigrate.sql:callback:error',
          'V3__java.java:java-migration:error',
          'R__views.sql:repeatable:warning',
          'V1_9__nine.sql:no-down:warning',
          'V4__conf.sql.conf:script-config:warning',
        ]),
      );
      expect(s.report.find((r) => r.kind === 'placeholder')!.message).toContain('${other}');
      expect(s.report.filter((r) => r.kind === 'placeholder')).toHaveLength(1);
    },
  );

  it('refuses two files with one version', async () => {
    await expect(readSource('flyway', folder({ 'V1__a.sql': '', 'V1_0__b.sql': '' }))).rejects.toThrow(/two migrations with version 1/);
  });
});

describe('SQL-file tools', () => {
  it('dbmate: sections, transaction:false, no down reported', async () => {
    const s = await readSource(
      'dbmate',
      folder({
        '2_b.sql':
          '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (x);\n-- migrate:down ' +
          'transaction:false\nDROP INDEX CONCURRENTLY i;\n',
        '10_c.sql': '-- migrate:up\nSELECT 1;\n',
        '1_a.sql': '-- migrate:up\nCREATE TABLE t (x int);\n\n-- migrate:down\nDROP TABLE t;\n',
        'notes.txt': 'x',
      }),
    );
    expect(s.migrations.map((m) => [m.id, m.transactional ?? true, m.down === undefined])).toEqual([
      ['1', true, false],
      ['2', false, false],
      ['10', true, true],
    ]);
    expect(s.migrations[0]!.up).toBe('CREATE TABLE t (x int);\n\n');
    expect(s.report.map((r) => r.kind)).toEqual(['unsupported-file', 'no-down']);
  });

  it('golang-migrate: pairs by version, BEGIN/COMMIT removed and reported, a lone up has no down', async () => {
    const s = await readSource(
      'golang-migrate',
      folder({
        '001_a.up.sql': 'BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;\n',
        '001_a.down.sql': 'DROP TABLE a;',
        '2_b.up.sql': 'CREATE TABLE b (x int);',
      }),
    );
    expect(s.migrations.map((m) => m.id)).toEqual(['1', '2']);
    expect(s.migrations[0]!.up).toBe('-- (import) removed: BEGIN\nCREATE TABLE a (x int);\n-- (import) removed: COMMIT\n');
    expect(s.migrations[0]!.otherFiles).toEqual(['001_a.down.sql']);
    expect(s.report.map((r) => `${r.kind}:${r.line}`)).toEqual(['transaction-control:1', 'transaction-control:3', 'no-down:undefined']);
  });

  it('goose: Up/Down, StatementBegin kept whole, NO TRANSACTION, ENVSUB and Go reported', async () => {
    const s = await readSource('goose', join(FIXTURES, 'goose'));
    expect(s.migrations.map((m) => m.id)).toEqual(['1', '2', '3', '4']);
    expect(s.migrations[0]!.up).toContain('NEW.name := trim(NEW.name);');
    expect(s.migrations[0]!.up).not.toContain('+goose');
    expect(s.migrations[1]!.transactional).toBe(false);
    expect(s.migrations[2]!.up).toContain('Go migration not carried over');
    expect(s.report.map((r) => `${r.file}:${r.kind}:${r.severity}`)).toEqual(['00003_seed_authors.go:go-migration:error']);
    const env = await readSource('goose', folder({ '1_a.sql': '-- +goose ENVSUB ON\n-- +goose Up\nCREATE TABLE ${T} (x int);\n' }));
    expect(env.report.map((r) => r.kind)).toEqual(['env-substitution', 'no-down']);
  });

  it('prisma: folders in order, down.sql used where present, other providers refused', async () => {
    const s = await readSource('prisma', join(FIXTURES, 'prisma'));
    expect(s.migrations.map((m) => m.id)).toEqual(['20240101000000_init', '20240102000000_author_email', '20240103000000_books']);
    expect(s.report.map((r) => r.kind)).toEqual(['no-down', 'no-down', 'no-down']);
    const withDown = await readSource(
      'prisma',
      folder({ '1_a/migration.sql': 'CREATE TABLE a (x int);', '1_a/down.sql': 'DROP TABLE a;' }),
    );
    expect(withDown.migrations[0]!.down).toBe('DROP TABLE a;');
    await expect(readSource('prisma', folder({ 'migration_lock.toml': 'provider = "mysql"' }))).rejects.toThrow(/provider = "mysql"/);
  });
});

describe('JS/TS tools', () => {
  it('node-pg-migrate: SQL sections, JS through its MigrationBuilder (down reversed from up), TS with down()', async () => {
    const s = await readSource('node-pg-migrate', join(FIXTURES, 'node-pg-migrate'));
    expect(s.migrations.map((m) => m.id)).toEqual(['1700000000001_create-authors', '1700000000002_author-email', '1700000000003_books']);
    expect(s.migrations[1]!.up).toContain('ALTER TABLE "authors"');
    expect(s.migrations[1]!.up).toContain('CREATE UNIQUE INDEX "authors_email_key" ON "authors" ("email");');
    expect(s.migrations[1]!.down).toContain('DROP INDEX "authors_email_key";');
    expect(s.migrations[2]!.down).toBe('DROP TABLE "books";\n');
    expect(s.report).toEqual([]);
  });

  it('node-pg-migrate: a migration that queries the database is reported and left empty', async () => {
    const s = await readSource(
      'node-pg-migrate',
      folder({ '1_q.js': 'export const up = async (pgm) => { await pgm.db.query("SELECT 1"); };\n' }),
    );
    expect(s.report.map((r) => r.kind)).toEqual(['untranslated']);
    expect(s.report[0]!.message).toContain('pgm.db.query');
  });

  it('kysely: modules kept with revision exports; relative imports and CommonJS reported', async () => {
    const s = await readSource(
      'kysely',
      folder({
        'b.ts': "import { x } from './helpers.js';\nexport async function up() {}\n",
        'a.js': 'exports.up = async () => {};\n',
        'helpers.d.ts': '',
      }),
    );
    expect(s.migrations.map((m) => m.id)).toEqual(['a', 'b']);
    expect(s.report.map((r) => `${r.file}:${r.kind}`)).toEqual([
      'helpers.d.ts:unsupported-file',
      'a.js:commonjs',
      'a.js:no-down',
      'b.ts:no-down',
      'b.ts:import',
    ]);
    const plan = planImport(s);
    expect(plan.files[1]!.name).toBe('0002_b.ts');
    expect(plan.files[1]!.text).toContain(`export const revision = '${revisionFor('kysely', 'b')}';`);
    expect(plan.files[1]!.text).toContain(`export const parents: string[] = ['${revisionFor('kysely', 'a')}'];`);
  });
});

describe('alembic', () => {
  it('reads the graph (branches, merge) and translates op.* calls statically', async () => {
    const s = await readSource('alembic', join(FIXTURES, 'alembic'), { alembicMode: 'static' });
    expect(s.migrations.map((m) => [m.id, m.parents])).toEqual([
      ['a1c0ffee0001', []],
      ['b2c0ffee0002', ['a1c0ffee0001']],
      ['c3c0ffee0003', ['a1c0ffee0001']],
      ['d4c0ffee0004', ['b2c0ffee0002', 'c3c0ffee0003']],
      ['e5c0ffee0005', ['d4c0ffee0004']],
      ['f6c0ffee0006', ['e5c0ffee0005']],
    ]);
    expect(s.migrations[5]!.up).toBe(
      "CREATE TYPE tag_kind AS ENUM ('topic', 'place');\n\nCREATE TABLE tags (\n    id SERIAL NOT " +
        'NULL, \n    kind tag_kind NOT NULL, \n    label VARCHAR(50) NOT NULL, \n    PRIMARY KEY ' +
        "(id)\n);\n\nCOMMENT ON COLUMN tags.label IS 'shown to readers';\n\nCOMMENT ON TABLE tags IS " +
        "'labels for posts';",
    );
    expect(s.migrations[5]!.down).toBe('DROP TABLE tags;\n\nDROP TYPE tag_kind;');
    expect(s.migrations[4]!.up).toBe(
      'ALTER TABLE users ADD COLUMN active BOOLEAN DEFAULT true NOT NULL;\n\nALTER TABLE users ALTER ' +
        "COLUMN name TYPE VARCHAR(200);\n\nUPDATE users SET name = 'anonymous' WHERE name IS " +
        'NULL;\n\nALTER TABLE posts ALTER COLUMN title DROP NOT NULL;',
    );
    expect(s.report.map((r) => r.kind)).toEqual(['static']);
  });

  it('reads Alembic 1.11+ annotated headers (revision: str = ...) and versions/ given directly', async () => {
    const dir = folder({
      'versions/1_a.py':
        '"""first"""\nfrom typing import Sequence, Union\nrevision: str = "aaaa1111"\ndown_revision: ' +
        'Union[str, None] = None\n\ndef upgrade() -> None:\n    op.create_table("t", sa.Column("id", ' +
        'sa.BigInteger(), primary_key=True))\n\ndef downgrade() -> None:\n    op.drop_table("t")\n',
      'versions/2_b.py':
        'revision: str = "bbbb2222"\ndown_revision: Union[str, Sequence[str], None] = "aaaa1111"\n\ndef upgrade() -> None:\n    pass\n',
    });
    const s = await readSource('alembic', join(dir, 'versions'), { alembicMode: 'static' });
    expect(s.migrations.map((m) => [m.id, m.parents, m.message])).toEqual([
      ['aaaa1111', [], 'first'],
      ['bbbb2222', ['aaaa1111'], 'b'],
    ]);
    expect(s.migrations[0]!.up).toBe('CREATE TABLE t (\n    id BIGSERIAL NOT NULL, \n    PRIMARY KEY (id)\n);');
    expect(s.report.map((r) => `${r.file}:${r.kind}`)).toEqual(['.:static', '2_b.py:no-down']);
  });

  it('reports what it cannot translate, line by line, and keeps the code as a comment', () => {
    const r = translateAlembicStatic(
      'x.py',
      `revision = 'abcd1234'
down_revision = None

def upgrade():
    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('k', MoneyType()))
    conn = op.get_bind()
    op.execute(f"UPDATE t SET x = {value}")
    op.create_index(op.f('ix_t_id'), 't', ['id'], unique=True)
    op.rename_table('t', 'u')

def downgrade():
    op.drop_table('u')
`,
    );
    expect(r.report.map((x) => `${x.line}:${x.kind}`)).toEqual(['5:untranslated', '6:untranslated', '7:untranslated']);
    expect(r.report[0]!.message).toContain('type MoneyType is not one the static translation knows');
    expect(r.up).toContain('-- (import) not translated (type MoneyType is not one the static translation knows');
    expect(r.up).toContain('CREATE UNIQUE INDEX ix_t_id ON t (id);');
    expect(r.up).toContain('ALTER TABLE t RENAME TO u;');
    expect(r.down).toBe('DROP TABLE u;');
  });

  it('gives the same SQL statically as Alembic offline for the fixture chain', async () => {
    const { alembicAvailable } = await import('./alembic.js');
    expect(alembicAvailable(), 'needs Python with Alembic: apt-get install python3-alembic (.ci/run does)').toBeDefined();
    const off = await readSource('alembic', join(FIXTURES, 'alembic'), { alembicMode: 'offline', env: { ...process.env } });
    const st = await readSource('alembic', join(FIXTURES, 'alembic'), { alembicMode: 'static' });
    expect(st.migrations.map((m) => [m.up, m.down])).toEqual(off.migrations.map((m) => [m.up, m.down]));
  });
});

describe('history to revision', () => {
  const imported: ImportedRevision[] = ['1', '2', '3'].map((id) => ({
    revision: `r${id}`,
    sourceId: id,
    tool: 'dbmate',
    file: `${id}.sql`,
  }));
  const h = (over: Partial<ToolHistory>): ToolHistory => ({
    tool: 'dbmate',
    table: 'public.schema_migrations',
    applied: [],
    problems: [],
    ...over,
  });
  it('the last revision of the applied prefix', () => {
    expect(revisionsFromHistory(h({ applied: ['1', '2'] }), imported).revisions).toEqual(['r2']);
  });
  it('refuses a gap, an unknown id, problems, an empty history', () => {
    expect(() => revisionsFromHistory(h({ applied: ['1', '3'] }), imported)).toThrow(/3 applied but not 2 before it/);
    expect(() => revisionsFromHistory(h({ applied: ['1', '9'] }), imported)).toThrow(/lists 9, which the imported migrations do not have/);
    expect(() => revisionsFromHistory(h({ applied: ['1'], problems: ['dirty'] }), imported)).toThrow(
      /Not taking over public.schema_migrations:\n {2}dirty/,
    );
    expect(() => revisionsFromHistory(h({}), imported)).toThrow(/records no migration/);
  });
  it('golang-migrate: the current version means everything up to it; Flyway: a baseline covers what it replaced', () => {
    expect(revisionsFromHistory(h({ tool: 'golang-migrate', applied: ['2'] }), imported).revisions).toEqual(['r2']);
    expect(revisionsFromHistory(h({ tool: 'flyway', applied: ['3'], baseline: '2' }), imported).revisions).toEqual(['r3']);
  });
  it('alembic: the heads as they are', () => {
    const a = imported.map((i) => ({ ...i, tool: 'alembic' }));
    expect(revisionsFromHistory(h({ tool: 'alembic', heads: ['2', '3'] }), a).revisions).toEqual(['r2', 'r3']);
    expect(() => revisionsFromHistory(h({ tool: 'alembic', heads: ['x'] }), a)).toThrow(/holds x/);
  });
});

describe('writing', () => {
  it('is deterministic, idempotent, and refuses a folder holding other migrations unless appending', async () => {
    const src = await readSource('dbmate', join(FIXTURES, 'dbmate'));
    const out = mkdtempSync(join(tmpdir(), 'strata-import-out-'));
    const first = await writeImport(src, out);
    expect(first.written).toHaveLength(4);
    const text = readFileSync(join(out, first.written[0]!), 'utf8');
    expect(text).toBe(
      `-- revision: ${revisionFor('dbmate', '20240101000000')}\n-- parents: none\n-- message: create ` +
        `authors\n-- imported-from: dbmate 20240101000000_create_authors.sql\n-- import-id: ` +
        `20240101000000\n\n-- migrate:up\nCREATE TABLE authors (\n    id serial PRIMARY KEY,\n    name ` +
        `text NOT NULL\n);\n\n-- migrate:down\nDROP TABLE authors;\n`,
    );
    const again = await writeImport(src, out);
    expect(again).toMatchObject({ written: [], unchanged: first.written });
    writeFileSync(join(out, first.written[0]!), `${text}-- edited\n`);
    await expect(writeImport(src, out)).rejects.toThrow(/already holds 4 migration\(s\), 4 of them from an earlier import/);
    expect(readdirSync(out)).toHaveLength(4);
  });
});
