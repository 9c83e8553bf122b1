import { Command, CommanderError, Option } from 'commander';
import { ExitCode, exitCodeFor, isStrataError, redactUrls } from '@strata/core';
import { CliContext, type CliIo } from './context.js';
import { commands } from './commands/index.js';

export const VERSION = '0.1.0';

/** Build the commander program; every command registers itself from commands/. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('migrate')
    .description('Versioned, reversible, audited PostgreSQL migrations.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('--url <url>', 'database URL (default: $DATABASE_URL)'))
    .addOption(new Option('-c, --config <file>', 'config file (default: ./migrate.config.{ts,json})'))
    .addOption(new Option('--migrations <dir>', 'migrations folder (default: ./migrations)'))
    .addOption(new Option('--schema <name>', "schema of Strata's own tables (default: strata)"))
    .addOption(new Option('--json', 'machine-readable output on stdout'))
    .addOption(new Option('--dry-run', 'show what would happen, change nothing'))
    .addOption(new Option('--allow-data-loss', 'permit statements that lose data (DROP TABLE/COLUMN, TRUNCATE, ...)'))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .exitOverride();
  for (const register of commands) register(program, ctx);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/** Run the CLI with `argv` (without node and script) and return the exit code; never exits. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io);
  const program = buildProgram(ctx);
  let code: number = ExitCode.OK;
  program.hook('postAction', (_this, action) => {
    const c = (action as Command & { exitCodeResult?: number }).exitCodeResult;
    if (typeof c === 'number') code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.OK;
      return ExitCode.INPUT;
    }
    const json = argv.includes('--json');
    const message = redactUrls(err instanceof Error ? err.message : String(err));
    if (json) {
      ctx.outJson({ ok: false, error: isStrataError(err) ? { ...err.toJSON(), message } : { code: 'INTERNAL', message } });
    } else {
      ctx.note(ctx.paint('31', `error: ${message}`));
      if (!isStrataError(err) && io.env.STRATA_DEBUG && err instanceof Error && err.stack) ctx.note(redactUrls(err.stack));
    }
    return exitCodeFor(err);
  }
}

/** Helper for command actions: store the exit code the action wants. */
export function setExitCode(command: Command, code: number): void {
  (command as Command & { exitCodeResult?: number }).exitCodeResult = code;
}
