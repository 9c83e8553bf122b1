import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverScripts } from './discover.js';
import { globMatcher } from './glob-match.js';

describe('globMatcher', () => {
  it.each([
    ['**/fix_*', 'fix_a.py', true],
    ['**/fix_*', 'backend/deep/fix_a.py', true],
    ['**/fix_*', 'backend/prefix_fix_a.py', false],
    ['fix_*', 'backend/fix_a.py', true],
    ['**/migrations/*.sql', 'backend/migrations/001_a.sql', true],
    ['**/migrations/*.sql', 'backend/migrations/sub/001_a.sql', false],
    ['**/migrations/*.sql', 'migrations/001_a.sql', true],
    ['**/entrypoint*.sh', 'docker/entrypoint.prod.sh', true],
    ['backend/*.{py,sh}', 'backend/x.sh', true],
    ['backend/*.{py,sh}', 'backend/x.js', false],
    ['**/archived/**', 'legacy/archived/fix_a.py', true],
    ['**/archived/**', 'legacy/archive/fix_a.py', false],
    ['scripts/[0-9]*_fix?.py', 'scripts/7_fixA.py', true],
    ['scripts/[!0-9]*.py', 'scripts/7_fix.py', false],
    ['scripts/[!0-9]*.py', 'scripts/fix.py', true],
    ['**/.env*', 'app/.env.local', true],
    ['old_*', 'old_stuff/', false],
    ['legacy/*', 'legacy/sub/', false],
    ['legacy/*', 'legacy/sub/x', false],
    ['**/archived/**', 'archived/', true],
    ['fix(1).py', 'a/fix(1).py', true],
    ['fix(1).py', 'a/fix1.py', false],
    ['!fix_*', 'fix_a.py', false],
    ['./scripts/*.sh', 'scripts/a.sh', true],
  ] as const)('%s ~ %s = %s', (glob, path, match) => {
    expect(globMatcher([glob])(path)).toBe(match);
  });
});

describe('discoverScripts', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-discover-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const files = [
    'backend/fix_users.py',
    'backend/migrate_docs.js',
    'backend/add_index.ts',
    'backend/fix_notes.txt',
    'backend/main.py',
    'backend/apply_migration.py',
    'backend/entrypoint.sh',
    'backend/migrations/001_a.sql',
    'backend/migrations/README.md',
    'backend/scripts/archived/fix_old.py',
    'node_modules/pkg/fix_x.js',
    '.git/hooks/fix_hook.sh',
    'backend/sql/fix_tags.sql',
  ];
  for (const f of files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), '-- x\n');
  }

  it('takes the default globs with script extensions, skipping archived/, node_modules and .git', async () => {
    const found = await discoverScripts(root);
    expect(found.map((f) => f.path)).toEqual([
      'backend/add_index.ts',
      'backend/apply_migration.py',
      'backend/entrypoint.sh',
      'backend/fix_users.py',
      'backend/migrate_docs.js',
      'backend/migrations/001_a.sql',
      'backend/sql/fix_tags.sql',
    ]);
    expect(found.every((f) => f.reason === 'glob' && f.absolutePath === join(root, f.path))).toBe(true);
  });

  it('adds explicit files and honours include/exclude', async () => {
    const found = await discoverScripts(root, {
      include: ['**/migrations/*.sql', '**/fix_*'],
      exclude: ['backend/sql/**'],
      files: ['backend/main.py'],
    });
    expect(found.map((f) => [f.path, f.reason])).toEqual([
      ['backend/fix_users.py', 'glob'],
      ['backend/main.py', 'explicit'],
      ['backend/migrations/001_a.sql', 'glob'],
    ]);
  });

  it('refuses an explicit file that does not exist, naming it', async () => {
    await expect(discoverScripts(root, { files: ['backend/nope.py'] })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('backend/nope.py does not exist'),
    });
  });
});
