// What a command hands back. A command's action computes; it does not exit
// and does not choose between text and JSON: it returns an Outcome, and
// runCli (cli.ts) is the one place that renders it (the text form, or the
// --json envelope of docs/json.md) and turns it into the exit code.

/** An error in the --json envelope: a StrataError's code and message, plus its own fields (meta, hint, ...). */
export interface OutcomeError {
  code: string;
  message: string;
  [field: string]: unknown;
}

/** The result of one command run. */
export interface Outcome {
  /** The exit code (ExitCode in @pg-strata/core: 0 ok, 1 found, 2 usage, 3 database, 4 bug, 130/143 signals). */
  code: number;
  /** The command's result: the `result` of the --json envelope (docs/json.md gives each command's shape). */
  result?: unknown;
  /** Why the command failed, when it did (the envelope's `error`; in text mode the command's text says it). */
  error?: OutcomeError;
  /** The text form on stdout (and stderr for diagnostics); not called under --json. */
  text?: () => void;
}

/** A command's outcome under --json: the one JSON document on stdout (docs/json.md). */
export interface Envelope {
  version: 1;
  /** The verb that ran (an alias gives its verb's name), or null when the arguments name no command. */
  command: string | null;
  /** Whether the exit code is 0. */
  ok: boolean;
  result?: unknown;
  error?: OutcomeError;
}

/** A result without its own `ok` (the envelope's is the one). */
export function withoutOk<T extends { ok?: unknown }>(value: T): Omit<T, 'ok'> {
  const { ok: _ok, ...rest } = value;
  return rest;
}

/** The envelope of an outcome. */
export function envelope(command: string | null, outcome: Outcome): Envelope {
  return {
    version: 1,
    command,
    ok: outcome.code === 0,
    ...(outcome.result === undefined ? {} : { result: outcome.result }),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
  };
}
