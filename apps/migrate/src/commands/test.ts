import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, escapeRegExp } from '@pg-strata/core';
import {
  migrationFilesAddedSince,
  testMigrations,
  type MigrationTestResult,
  type ProgressEvent,
  type TestFailure,
} from '@pg-strata/migration-test';
import { buildGraph, loadMigrations } from '@pg-strata/runner';
import type { CliContext, GlobalOptions } from '../context.js';
import { ghData, ghProp, ms } from '../render.js';
import { modelsSource } from '../audit-options.js';
import { withoutOk } from '../outcome.js';

type TestFlags = GlobalOptions & { models?: string; shadowUrl?: string; since?: string; format?: string; concurrency?: string };

/** `strata test`: test the migrations themselves on shadow databases; exit 1 on a failure. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('test')
    .description(
      'Test the migrations on shadow databases: one head, up to head, head vs models, down to base, ' +
        'and the stairway (up, down, up for each).',
    )
    .addOption(
      new Option(
        '--models <source>',
        'models to compare the head with: file.sql, models.ts (createAll), cmd:<command>, snapshot.json ' +
          "(default: the config's models; none: skipped)",
      ),
    )
    .addOption(
      new Option('--shadow-url <url>', 'server for scratch shadow databases (default: $SHADOW_DATABASE_URL, else an embedded PostgreSQL)'),
    )
    .addOption(
      new Option(
        '--since <ref>',
        'stairway only for the revisions added since <ref>: a revision (those after it), or a git ' +
          'commit (those whose files were added since)',
      ),
    )
    .addOption(
      new Option(
        '--format <format>',
        'text, json (as --json: the envelope on stdout, one event per step on stderr), json-lines ' +
          '(stdout streams one JSON line per event, then the envelope on one line), or github (workflow ' +
          'annotations on the migration files)',
      ).choices(['text', 'json', 'json-lines', 'github']),
    )
    .addOption(new Option('--concurrency <n>', 'databases the stairway runs on at once (default: the CPUs, at most 4)'))
    .addHelpText(
      'after',
      `
Progress goes to stderr: on a terminal one line, rewritten (step N of M, revision, elapsed);
otherwise one line per check; with --json one JSON object per step and check (stdout has
the envelope); with --format json-lines the events are JSON lines on stdout, the envelope last.

Examples:
  $ strata test
  $ strata test --models schema.sql --shadow-url postgres://postgres@localhost:5432/postgres
  $ strata test --since origin/main --format github      in a pull request's check
  $ strata test --json | jq '.result.failures'
  $ strata test --format json-lines               one event per line, the envelope last (docs/json.md)`,
    )
    .action(
      ctx.action(async (_opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<TestFlags>();
        const r = await ctx.resolve(g);
        const format = g.format === 'json-lines' ? 'json-lines' : r.json ? 'json' : (g.format ?? 'text');
        const json = format === 'json' || format === 'json-lines';
        const models = modelsSource(g, r);
        const shadowUrl = ctx.shadowUrl(g.shadowUrl, r);
        const tty = Boolean(ctx.io.stderr.isTTY) && format === 'text';
        if (!shadowUrl && tty) ctx.note('Starting a shadow PostgreSQL server...');
        let since: { since?: string; stairwayOnly?: string[] } = {};
        if (g.since !== undefined) since = await resolveSince(r.migrationsDir, g.since);
        if (since.stairwayOnly && !json)
          ctx.note(
            `strata test --since ${g.since}: the stairway takes the ` +
              `${plural(since.stairwayOnly.length, 'revision')} whose files git shows added since.`,
          );
        const concurrency = g.concurrency === undefined ? undefined : Number(g.concurrency);
        const result = await testMigrations({
          migrationsDir: r.migrationsDir,
          ...(shadowUrl ? { shadowUrl } : {}),
          ...(models ? { models } : {}),
          ...since,
          ...(concurrency && concurrency > 0 ? { concurrency: Math.floor(concurrency) } : {}),
          cwd: ctx.io.cwd,
          env: ctx.io.env,
          schema: r.schema,
          logger: ctx.logger(json),
          onProgress: progressWriter(ctx, format === 'json-lines' ? 'json-lines' : json ? 'json' : tty ? 'tty' : 'lines'),
        });
        const text = () => {
          if (format === 'github') {
            for (const f of result.failures) ctx.out(githubAnnotation(f, r.migrationsDir, ctx.io.cwd));
            ctx.out(summary(result));
            return;
          }
          for (const c of result.checks) {
            const mark =
              c.status === 'passed' ? ctx.paint('32', 'passed ') : c.status === 'failed' ? ctx.paint('31', 'FAILED ') : 'skipped';
            ctx.out(`${mark}  ${c.name}${c.status === 'skipped' ? ` (${c.reason})` : ` (${ms(c.durationMs)})`}`);
            for (const f of result.failures.filter((x) => x.check === c.name)) {
              ctx.out(`  ${f.message.split('\n').join('\n  ')}`);
              for (const d of f.differences) ctx.out(`    - ${d}`);
            }
          }
          ctx.out(summary(result));
        };
        return { code: result.ok ? ExitCode.OK : ExitCode.FOUND, result: withoutOk(result), text };
      }),
    );
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function summary(result: MigrationTestResult): string {
  const failed = result.checks.filter((c) => c.status === 'failed').length;
  return failed
    ? `strata test: ${failed} of ${result.checks.length} checks failed (${result.migrations} migrations).`
    : `strata test: all checks passed (${result.migrations} migrations).`;
}

/** `--since`: a revision of the files (the ones after it), else a git commit (the revisions whose files were added since). */
async function resolveSince(migrationsDir: string, ref: string): Promise<{ since?: string; stairwayOnly?: string[] }> {
  const graph = buildGraph(await loadMigrations(migrationsDir));
  try {
    return { since: graph.resolve(ref).revision };
  } catch {
    // Not a revision: a git ref, or a usage error naming both.
  }
  const files = new Set(await migrationFilesAddedSince(migrationsDir, ref));
  return { stairwayOnly: graph.order.filter((m) => files.has(m.file)).map((m) => m.revision) };
}

