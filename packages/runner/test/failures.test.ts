import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import { downgrade, history, status, upgrade } from '@pg-strata/runner';
import { query, sqlMigration, tempMigrations } from './helpers.js';

const db = useTestDatabase('runner_failures');
const dirs: { rm(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.rm()));
function folder() {
  const m = tempMigrations();
  dirs.push(m);
  return m;
}
/** Each test works in its own schema pair so they share the database without interfering. */
let n = 0;
function schemaFor() {
  n++;
  return { schema: `strata_f${n}`, app: `app_f${n}` };
}

describe('a failing statement', () => {
  it('rolls back its migration, keeps earlier ones, and points at file:line:column with PostgreSQL message', async () => {
    const { schema, app } = schemaFor();
    const m = folder();
    m.write('0001_a.sql', sqlMigration('f1', [], `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.t (id int PRIMARY KEY);`));
    m.write(
      '0002_b.sql',
      sqlMigration(
        'f2',
        ['f1'],
        `CREATE TABLE ${app}.u (id int);\nINSERT INTO ${app}.u VALUES (1);\nINSERT INTO ${app}.nope ` +
          `VALUES (1);\nCREATE TABLE ${app}.v (id int);`,
      ),
    );
    m.write('0003_c.sql', sqlMigration('f3', ['f2'], `CREATE TABLE ${app}.w (id int);`));
    const r = await upgrade({ url: db().url, migrationsDir: m.dir, schema });
    expect(r.ok).toBe(false);
    expect(r.steps.map((s) => [s.file, s.status])).toEqual([
      ['0001_a.sql', 'applied'],
      ['0002_b.sql', 'failed'],
    ]);
    const err = r.steps[1]!.error!;
    expect(err.code).toBe('MIGRATION_FAILED');
    // header is 4 lines + blank line + marker: the body starts on line 6; the third statement is on line 8, "nope" at column 20.
    expect(err.message.split('\n')[0]).toBe(
      `0002_b.sql:8:13: applying revision f2 failed: relation "${app}.nope" does not exist (SQLSTATE 42P01)`,
    );
    expect(err.message).toContain('^');
    expect(err.message).toContain('The migration was rolled back');
    expect(err.meta).toMatchObject({ sqlstate: '42P01', line: 8, column: 13, statementIndex: 2, file: '0002_b.sql', revision: 'f2' });
    expect(r.error?.code).toBe('MIGRATION_FAILED');
    expect(r.to).toEqual(['f1']);
    const tables = await query(db().url, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [app]);
    expect(tables.map((t) => t.table_name)).toEqual(['t']);
    const st = await status({ url: db().url, migrationsDir: m.dir, schema });
    expect(st.failed).toHaveLength(1);
    expect(st.failed[0]).toMatchObject({ revision: 'f2', file: '0002_b.sql', direction: 'up', sqlstate: '42P01' });
    expect(st.pending.map((p) => p.revision)).toEqual(['f2', 'f3']);
    const h = await history({ url: db().url, migrationsDir: m.dir, schema });
    expect(h[0]).toMatchObject({ revision: 'f2', outcome: 'failed' });
  });

  it('locates a failure without a position (a unique violation) by counting completed statements', async () => {
    const { schema, app } = schemaFor();
    const m = folder();
    m.write(
      '0001_a.sql',
      sqlMigration(
        'g1',
        [],
        `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.t (id int PRIMARY KEY);\n  INSERT INTO ${app}.t ` +
          `VALUES (1);\n  INSERT INTO ${app}.t VALUES (1);`,
      ),
    );
    const r = await upgrade({ url: db().url, migrationsDir: m.dir, schema });
    expect(r.ok).toBe(false);
    const err = r.steps[0]!.error!;
    expect(err.message.split('\n')[0]).toBe(
      `0001_a.sql:9:3: applying revision g1 failed: duplicate key value violates unique constraint "t_pkey" (SQLSTATE 23505)`,
    );
    expect(err.message).toContain('DETAIL: Key (id)=(1) already exists.');
    expect(await query(db().url, `SELECT to_regnamespace($1) AS s`, [app])).toEqual([{ s: null }]);
  });

  it('retries a failed transactional migration on the next up and explains the earlier failure if it fails again', async () => {
    const { schema, app } = schemaFor();
    const m = folder();
    m.write('0001_a.sql', sqlMigration('h1', [], `CREATE SCHEMA ${app};\nSELECT 1/0;`));
    const r1 = await upgrade({ url: db().url, migrationsDir: m.dir, schema });
    expect(r1.ok).toBe(false);
    const r2 = await upgrade({ url: db().url, migrationsDir: m.dir, schema });
    expect(r2.ok).toBe(false);
    expect(r2.steps[0]!.error!.message).toContain('It also failed on the previous attempt');
    expect(r2.steps[0]!.error!.message).toContain('division by zero');
    m.write('0001_a.sql', sqlMigration('h1', [], `CREATE SCHEMA ${app};`));
    const r3 = await upgrade({ url: db().url, migrationsDir: m.dir, schema });
    expect(r3.ok).toBe(true);
    expect((await status({ url: db().url, migrationsDir: m.dir, schema })).failed).toEqual([]);
  });
});

