import { Option, type Command } from 'commander';
import { ExitCode } from '@pg-strata/core';
import { status, type StatusResult } from '@pg-strata/runner';
import type { CliContext } from '../context.js';
import { runnerOptions, type RunnerFlags } from '../runner-options.js';

/** `strata status` (alias `current`): where the database is, what is pending, what failed. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .alias('current')
    .description('Show the current revision(s), pending and failed migrations, and edited applied files.')
    .addOption(new Option('--check', 'exit 1 when anything is pending, failed or edited (for CI and deploy gates)'))
    .addHelpText(
      'after',
      `
Examples:
  $ strata status
  $ strata status --check && echo "at head"
  $ strata status --json | jq .result.pending      (docs/json.md: every command's --json envelope)`,
    )
    .action(
      ctx.action(async (_opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<RunnerFlags & { check?: boolean }>();
        const r = await ctx.resolve(g);
        const options = runnerOptions(ctx, g, r);
        // Which of --url, DATABASE_URL, PG*, the config file was used, and the target without its password.
        const database = { from: ctx.databaseSource(g, r)!.from, target: ctx.describe(options.url) };
        const s = await status(options);
        const problems =
          s.pending.length + s.failed.length + s.checksumProblems.length + s.unknown.length + s.running.filter((x) => x.interrupted).length;
        const code = g.check && problems > 0 ? ExitCode.FOUND : ExitCode.OK;
        return { code, result: { ...s, database }, text: () => printStatus(ctx, s, database, problems) };
      }),
    );
}

function printStatus(ctx: CliContext, s: StatusResult, database: { from: string; target: string }, problems: number): void {
  ctx.out(`Database: from ${database.from} (${database.target})`);
  const base = s.initialised ? 'base (nothing applied)' : 'base (Strata has not run on this database yet)';
  ctx.out(`Current: ${s.current.length ? s.current.join(', ') : base}`);
  ctx.out(
    `Head:    ${s.heads.length ? s.heads.join(', ') : '(no migrations)'}` +
      `${s.heads.length > 1 ? '  (several heads: run `strata merge`)' : ''}`,
  );
  ctx.out(`Applied: ${s.applied.length}    Pending: ${s.pending.length}`);
  for (const p of s.pending) ctx.out(`  pending  ${p.revision}  ${p.file}`);
  for (const f of s.failed) {
    ctx.out(`  FAILED   ${f.revision}  ${f.file ?? '(file missing)'} at ${f.failedAt}: ${f.error}`);
    for (const i of f.invalidIndexes) ctx.out(`           left INVALID index ${i}: drop it (DROP INDEX CONCURRENTLY ${i}) before retrying`);
  }
  for (const x of s.running) {
    if (!x.interrupted) {
      ctx.out(
        `  RUNNING  ${x.revision}  ${x.file ?? '(file missing)'} (${x.direction}) since ${x.since}, ` +
          `server pid ${x.pid ?? '?'}: statement ` +
          `${Math.min(x.statementsDone + 1, x.statements ?? Infinity)} of ${x.statements ?? '?'}`,
      );
      continue;
    }
    ctx.out(`  INTERRUPTED  ${x.revision}  ${x.file ?? '(file missing)'} (${x.direction}) started ${x.since}; its runner is gone`);
    if (x.statements !== null)
      ctx.out(
        `           ${x.statementsDone} of ${x.statements} statement(s) completed${x.statementsInDoubt?.length ? '; may have run:' : ''}`,
      );
    for (const d of x.statementsInDoubt ?? [])
      ctx.out(`           statement ${d.index} (line ${d.line}): ${d.sql.replace(/\s+/g, ' ').trim().slice(0, 160)}`);
    if (x.next) ctx.out(`           next: ${x.next}`);
  }
  for (const c of s.checksumProblems)
    ctx.out(`  EDITED   ${c.revision}  ${c.file}: applied with checksum ${c.recorded.slice(0, 12)}, file now ${c.actual.slice(0, 12)}`);
  for (const u of s.unknown) ctx.out(`  UNKNOWN  ${u}: recorded in the database but no migration file defines it`);
  const stray = s.invalidIndexes.filter((i) => !s.failed.some((f) => f.invalidIndexes.includes(i)));
  for (const i of stray) ctx.out(`  INVALID index ${i}`);
  if (s.atHead && problems === 0) ctx.out('The database is at head.');
}
