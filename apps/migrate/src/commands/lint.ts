import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '@pg-strata/core';
import { RULES, lintMigrations, lintSql, type Finding } from '@pg-strata/lint';
import { decodeMigration } from '@pg-strata/runner';
import type { CliContext, GlobalOptions } from '../context.js';
import { countFindings, lintOptions, printFindings } from '../lint-output.js';
import { ghData, ghProp } from '../render.js';

type LintFlags = GlobalOptions & { format?: string };

/** `strata lint [files...]`: dangerous operations in migrations, with the safer way. */
export function register(program: Command, ctx: CliContext): void {
  const rules = RULES.map((r) => `  ${r.id.padEnd(36)} ${r.defaultSeverity.padEnd(8)} ${r.why}`).join('\n');
  program
    .command('lint')
    .argument('[files...]', 'migration or SQL files (default: every migration in the migrations folder)')
    .description('Find operations that are dangerous on a busy production table; exit 1 on an error-level finding.')
    .addOption(new Option('--format <format>', 'text, json, or github (workflow annotations)').choices(['text', 'json', 'github']))
    .addHelpText(
      'after',
      `
Rules (id, default severity, why); set levels in the config file, e.g. lint: { rules: { 'drop-column': 'error', 'rename-column': 'off' } }:
${rules}

Silence one statement with a comment on the line(s) just above it (a reason is required):
  -- strata-lint-ignore create-index-non-concurrently: the table has 40 rows
In the header (before -- migrate:up) it also covers the file-level rules (missing-down, no-lock-timeout).

Examples:
  $ strata lint
  $ strata lint migrations/0042_add_index.sql legacy/fix.sql
  $ strata lint --format github        in a GitHub Actions step`,
    )
    .action(
      ctx.action(async (files: string[], _opts: unknown, command: Command) => {
        const g = command.optsWithGlobals<LintFlags>();
        const r = await ctx.resolve(g);
        const format = r.json ? 'json' : (g.format ?? 'text');
        const options = lintOptions(ctx, r);
        let findings: Finding[] = [];
        let linted: string;
        if (files.length === 0) {
          findings = await lintMigrations(r.migrationsDir, options);
          linted = `${relative(ctx.io.cwd, r.migrationsDir) || '.'}/`;
        } else {
          const inDir: string[] = [];
          const loose: string[] = [];
          for (const f of files) {
            const abs = resolve(ctx.io.cwd, f);
            const rel = relative(r.migrationsDir, abs);
            (rel && !rel.startsWith('..') && !rel.includes('/') && /^\d+_.*\.(sql|ts)$/.test(rel) ? inDir : loose).push(abs);
          }
          if (inDir.length)
            findings.push(...(await lintMigrations(r.migrationsDir, { ...options, only: inDir.map((p) => relative(r.migrationsDir, p)) })));
          for (const abs of loose) {
            let bytes: Buffer;
            try {
              bytes = readFileSync(abs);
            } catch (err) {
              throw new StrataError('USAGE', `Cannot read ${relative(ctx.io.cwd, abs)}: ${(err as Error).message}`, { cause: err });
            }
            const text = decodeMigration(relative(ctx.io.cwd, abs), bytes).text;
            findings.push(...(await lintSql(text, { ...options, file: relative(ctx.io.cwd, abs) })));
          }
          linted = `${files.length} file${files.length === 1 ? '' : 's'}`;
        }
        const failed = findings.some((f) => f.severity === 'error');
        const text = () => {
          if (format === 'github') {
            for (const f of findings) {
              ctx.out(
                `::${f.severity} file=${ghProp(f.file)},line=${f.line},col=${f.column},title=${ghProp(f.rule)}::` +
                  `${ghData(`${f.message}. Hint: ${f.hint}`)}`,
              );
            }
            return;
          }
          printFindings(ctx, findings, (l) => ctx.out(l));
          ctx.out(findings.length ? `${countFindings(findings)} in ${linted}.` : `No findings in ${linted}.`);
        };
        return { code: failed ? ExitCode.FOUND : ExitCode.OK, result: { findings }, text };
      }),
    );
}
