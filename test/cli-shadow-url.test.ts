import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testServerUrl } from '@pg-strata/testkit';
import { runMigrate, sqlMigration, tempProject } from './support/cli.js';

// The shadow server comes from --shadow-url, then SHADOW_DATABASE_URL, then the
// config's shadowUrl: the order the database URL follows (flag, environment, file).
describe('where the shadow server comes from', () => {
  it('SHADOW_DATABASE_URL wins over the config file, and --shadow-url over both', async () => {
    const cwd = tempProject({ 'migrations/0001_t.sql': sqlMigration('sh0000000001', [], 'CREATE TABLE t (id int);', 'DROP TABLE t;') });
    // A config pointing at a server that is not there: used, the command would fail to connect.
    writeFileSync(join(cwd, 'migrate.config.json'), JSON.stringify({ shadowUrl: 'postgres://nobody@127.0.0.1:9/none' }));
    const viaEnv = await runMigrate(['test'], { cwd, env: { SHADOW_DATABASE_URL: testServerUrl() }, timeoutMs: 120_000 });
    expect(viaEnv.stderr).not.toContain('127.0.0.1:9');
    expect(viaEnv.code).toBe(0);
    const viaFlag = await runMigrate(['test', '--shadow-url', testServerUrl()], {
      cwd,
      env: { SHADOW_DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' },
      timeoutMs: 120_000,
    });
    expect(viaFlag.code).toBe(0);
    const viaConfig = await runMigrate(['test'], { cwd, timeoutMs: 120_000 });
    expect(viaConfig.code).toBe(3);
    expect(viaConfig.stderr).toContain('127.0.0.1:9');
  }, 300_000);
});
