// Issue 17 ("Safe by default"), the parts about options, config, history,
// the lock holder's database, where the database URL comes from, and files in
// the migrations folder that are not migrations. Each test drives the built
// CLI against a real PostgreSQL and fails on the code before the issue.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { envelope, runMigrate, sqlMigration, tempProject } from './support/cli.js';
import { query } from './support/catalogue.js';

const rev = (i: number) => `f${String(i).padStart(11, '0')}`;

/** A linear chain of n migrations creating t1..tn. */
function chain(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    files[`migrations/${String(i).padStart(4, '0')}_t${i}.sql`] = sqlMigration(
      rev(i),
      i > 1 ? [rev(i - 1)] : [],
      `CREATE TABLE t${i} (id int);`,
      `DROP TABLE t${i};`,
    );
  }
  return files;
}

/** Whether table `name` exists in the database. */
async function hasTable(url: string, name: string): Promise<boolean> {
  return (await query(url, `SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'r'`, [name])).length > 0;
}

/** The password of a URL, to check it is printed nowhere. */
const passwordOf = (url: string) => decodeURIComponent(new URL(url).password);

describe('issue 17: history, lock holder, checked options, database source, stray files', () => {
  it('history -n 3 after 15 migrations shows the 3 newest (15, 14, 13), ordered by the numeric id', async () => {
    const db = await createTestDatabase('e2e_hist_order');
    const cwd = tempProject(chain(15));
    const env = { DATABASE_URL: db.url };
    expect((await runMigrate(['up'], { cwd, env })).code).toBe(0);
    const json = await runMigrate(['history', '-n', '3', '--json'], { cwd, env });
    expect(json.code).toBe(0);
    const rows = envelope(json.stdout).result as { id: number; revision: string }[];
    expect(rows.map((r) => r.revision)).toEqual([rev(15), rev(14), rev(13)]);
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => b - a));
    const text = await runMigrate(['history', '-n', '3'], { cwd, env });
    const order = [rev(15), rev(14), rev(13)].map((r) => text.stdout.indexOf(r));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text.stdout).not.toContain(rev(9));
    await db.drop();
  });

  it('the lock holder named when the lock is busy is a session of this database, not one holding the same key elsewhere', async () => {
    const target = await createTestDatabase('e2e_holder');
    const others = await Promise.all([1, 2, 3, 4, 5].map(() => createTestDatabase('e2e_holder_other')));
    const cwd = tempProject(chain(1));
    // The runner's run-lock key of schema strata (runLockKey in packages/runner/src/run-lock.ts).
    const key = createHash('sha256').update('strata:migrate:strata').digest().readBigInt64BE(0).toString();
    const clients: pg.Client[] = [];
    const hold = async (url: string, applicationName: string) => {
      const c = new pg.Client({ connectionString: url, application_name: applicationName });
      await c.connect();
      clients.push(c);
      await c.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      return (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    };
    try {
      // Other databases' sessions hold the same key (another project's migration run)...
      for (const [i, o] of others.entries()) await hold(o.url, `elsewhere-${i}`);
      // ...and one session of the target database holds it too.
      const pid = await hold(target.url, 'the-real-holder');
      const r = await runMigrate(['up', '--lock-wait', '0'], { cwd, env: { DATABASE_URL: target.url } });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`held by pid ${pid} (application_name 'the-real-holder')`);
      expect(r.stderr).not.toContain('elsewhere-');
    } finally {
      for (const c of clients) await c.end();
      await target.drop();
      for (const o of others) await o.drop();
    }
  });

  it(
    '--lock-wait is a duration: abc and -5 are refused (exit 2, the accepted format named) before ' + 'anything runs; 30s and 0 are taken',
    async () => {
      const db = await createTestDatabase('e2e_lock_wait');
      const cwd = tempProject(chain(1));
      const env = { DATABASE_URL: db.url };
      for (const bad of ['abc', '-5', '5 parsecs', '']) {
        const r = await runMigrate(['up', '--lock-wait', bad], { cwd, env });
        expect({ bad, code: r.code }).toEqual({ bad, code: 2 });
        expect(r.stderr).toContain("option '--lock-wait <duration>' argument");
        expect(r.stderr).toContain("'500ms', '5s', '1min'");
        expect(r.stderr).toContain('a number of milliseconds');
      }
      expect(await hasTable(db.url, 't1')).toBe(false);
      const down = await runMigrate(['down', '--lock-wait', '1h2'], { cwd, env });
      expect(down.code).toBe(2);
      const ok = await runMigrate(['up', '--lock-wait', '30s'], { cwd, env });
      expect({ code: ok.code, err: ok.stderr }).toMatchObject({ code: 0 });
      expect(await hasTable(db.url, 't1')).toBe(true);
      expect((await runMigrate(['up', '--lock-wait', '0'], { cwd, env })).code).toBe(0);
      await db.drop();
    },
  );

  it('up +0 and down -0 are refused (exit 2); history -n and --concurrency need whole numbers; --lock-mode names its choices', async () => {
    const db = await createTestDatabase('e2e_targets');
    const cwd = tempProject(chain(2));
    const env = { DATABASE_URL: db.url };
    const zero = await runMigrate(['up', '+0'], { cwd, env });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("'+0' is not a step count: use +N with N a whole number of 1 or more");
    expect(await hasTable(db.url, 't1')).toBe(false);
    expect((await runMigrate(['up', '+x'], { cwd, env })).code).toBe(2);
    expect((await runMigrate(['up', '+1'], { cwd, env })).code).toBe(0);
    expect(await hasTable(db.url, 't1')).toBe(true);
    expect(await hasTable(db.url, 't2')).toBe(false);
    const downZero = await runMigrate(['down', '-0'], { cwd, env });
    expect(downZero.code).toBe(2);
    expect(await hasTable(db.url, 't1')).toBe(true);
    for (const n of ['abc', '0', '-1', '2.5']) {
      const h = await runMigrate(['history', '-n', n], { cwd, env });
      expect({ n, code: h.code }).toEqual({ n, code: 2 });
      expect(h.stderr).toContain('expected a whole number of 1 or more');
    }
    const conc = await runMigrate(['up', '--targets', 'targets.txt', '--concurrency', '0'], { cwd, env });
    expect(conc.code).toBe(2);
    expect(conc.stderr).toContain("option '--concurrency <n>' argument '0' is invalid");
    // An empty --url or --schema is refused, not replaced by DATABASE_URL or the default schema.
    const emptyUrl = await runMigrate(['status', '--url', ''], { cwd, env });
    expect(emptyUrl.code).toBe(2);
    expect(emptyUrl.stderr).toContain('The database URL is empty.');
    expect((await runMigrate(['status', '--schema', ''], { cwd, env })).code).toBe(2);
    expect((await runMigrate(['status', '--schema', 'x'.repeat(64)], { cwd, env })).code).toBe(2);
    const mode = await runMigrate(['up', '--lock-mode', 'sessions'], { cwd, env });
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/argument 'sessions' is invalid\. Allowed choices are (auto, )?session, transaction/);
    await db.drop();
  });

  it(
    'path options are checked when parsed: a missing input file or a file given as an output folder ' +
      'is a usage error (exit 2) before any connection',
    async () => {
      const cwd = tempProject({ ...chain(1), 'a-file.txt': 'x\n' });
      // Nothing listens on port 1: reaching the connection would be exit 3.
      const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
      const cases: [string[], string][] = [
        [
          ['ensure', '--mode', 'create_all', '--head-snapshot', 'nope.json'],
          "option '--head-snapshot <file>' argument 'nope.json' is invalid. nope.json does not exist.",
        ],
        [['ensure', '--mode', 'create_all', '--head-snapshot', 'migrations'], 'migrations is a folder, not a file.'],
        [['up', '--backup', 'a-file.txt'], "option '--backup <dir>' argument 'a-file.txt' is invalid. a-file.txt is a file, not a folder"],
        [['audit', '--dump', 'a-file.txt'], 'a-file.txt is a file, not a folder'],
        [['convert', 'legacy', '--production', 'nope.json'], 'nope.json does not exist.'],
      ];
      for (const [args, message] of cases) {
        const r = await runMigrate(args, { cwd, env });
        expect({ args, code: r.code }).toEqual({ args, code: 2 });
        expect(r.stderr).toContain(message);
      }
    },
  );

  it(
    'an unknown config key (migrationz) is refused with the allowed keys and a did-you-mean, exit ' +
      '2, in JSON and in defineConfig files',
    async () => {
      const cwd = tempProject(chain(1));
      mkdirSync(join(cwd, 'db'));
      writeFileSync(join(cwd, 'migrate.config.json'), JSON.stringify({ migrationz: 'db' }));
      const r = await runMigrate(['heads'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain("unknown key 'migrationz' (did you mean 'migrationsDir'?)");
      expect(r.stderr).toContain(
        'the keys allowed there are url, migrationsDir, schema, lockTimeout, statementTimeout, lockWaitMs, lockMode',
      );

      // A TypeScript config (defineConfig's shape; the type itself refuses unknown keys at compile time).
      writeFileSync(join(cwd, 'strata.config.ts'), `export default { lockTimout: '5s' as string };\n`);
      const ts = await runMigrate(['heads', '--config', 'strata.config.ts'], { cwd });
      expect(ts.code).toBe(2);
      expect(ts.stderr).toContain("unknown key 'lockTimout' (did you mean 'lockTimeout'?)");

      writeFileSync(join(cwd, 'migrate.config.json'), JSON.stringify({ ssl: { mode: 'require', cafile: 'ca.crt' } }));
      const ssl = await runMigrate(['heads'], { cwd });
      expect(ssl.code).toBe(2);
      expect(ssl.stderr).toContain("unknown key 'ssl.cafile' (did you mean 'ca'?)");
    },
  );

  it('config values are checked when the file is read: durations, numbers, enums, paths; the message says what is accepted', async () => {
    const cwd = tempProject(chain(1));
    const cases: [Record<string, unknown>, string][] = [
      [
        { lockTimeout: 'five seconds' },
        "lockTimeout: 'five seconds' is not a duration: expected a number of milliseconds (30000) or a " +
          "PostgreSQL-style duration with a unit: '500ms', '5s', '1min'",
      ],
      [{ statementTimeout: -1 }, 'statementTimeout: -1 is not a duration'],
      [{ lockWaitMs: 'soon' }, "lockWaitMs: 'soon' is not a duration"],
      [{ lockMode: 'sesion' }, "'session', 'transaction' (did you mean 'session'?)"],
      [{ migrationsDir: 42 }, 'migrationsDir must be a non-empty string; found 42'],
      [
        { url: { host: 'db', password: 'hunter22' } },
        'url must be a postgres:// URL string; found an object (not shown: it may hold a password)',
      ],
      [{ backup: { pgDump: 'pg_dump' } }, 'backup needs backup.dir'],
      [
        { lint: { rules: { 'drop-table': 'err' } } },
        "lint.rules.drop-table must be one of 'off', 'warning', 'error' (did you mean 'error'?)",
      ],
    ];
    for (const [config, message] of cases) {
      writeFileSync(join(cwd, 'migrate.config.json'), JSON.stringify(config));
      const r = await runMigrate(['heads'], { cwd });
      expect({ config, code: r.code }).toEqual({ config, code: 2 });
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain('hunter22');
    }
    writeFileSync(
      join(cwd, 'migrate.config.json'),
      JSON.stringify({ lockTimeout: 5000, statementTimeout: '1min', lockWaitMs: '2min', lockMode: 'transaction' }),
    );
    expect((await runMigrate(['heads'], { cwd })).code).toBe(0);
    // A number of milliseconds is a duration too, wherever the timeout is used.
    expect((await runMigrate(['up', '--sql', '--from', 'base'], { cwd })).stdout).toContain(
      "SET LOCAL lock_timeout = '5000';\nSET LOCAL statement_timeout = '1min';",
    );
    const lint = await runMigrate(['lint'], { cwd });
    expect({ code: lint.code, err: lint.stderr }).toEqual({ code: 0, err: '' });
  });

  it(
    'up --sql, down --sql and --dry-run use the same lock_timeout / statement_timeout as a real run ' + '(the config, else the defaults)',
    async () => {
      const db = await createTestDatabase('e2e_sql_timeouts');
      const files = chain(2);
      files['migrations/0003_own.sql'] = sqlMigration(rev(3), [rev(2)], 'CREATE TABLE t3 (id int);', 'DROP TABLE t3;', {
        lock_timeout: '2s',
      });
      const cwd = tempProject({ ...files, 'migrate.config.json': JSON.stringify({ lockTimeout: '5s', statementTimeout: '1min' }) });
      const env = { DATABASE_URL: db.url };
      const sql = await runMigrate(['up', '--sql', '--from', 'base'], { cwd });
      expect(sql.code).toBe(0);
      expect(sql.stdout.split("SET LOCAL lock_timeout = '5s';").length - 1).toBe(2);
      expect(sql.stdout.split("SET LOCAL statement_timeout = '1min';").length - 1).toBe(3);
      expect(sql.stdout).toContain("SET LOCAL lock_timeout = '2s';");
      expect(sql.stdout).not.toContain("'10s'");
      const dry = await runMigrate(['up', '--dry-run'], { cwd, env });
      expect(dry.code).toBe(0);
      expect(dry.stdout).toBe(
        [
          'Would run 3 migration(s) up:',
          `  ${rev(1)}  0001_t1.sql  (lock_timeout 5s, statement_timeout 1min)`,
          `  ${rev(2)}  0002_t2.sql  (lock_timeout 5s, statement_timeout 1min)`,
          `  ${rev(3)}  0003_own.sql  (lock_timeout 2s, statement_timeout 1min)`,
          '',
        ].join('\n'),
      );
      expect((await runMigrate(['up'], { cwd, env })).code).toBe(0);
      const downSql = await runMigrate(['down', '--sql', '--allow-data-loss'], { cwd, env });
      expect(downSql.code).toBe(0);
      expect(downSql.stdout).toContain("SET LOCAL lock_timeout = '2s';");
      expect(downSql.stdout).toContain("SET LOCAL statement_timeout = '1min';");
      // No config: the runner's defaults, in the script and in the dry run alike.
      const plain = tempProject(chain(1));
      expect((await runMigrate(['up', '--sql', '--from', 'base'], { cwd: plain })).stdout).toContain(
        "SET LOCAL lock_timeout = '10s';\nSET LOCAL statement_timeout = '0';",
      );
      const other = await createTestDatabase('e2e_dry_plain');
      expect((await runMigrate(['up', '--dry-run'], { cwd: plain, env: { DATABASE_URL: other.url } })).stdout).toContain(
        '(lock_timeout 10s, statement_timeout 0)',
      );
      await other.drop();
      await db.drop();
    },
  );

  it('ensure runs migrations with the config timeouts, as up does (it used the runner defaults)', async () => {
    const db = await createTestDatabase('e2e_ensure_timeouts');
    const cwd = tempProject({
      'migrations/0001_slow.sql': sqlMigration(rev(1), [], 'SELECT pg_sleep(2);', 'SELECT 1;'),
      'migrate.config.json': JSON.stringify({ statementTimeout: '200ms' }),
    });
    const env = { DATABASE_URL: db.url };
    for (const verb of ['ensure', 'up']) {
      const r = await runMigrate([verb], { cwd, env });
      expect({ verb, code: r.code }).toEqual({ verb, code: 3 });
      expect(r.stdout + r.stderr).toContain('canceling statement due to statement timeout');
    }
    await db.drop();
  });

  it(
    'the database comes from --url, then DATABASE_URL, then libpq PG* variables, then the config ' +
      'file; status names the source, never the password',
    async () => {
      const db = await createTestDatabase('e2e_url_source');
      const u = new URL(db.url);
      const password = passwordOf(db.url);
      const target = `${decodeURIComponent(u.username)}@${u.hostname}${u.port ? `:${u.port}` : ''}/${db.name}`;
      const cwd = tempProject(chain(1));
      const broken = `postgres://nobody:wrong-secret@127.0.0.1:1/nowhere`;
      const check = (r: { stdout: string; stderr: string }) => {
        if (password) expect(r.stdout + r.stderr).not.toContain(password);
        expect(r.stdout + r.stderr).not.toContain('wrong-secret');
      };
      writeFileSync(join(cwd, 'migrate.config.json'), JSON.stringify({ url: broken }));

      // DATABASE_URL wins over the config file's url (today the file won: exit 3).
      const env = await runMigrate(['status'], { cwd, env: { DATABASE_URL: db.url } });
      expect({ code: env.code, err: env.stderr }).toMatchObject({ code: 0 });
      expect(env.stdout).toContain(`Database: from DATABASE_URL (${target})`);
      check(env);
      const json = await runMigrate(['status', '--json'], { cwd, env: { DATABASE_URL: db.url } });
      expect(envelope(json.stdout).result.database).toEqual({ from: 'DATABASE_URL', target });
      check(json);

      // --url wins over DATABASE_URL.
      const flag = await runMigrate(['status', '--url', db.url], { cwd, env: { DATABASE_URL: broken } });
      expect(flag.code).toBe(0);
      expect(flag.stdout).toContain(`Database: from --url (${target})`);
      check(flag);

      // libpq's variables, when there is no DATABASE_URL (today: "No database given", exit 2).
      const pgEnv = Object.fromEntries(
        Object.entries({
          PGHOST: u.hostname,
          PGPORT: u.port,
          PGUSER: decodeURIComponent(u.username),
          PGPASSWORD: password,
          PGDATABASE: db.name,
        }).filter(([, v]) => v),
      );
      const libpq = await runMigrate(['up'], { cwd, env: pgEnv });
      expect({ code: libpq.code, err: libpq.stderr }).toMatchObject({ code: 0 });
      expect(await hasTable(db.url, 't1')).toBe(true);
      const libpqStatus = await runMigrate(['status'], { cwd, env: pgEnv });
      expect(libpqStatus.code).toBe(0);
      expect(libpqStatus.stdout).toContain(`Database: from libpq's environment (${Object.keys(pgEnv).join(', ')}) (${target})`);
      expect(libpqStatus.stdout).toContain('The database is at head.');
      check(libpqStatus);

      // The config file last: its url is used when nothing else gives one.
      writeFileSync(join(cwd, 'migrate.config.json'), JSON.stringify({ url: db.url }));
      const file = await runMigrate(['status'], { cwd });
      expect(file.code).toBe(0);
      expect(file.stdout).toContain(`Database: from the config file (migrate.config.json) (${target})`);
      check(file);

      // Nothing at all: a usage error that lists every source.
      const none = await runMigrate(['status'], { cwd: tempProject(chain(1)) });
      expect(none.code).toBe(2);
      expect(none.stderr).toContain(
        "No database given: pass --url, set DATABASE_URL (or libpq's PGHOST, PGPORT, PGUSER, " +
          'PGPASSWORD, PGDATABASE), or set url in the config file.',
      );
      await db.drop();
    },
  );

  it(
    'files in the migrations folder that are not migrations are named in a warning on stderr; ' +
      'README, *.md, *.d.ts, hidden and _helper files are exempt',
    async () => {
      const db = await createTestDatabase('e2e_stray');
      const cwd = tempProject({
        ...chain(2),
        'migrations/0003_t3.js': 'exports.up = () => {};\n',
        'migrations/0004_t4.mts': 'export const revision = "x";\n',
        'migrations/notes.yaml': 'a: 1\n',
        'migrations/README.md': '# Migrations\n',
        'migrations/types.d.ts': 'export {};\n',
        'migrations/_helpers.ts': 'export const x = 1;\n',
        'migrations/.gitkeep': '',
      });
      mkdirSync(join(cwd, 'migrations/0005_prisma_style'));
      const warning =
        'warning: 0003_t3.js, 0004_t4.mts, 0005_prisma_style/, notes.yaml in migrations are not ' +
        'migrations and are ignored: migrations are named NNNN_slug.sql or NNNN_slug.ts.';
      const heads = await runMigrate(['heads'], { cwd });
      expect(heads.code).toBe(0);
      expect(heads.stdout).toBe(`${rev(2)}  0002_t2.sql\n`);
      expect(heads.stderr).toContain(warning);
      const up = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
      expect(up.code).toBe(0);
      expect(up.stderr.split(warning).length - 1).toBe(1);
      for (const exempt of ['README.md', 'types.d.ts', '_helpers.ts', '.gitkeep']) expect(up.stderr).not.toContain(exempt);
      const status = await runMigrate(['status', '--json'], { cwd, env: { DATABASE_URL: db.url } });
      expect(status.stderr).toContain(warning);
      expect(envelope(status.stdout).result).toMatchObject({ atHead: true });
      // A misnamed .sql stays an error of its own (a migration that would never run), not a warning.
      writeFileSync(join(cwd, 'migrations/add_users.sql'), sqlMigration(rev(9), [rev(2)], 'SELECT 1;', 'SELECT 1;'));
      const misnamed = await runMigrate(['heads'], { cwd });
      expect(misnamed.code).toBe(2);
      expect(misnamed.stderr).toContain('add_users.sql in');
      expect(misnamed.stderr).toContain('does not look like a migration');
      await db.drop();
    },
  );
});