describe('validation before anything runs', () => {
  it('refuses to run when an applied migration was edited, naming the file and both checksums', async () => {
    const { schema, app } = schemaFor();
    const m = folder();
    m.write('0001_a.sql', sqlMigration('e1', [], `CREATE SCHEMA ${app};`));
    expect((await upgrade({ url: db().url, migrationsDir: m.dir, schema })).ok).toBe(true);
    const { checksumOf } = await import('@pg-strata/runner');
    const before = checksumOf(sqlMigration('e1', [], `CREATE SCHEMA ${app};`));
    m.write('0001_a.sql', sqlMigration('e1', [], `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.sneaky (id int);`));
    const after = checksumOf(sqlMigration('e1', [], `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.sneaky (id int);`));
    m.write('0002_b.sql', sqlMigration('e2', ['e1'], `CREATE TABLE ${app}.next (id int);`));
    const err = await upgrade({ url: db().url, migrationsDir: m.dir, schema }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    const msg = (err as Error).message;
    expect(msg).toContain(`0001_a.sql (revision e1): recorded ${before}, file now ${after}`);
    expect(msg).toContain('strata stamp e1');
    expect(await query(db().url, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [app])).toEqual([]);
    const st = await status({ url: db().url, migrationsDir: m.dir, schema });
    expect(st.checksumProblems).toEqual([{ revision: 'e1', file: '0001_a.sql', recorded: before, actual: after }]);
    // The checksum covers the bytes, but a file whose only change is its line endings (git's autocrlf) is not an edit.
    const crlf = sqlMigration('e1', [], `CREATE SCHEMA ${app};`).replaceAll('\n', '\r\n');
    expect(checksumOf(crlf)).not.toBe(before);
    m.write('0001_a.sql', crlf);
    expect((await status({ url: db().url, migrationsDir: m.dir, schema })).checksumProblems).toEqual([]);
    m.write('0001_a.sql', sqlMigration('e1', [], `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.sneaky (id int);`));
    // Accepting the edit: stamp the current revision records the new checksum.
    const { stamp } = await import('@pg-strata/runner');
    const s = await stamp({ url: db().url, migrationsDir: m.dir, schema, revision: 'e1' });
    expect(s.checksumsRecorded).toEqual(['e1']);
    const r = await upgrade({ url: db().url, migrationsDir: m.dir, schema });
    expect(r.steps.map((x) => [x.revision, x.status])).toEqual([['e2', 'applied']]);
  });

  it('runs nothing when the last pending migration has a syntax error', async () => {
    const { schema, app } = schemaFor();
    const m = folder();
    m.write('0001_a.sql', sqlMigration('s1', [], `CREATE SCHEMA ${app};`));
    m.write('0002_b.sql', sqlMigration('s2', ['s1'], `CREATE TABLE ${app}.t (id int);`));
    m.write('0003_c.sql', sqlMigration('s3', ['s2'], `CREATE TABLE ${app}.u (id int);\nCREATE TABEL ${app}.v (id int);`));
    const err = await upgrade({ url: db().url, migrationsDir: m.dir, schema }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SQL_SYNTAX' });
    expect((err as Error).message).toContain('0003_c.sql:7:8');
    expect(await query(db().url, `SELECT to_regnamespace($1) AS s, to_regnamespace($2) AS t`, [app, schema])).toEqual([
      { s: null, t: null },
    ]);
    // An unreachable database does not hide the syntax error (an input error, reported first)...
    const unreachable = 'postgres://someone:s3cret-pw@127.0.0.1:1/nowhere';
    const offline = await upgrade({ url: unreachable, migrationsDir: m.dir, schema }).catch((e: unknown) => e);
    expect(offline).toMatchObject({ code: 'SQL_SYNTAX' });
    expect((offline as Error).message).toContain('0003_c.sql:7:8');
    // ...and once the files are fine, the connection error is what is reported, without the password.
    m.write('0003_c.sql', sqlMigration('s3', ['s2'], `CREATE TABLE ${app}.u (id int);`));
    const refused = await upgrade({ url: unreachable, migrationsDir: m.dir, schema }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'DB_CONNECTION' });
    expect((refused as Error).message).toContain('someone@127.0.0.1:1/nowhere');
    expect((refused as Error).message).not.toContain('s3cret-pw');
  });

  it('refuses data-losing statements in either direction unless allowed, listing file:line', async () => {
    const { schema, app } = schemaFor();
    const m = folder();
    m.write(
      '0001_a.sql',
      sqlMigration('d1', [], `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.t (id int, note text);`, `DROP SCHEMA ${app};`),
    );
    m.write('0002_b.sql', sqlMigration('d2', ['d1'], `CREATE TABLE ${app}.u (id int);`, `DROP TABLE ${app}.u;`));
    m.write(
      '0003_c.sql',
      sqlMigration('d3', ['d2'], `ALTER TABLE ${app}.t DROP COLUMN note;`, `ALTER TABLE ${app}.t ADD COLUMN note text;`),
    );
    const url = db().url;
    const err = await upgrade({ url, migrationsDir: m.dir, schema }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DATA_LOSS_REFUSED' });
    expect((err as Error).message).toContain('0003_c.sql:6:1:');
    expect(await query(url, `SELECT to_regnamespace($1) AS s`, [app])).toEqual([{ s: null }]);
    expect((await upgrade({ url, migrationsDir: m.dir, schema, target: 'd2' })).ok).toBe(true);
    const down = await downgrade({ url, migrationsDir: m.dir, schema }).catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'DATA_LOSS_REFUSED' });
    expect((down as Error).message).toContain(`0002_b.sql:9:1: DROP TABLE ${app}.u loses all its rows`);
    expect(await query(url, `SELECT to_regclass($1) AS t`, [`${app}.u`])).toEqual([{ t: `${app}.u` }]);
    const ok = await downgrade({ url, migrationsDir: m.dir, schema, allowDataLoss: true });
    expect(ok.ok).toBe(true);
    expect(await query(url, `SELECT to_regclass($1) AS t`, [`${app}.u`])).toEqual([{ t: null }]);
  });

  it('refuses a migration mixing transactional and non-transactional statements unless marked', async () => {
    const { schema, app } = schemaFor();
    const m = folder();
    m.write(
      '0001_a.sql',
      sqlMigration('x1', [], `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.t (id int);\nCREATE INDEX CONCURRENTLY t_id ON ${app}.t (id);`),
    );
    const err = await upgrade({ url: db().url, migrationsDir: m.dir, schema }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MIGRATION_MIXED_TRANSACTIONALITY' });
    expect((err as Error).message).toContain('0001_a.sql:8:1 CREATE INDEX');
    m.write(
      '0001_a.sql',
      sqlMigration(
        'x1',
        [],
        `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.t (id int);\nCREATE INDEX CONCURRENTLY t_id ON ${app}.t (id);`,
        '',
        '-- transactional: false',
      ),
    );
    const r = await upgrade({ url: db().url, migrationsDir: m.dir, schema });
    expect(r.ok).toBe(true);
    expect(await query(db().url, `SELECT indexname FROM pg_indexes WHERE schemaname = $1`, [app])).toEqual([{ indexname: 't_id' }]);
  });
});

describe('CREATE INDEX CONCURRENTLY', () => {
  it('runs outside a transaction; a failed build is recorded with its INVALID index, and the next up explains it', async () => {
    const { schema, app } = schemaFor();
    const m = folder();
    const url = db().url;
    m.write(
      '0001_a.sql',
      sqlMigration('c1', [], `CREATE SCHEMA ${app};\nCREATE TABLE ${app}.t (id int, k int);\nINSERT INTO ${app}.t VALUES (1, 1), (2, 1);`),
    );
    m.write(
      '0002_b.sql',
      sqlMigration('c2', ['c1'], `CREATE INDEX CONCURRENTLY t_id ON ${app}.t (id);`, `DROP INDEX CONCURRENTLY ${app}.t_id;`),
    );
    m.write(
      '0003_c.sql',
      sqlMigration('c3', ['c2'], `CREATE UNIQUE INDEX CONCURRENTLY t_k ON ${app}.t (k);`, `DROP INDEX CONCURRENTLY ${app}.t_k;`),
    );
    const r = await upgrade({ url, migrationsDir: m.dir, schema });
    expect(r.steps.map((s) => [s.revision, s.status])).toEqual([
      ['c1', 'applied'],
      ['c2', 'applied'],
      ['c3', 'failed'],
    ]);
    const err = r.steps[2]!.error!;
    expect(err.message.split('\n')[0]).toContain(
      '0003_c.sql:6:1: applying revision c3 failed: could not create unique index "t_k" (SQLSTATE 23505)',
    );
    expect(err.message).toContain(`INVALID index left behind: ${app}.t_k`);
    expect(err.meta.invalidIndexes).toEqual([`${app}.t_k`]);
    const st = await status({ url, migrationsDir: m.dir, schema });
    expect(st.current).toEqual(['c2']);
    expect(st.failed).toEqual([
      expect.objectContaining({ revision: 'c3', file: '0003_c.sql', invalidIndexes: [`${app}.t_k`], sqlstate: '23505' }),
    ]);
    const again = await upgrade({ url, migrationsDir: m.dir, schema }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'PREVIOUS_FAILURE' });
    expect((again as Error).message).toContain(`left INVALID index ${app}.t_k`);
    expect((again as Error).message).toContain(`DROP INDEX CONCURRENTLY ${app}.t_k`);
    await query(url, `DROP INDEX ${app}.t_k; UPDATE ${app}.t SET k = id`);
    const fixed = await upgrade({ url, migrationsDir: m.dir, schema });
    expect(fixed.steps.map((s) => [s.revision, s.status])).toEqual([['c3', 'applied']]);
    const valid = await query(
      url,
      `SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ` +
        `pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`,
      [app],
    );
    expect(valid).toEqual([
      { relname: 't_id', indisvalid: true },
      { relname: 't_k', indisvalid: true },
    ]);
    // Reverting runs DROP INDEX CONCURRENTLY outside a transaction too.
    const down = await downgrade({ url, migrationsDir: m.dir, schema, target: 'c1' });
    expect(down.steps.map((s) => [s.revision, s.status])).toEqual([
      ['c3', 'applied'],
      ['c2', 'applied'],
    ]);
    expect(await query(url, `SELECT indexname FROM pg_indexes WHERE schemaname = $1`, [app])).toEqual([]);
    expect((await status({ url, migrationsDir: m.dir, schema })).current).toEqual(['c1']);
  });
});
