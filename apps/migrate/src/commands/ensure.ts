import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, StrataError, isStrataError } from '@pg-strata/core';
import { parseSnapshot } from '@pg-strata/auditor';
import {
  SCHEMA_MODES,
  ensureSchema,
  parseSchemaMode,
  schemaModeFrom,
  type EnsureResult,
  type EnsureSchemaOptions,
} from '@pg-strata/fallback';
import type { CliContext } from '../context.js';
import { inputFileOption } from '../checks.js';
import { ms } from '../render.js';
import { addLockOptions, runnerOptions, type RunnerFlags } from '../runner-options.js';

type EnsureFlags = RunnerFlags & { mode?: string; createAll?: string; shadowUrl?: string; headSnapshot?: string };

/** Load `createAll(db)` from a module (TypeScript or JavaScript) with jiti. */
async function loadCreateAll(ctx: CliContext, module: string): Promise<NonNullable<EnsureSchemaOptions['createAll']>> {
  const file = resolve(ctx.io.cwd, module);
  let mod: Record<string, unknown>;
  try {
    const { createJiti } = await import('jiti');
    mod = (await createJiti(import.meta.url, { interopDefault: true, moduleCache: false }).import(file)) as Record<string, unknown>;
  } catch (err) {
    throw new StrataError('MODELS_SOURCE_FAILED', `--create-all ${module}: cannot be loaded: ${(err as Error).message}`, {
      meta: { file: module },
      cause: err,
    });
  }
  const fn = mod.createAll ?? (mod.default as Record<string, unknown> | undefined)?.createAll ?? mod.default;
  if (typeof fn !== 'function')
    throw new StrataError('MODELS_SOURCE_FAILED', `--create-all ${module}: the module must export a function createAll(db).`, {
      meta: { file: module },
    });
  return fn as NonNullable<EnsureSchemaOptions['createAll']>;
}

/** `strata ensure`: the start-up shim for applications not written in TypeScript. */
export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('ensure')
    .description(
      'Start-up check: migrate to head (default), only verify, or (create_all) build an empty ' +
        'database with the legacy models and stamp head.',
    )
    .addOption(
      new Option('--mode <mode>', 'migrate, verify or create_all (default: $STRATA_SCHEMA_MODE, else migrate)').choices([
        ...SCHEMA_MODES,
        'create-all',
      ]),
    )
    .addOption(new Option('--create-all <module>', 'module exporting createAll(db: Kysely) (mode create_all)'))
    .addOption(
      new Option(
        '--head-snapshot <file>',
        'Snapshot JSON of the migrations head (mode create_all; default: computed in a shadow database)',
      ).argParser(inputFileOption(ctx.io.cwd)),
    )
    .addOption(
      new Option('--shadow-url <url>', 'server for the shadow database (default: $SHADOW_DATABASE_URL, else an embedded PostgreSQL)'),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 the database is at head (nothing done, migrated or created), 1 refused
(verify: not at head; create_all: several heads, differences, non-empty database),
2 usage, 3 database error.

Examples (entrypoint.sh):
  strata ensure && exec ./server
  STRATA_SCHEMA_MODE=verify strata ensure || exit 1
  strata ensure --mode create_all --create-all ./models.ts`,
    );
  addLockOptions(cmd).action(
    ctx.action(async (_opts: unknown, command: Command) => {
      const g = command.optsWithGlobals<EnsureFlags>();
      const r = await ctx.resolve(g);
      const mode = g.mode ? parseSchemaMode(g.mode, '--mode') : schemaModeFrom(ctx.io.env);
      const base = runnerOptions(ctx, g, r);
      const shadowUrl = ctx.shadowUrl(g.shadowUrl, r);
      const options: EnsureSchemaOptions = {
        url: base.url,
        migrationsDir: base.migrationsDir,
        schema: r.schema,
        mode,
        applicationName: 'strata-ensure',
        ...(base.logger ? { logger: base.logger } : {}),
        ...(base.lockWaitMs === undefined ? {} : { lockWaitMs: base.lockWaitMs }),
        ...(base.lockMode === undefined ? {} : { lockMode: base.lockMode }),
        // The config's timeouts, as `up` uses them.
        ...(base.lockTimeout === undefined ? {} : { lockTimeout: base.lockTimeout }),
        ...(base.statementTimeout === undefined ? {} : { statementTimeout: base.statementTimeout }),
        ...(g.createAll ? { createAll: await loadCreateAll(ctx, g.createAll) } : {}),
        // --shadow-url, then SHADOW_DATABASE_URL, then the config's, as every other command with a shadow.
        ...(shadowUrl ? { shadowUrl } : {}),
        ...(g.headSnapshot
          ? { headSnapshot: parseSnapshot(await readFile(resolve(ctx.io.cwd, g.headSnapshot), 'utf8'), g.headSnapshot) }
          : {}),
      };
      let result: EnsureResult;
      try {
        result = await ensureSchema(options);
      } catch (err) {
        const refused = isStrataError(err) ? (err.meta.result as EnsureResult | undefined) : undefined;
        if (!refused || !isStrataError(err)) throw err;
        // A refusal is a finding (exit 1), not a crash: the entrypoint stops the start.
        return {
          code: ExitCode.FOUND,
          result: refused,
          error: { code: err.code, message: err.message },
          text: () => ctx.note(ctx.paint('31', `error: ${err.message}`)),
        };
      }
      const text = () => {
        const at = result.heads.length ? result.heads.join(', ') : 'base';
        if (result.action === 'none') ctx.out(`The database is at head (${at}); nothing to do [mode ${mode}].`);
        else if (result.action === 'migrated')
          ctx.out(`${result.applied.length} migration(s) applied in ${ms(result.durationMs)}; now at ${at} [mode ${mode}].`);
        else
          ctx.out(
            `Built the empty database with createAll and stamped ${at} (${result.stamped.length} ` +
              `revision(s)) in ${ms(result.durationMs)} [mode ${mode}].`,
          );
      };
      return { code: ExitCode.OK, result, text };
    }),
  );
}
