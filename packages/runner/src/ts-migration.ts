import { fileURLToPath } from 'node:url';
import { StrataError } from '@pg-strata/core';
import type { Kysely } from 'kysely';
import type { Direction, MigrationFile } from './types.js';

/** What a TypeScript migration module exports. */
export interface TsMigrationModule {
  up(db: Kysely<any>): Promise<void> | void;
  down?(db: Kysely<any>): Promise<void> | void;
}

let jitiInstance: Promise<{ import(id: string): Promise<unknown> }> | undefined;

function kyselyEntry(): string | undefined {
  try {
    return fileURLToPath(import.meta.resolve('kysely'));
  } catch {
    return undefined;
  }
}

/**
 * Load a `.ts` migration with jiti (loaded on first use). `kysely` is aliased
 * to the runner's own copy, so `import { sql } from 'kysely'` works in a
 * migrations folder that has no node_modules, and the `sql` template and the
 * `Kysely` instance the migration receives come from the same package.
 */
export async function loadTsMigration(migration: MigrationFile): Promise<TsMigrationModule> {
  jitiInstance ??= (async () => {
    const { createJiti } = await import('jiti');
    const entry = kyselyEntry();
    // No kysely file to point at (the single executable, where the runner's
    // kysely is compiled in): the migrations get that module object itself.
    const kysely = entry ? { alias: { kysely: entry } } : { virtualModules: { kysely: await import('kysely') } };
    return createJiti(import.meta.url, { interopDefault: true, moduleCache: false, fsCache: false, ...kysely });
  })();
  const jiti = await jitiInstance;
  let mod: Record<string, unknown>;
  try {
    mod = (await jiti.import(migration.path)) as Record<string, unknown>;
  } catch (err) {
    throw new StrataError('MIGRATION_FILE_INVALID', `${migration.file}: cannot be loaded: ${(err as Error).message}`, {
      meta: { file: migration.file, revision: migration.revision },
      cause: err,
    });
  }
  const source = (typeof mod.up === 'function' ? mod : (mod.default as Record<string, unknown> | undefined)) ?? {};
  if (typeof source.up !== 'function') {
    throw new StrataError('MIGRATION_FILE_INVALID', `${migration.file}: a TypeScript migration must export an up(db) function.`, {
      meta: { file: migration.file, revision: migration.revision },
    });
  }
  return source as unknown as TsMigrationModule;
}

/** The function of a direction, or a clear error when `down` is missing. */
export function tsStep(migration: MigrationFile, mod: TsMigrationModule, direction: Direction): (db: Kysely<any>) => Promise<void> | void {
  const fn = direction === 'up' ? mod.up : mod.down;
  if (typeof fn !== 'function') {
    throw new StrataError(
      'MIGRATION_FILE_INVALID',
      `${migration.file} (revision ${migration.revision}) exports no down(db) function, so it cannot ` +
        `be reverted. Add one, or use \`strata stamp\` to move the version without running it.`,
      {
        meta: { file: migration.file, revision: migration.revision },
      },
    );
  }
  return fn.bind(mod);
}