/**
 * Progress: on stderr a rewritten line on a terminal, a line per check
 * otherwise, JSON lines with --json; with --format json-lines, JSON lines on
 * stdout, each `{"version":1,"command":"test","event":{...}}` (docs/json.md).
 */
function progressWriter(ctx: CliContext, mode: 'tty' | 'lines' | 'json' | 'json-lines'): (e: ProgressEvent) => void {
  const t0 = performance.now();
  let open = false;
  const clear = () => {
    if (open) ctx.io.stderr.write('\r\u001b[2K');
    open = false;
  };
  return (e) => {
    if (mode === 'json') {
      ctx.progress(JSON.stringify(e));
      return;
    }
    if (mode === 'json-lines') {
      ctx.io.stdout.write(`${JSON.stringify({ version: 1, command: 'test', event: e })}\n`);
      return;
    }
    if (e.type === 'step') {
      if (mode !== 'tty') return;
      const line = `stairway: step ${e.index} of ${e.total}, ${e.file} (revision ${e.revision}), ${ms(performance.now() - t0)}`;
      // Cut to the terminal's width (a wrapped line could not be rewritten); 0 columns: a terminal that does not say.
      ctx.io.stderr.write(`\r\u001b[2K${line.slice(0, Math.max(20, (ctx.io.stderr as { columns?: number }).columns || 120) - 1)}`);
      open = true;
      return;
    }
    if (e.type === 'check-started') {
      if (mode === 'tty') {
        clear();
        ctx.io.stderr.write(`${e.check}...`);
        open = true;
      }
      return;
    }
    if (e.type === 'check-finished') {
      clear();
      if (mode === 'lines')
        ctx.progress(`strata test: ${e.check} ${e.status}${e.status === 'skipped' ? ` (${e.reason})` : ` (${ms(e.durationMs)})`}`);
      return;
    }
    if (e.type === 'stairway-planned' && mode === 'lines') {
      ctx.progress(
        e.steps === 0
          ? `strata test: stairway has no revision to take (${e.skipped} left out)`
          : `strata test: stairway over ${plural(e.steps, 'revision')} on ${plural(e.workers, 'database')}` +
              `${e.skipped ? `, ${e.skipped} applied plainly` : ''}`,
      );
    }
  };
}

/** A GitHub Actions annotation on the failing migration file (the line the error names, else its down or up section). */
export function githubAnnotation(f: TestFailure, migrationsDir: string, cwd: string): string {
  const text = [f.message, ...f.differences.map((d) => `- ${d}`)].join('\n');
  const props = [`title=${ghProp(`strata test: ${f.check}`)}`];
  if (f.file) {
    props.unshift(`file=${ghProp(relative(cwd, join(migrationsDir, f.file)).split('\\').join('/'))}`, `line=${lineOf(f, migrationsDir)}`);
  }
  return `::error ${props.join(',')}::${ghData(text)}`;
}

function lineOf(f: TestFailure, migrationsDir: string): number {
  const named = new RegExp(`${escapeRegExp(f.file!)}:(\\d+):\\d+`).exec(f.message);
  if (named) return Number(named[1]);
  try {
    const lines = readFileSync(join(migrationsDir, f.file!), 'utf8').split(/\r?\n/);
    const section = /^(Reverting|Downgrading)/.test(f.message) ? 'down' : 'up';
    const i = lines.findIndex((l) => new RegExp(`^\\s*--\\s*migrate:${section}\\b`).test(l));
    return i >= 0 ? i + 1 : 1;
  } catch {
    return 1;
  }
}
