import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@pg-strata/testkit';
import { envelope, runMigrate, sqlMigration, tempProject } from './support/cli.js';
import { query } from './support/catalogue.js';

describe('migrate config files and global options', () => {
  it('reads migrate.config.ts (migrations folder and schema of its own tables) relative to the config file', async () => {
    const db = await createTestDatabase('e2e_config');
    const cwd = tempProject();
    mkdirSync(join(cwd, 'db/migrations'), { recursive: true });
    writeFileSync(join(cwd, 'db/migrations/0001_a.sql'), sqlMigration('c00000000001', [], 'CREATE TABLE a (id int);', 'DROP TABLE a;'));
    writeFileSync(join(cwd, 'migrate.config.ts'), `export default { migrationsDir: 'db/migrations', schema: 'ops' satisfies string };\n`);
    const r = await runMigrate(['up'], { cwd, env: { DATABASE_URL: db.url } });
    expect({ code: r.code, err: r.stderr }).toMatchObject({ code: 0 });
    expect(await query(db.url, `SELECT revision FROM ops.strata_version`)).toEqual([{ revision: 'c00000000001' }]);
    const current = await runMigrate(['current', '--json'], { cwd, env: { DATABASE_URL: db.url } });
    expect(envelope(current.stdout).result).toMatchObject({ current: ['c00000000001'], atHead: true });
    await db.drop();
  });

  it('--config points at a JSON file; a broken config file is an input error (exit 2)', async () => {
    const cwd = tempProject({ 'conf.json': JSON.stringify({ migrationsDir: 'elsewhere' }), 'bad.json': '{ nope' });
    mkdirSync(join(cwd, 'elsewhere'));
    const heads = await runMigrate(['heads', '--config', 'conf.json'], { cwd });
    expect(heads.code).toBe(0);
    expect(heads.stdout).toBe('No migrations yet.\n');
    const bad = await runMigrate(['heads', '--config', 'bad.json'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.json could not be loaded');
  });

  it('--dry-run lists what would run and changes nothing', async () => {
    const db = await createTestDatabase('e2e_dry');
    const cwd = tempProject({ 'migrations/0001_a.sql': sqlMigration('d00000000001', [], 'CREATE TABLE a (id int);', 'DROP TABLE a;') });
    const r = await runMigrate(['up', '--dry-run'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Would run 1 migration(s) up:\n  d00000000001  0001_a.sql  (lock_timeout 10s, statement_timeout 0)\n');
    expect(await query(db.url, `SELECT 1 FROM pg_class WHERE relname = 'a'`)).toHaveLength(0);
    await db.drop();
  });

  it('every command has --help with examples; an unknown command is a usage error', async () => {
    for (const verb of ['init', 'new', 'up', 'down', 'status', 'history', 'heads', 'merge', 'stamp']) {
      const r = await runMigrate([verb, '--help']);
      expect({ verb, code: r.code }).toEqual({ verb, code: 0 });
      expect(r.stdout).toContain('Examples:');
    }
    const unknown = await runMigrate(['upp']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'upp'");
  });
});
