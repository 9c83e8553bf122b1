import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '@pg-strata/core';
import { stamp } from '@pg-strata/runner';
import type { CliContext } from '../context.js';
import { runnerOptions, type RunnerFlags } from '../runner-options.js';
import { liftoffOnly } from '../wasm-tier.js';

/** `strata stamp <revision>`: record a revision as applied without running anything. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('stamp')
    .argument('[revision]', "a revision or prefix, 'head', or 'base' (none with --from-history)")
    .description('Mark the database as being at a revision without running migrations (baseline an existing database).')
    .addOption(new Option('--purge', 'clear the version table first (recover from a broken state)'))
    .addOption(
      new Option(
        '--verify',
        'first check that the database has exactly the schema the migrations build at that revision ' +
          '(shadow database); refuse with the drift otherwise',
      ),
    )
    .addOption(
      new Option(
        '--from-history <tool>',
        "take over another tool's history table (alembic, flyway, dbmate, golang-migrate, goose, " +
          'node-pg-migrate, prisma, kysely): stamp the imported revision it is at, after --verify ' +
          '(implied)',
      ),
    )
    .addOption(new Option('--history-table <name>', "with --from-history: the table, when not the tool's default name ([schema.]table)"))
    .addOption(new Option('--shadow-url <url>', 'with --verify: server for the shadow database (default: an embedded PostgreSQL)'))
    .addHelpText(
      'after',
      `
Examples:
  $ strata stamp head              an existing database already has the schema of head
  $ strata stamp 5b1f0c --verify   baseline production, after checking it matches the baseline exactly
  $ strata stamp 3f2a9c --purge    forget what was recorded and start from 3f2a9c
  $ strata stamp --from-history flyway   after strata import --from flyway: take over flyway_schema_history`,
    )
    .action(
      ctx.action(async (given: string | undefined, _opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<
          RunnerFlags & { purge?: boolean; verify?: boolean; shadowUrl?: string; fromHistory?: string; historyTable?: string }
        >();
        if (given === undefined && !g.fromHistory) throw new StrataError('USAGE', 'stamp needs a revision (or --from-history <tool>).');
        const r = await ctx.resolve(g);
        const options = runnerOptions(ctx, g, r);
        let revision = given ?? '';
        let exclude: string[] = [];
        let tookOver: string | undefined;
        if (g.fromHistory) {
          if (given !== undefined) throw new StrataError('USAGE', 'stamp --from-history takes no revision: the history table says which.');
          const { historyTarget } = await import('../import-history.js');
          const t = await historyTarget(options.url, r, g.fromHistory, g.historyTable);
          tookOver = `${t.table} says ${t.says}: the imported revision ${t.revision}.`;
          if (!r.json) ctx.note(tookOver);
          ({ revision, exclude } = t);
          g.verify = true;
        }
        let verified = false;
        if (g.verify && revision !== 'base') {
          liftoffOnly();
          const { compare, introspect, snapshotFrom } = await import('@pg-strata/auditor');
          const { driftResult, printDrift, sourceOptions, withSharedShadow } = await import('../audit-options.js');
          const db = await introspect(options.url, { strataSchema: r.schema, exclude });
          const at = await withSharedShadow(ctx, sourceOptions(ctx, g, r), db.server.major, true, (o) =>
            snapshotFrom({ kind: 'migrations', dir: r.migrationsDir, revision }, o),
          );
          const left = 'the database';
          const right = `the migrations at ${revision}`;
          const drift = compare(db, at.snapshot, { left, right, uncompared: false });
          if (drift.length > 0) {
            const message =
              `Not stamped: the database is not at ${revision}. Bring it there (or fix the migrations) and ` + `run stamp --verify again.`;
            return {
              code: ExitCode.FOUND,
              result: driftResult(drift, left, right),
              error: { code: 'SCHEMA_MISMATCH', message },
              text: () => {
                printDrift(ctx, drift, 'text', left, right);
                ctx.note(message);
              },
            };
          }
          verified = true;
        }
        const res = await stamp({ ...options, revision, purge: Boolean(g.purge) });
        const text = () => {
          if (verified) ctx.note(`Verified: the database has exactly the schema of the migrations at ${revision}.`);
          ctx.out(`Stamped: ${res.from.length ? res.from.join(', ') : 'base'} -> ${res.to.length ? res.to.join(', ') : 'base'}.`);
        };
        return { code: ExitCode.OK, result: tookOver ? { ...res, tookOver } : res, text };
      }),
    );
}
