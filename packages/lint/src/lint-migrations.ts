import { relative } from 'node:path';
import { buildGraph, loadMigrations, type MigrationFile, type MigrationSet } from '@pg-strata/runner';
import { eachStatement, loadParser, type SqlStatement } from '@pg-strata/sql';
import { commentLines, directivesAbove, scanDirectives, type IgnoreDirective } from './ignore-comments.js';
import { RULES, resolveLevels } from './rules.js';
import { SchemaState } from './schema-state.js';
import { readHeader, splitSections, type Section } from './sections.js';
import { checkStatement, type SectionContext } from './statement-rules.js';
import type { Finding, LintOptions, RuleId, RuleLevel } from './types.js';

/** The parts of a migration file the linter reads (a runner `MigrationFile` has them all). */
export type LintableMigration = Pick<MigrationFile, 'revision' | 'file' | 'path' | 'kind' | 'source' | 'transactional' | 'lockTimeout'>;

const STRONG_LOCKS = new Set(['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE']);

/** `'0'`, `'0s'`, `'0ms'`, `'off'`: the runner sets no lock_timeout. */
function timeoutOff(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v === 'off' || v === 'none' || /^0+(\.0+)?\s*(us|ms|s|min|h|d)?$/.test(v);
}

/** Per-file bookkeeping shared by the section passes. */
class FileLinter {
  readonly findings: Finding[] = [];
  readonly #levels: ReadonlyMap<RuleId, RuleLevel>;
  readonly #directives: Map<number, IgnoreDirective>;
  readonly #comments: Set<number>;
  /** Directives in the header (before the first section): they apply to the file-level rules. */
  readonly #headerDirectives: IgnoreDirective[];

  constructor(
    readonly file: string,
    readonly revision: string | undefined,
    source: string,
    firstMarkerLine: number,
    levels: ReadonlyMap<RuleId, RuleLevel>,
  ) {
    this.#levels = levels;
    this.#directives = scanDirectives(source);
    this.#comments = this.#directives.size > 0 ? commentLines(source) : new Set();
    this.#headerDirectives = [...this.#directives.values()].filter((d) => d.line < firstMarkerLine);
    for (const d of this.#directives.values()) {
      const ids = [...d.rules, ...d.unknown].join(', ');
      for (const id of d.unknown) {
        this.add(
          'invalid-ignore',
          d.line,
          d.column,
          `strata-lint-ignore names an unknown rule '${id}'`,
          `Use one of the rule ids listed by \`strata lint --help\` (${RULES[0]!.id}, ...).`,
        );
      }
      if (d.rules.length === 0 && d.unknown.length === 0) {
        this.add(
          'invalid-ignore',
          d.line,
          d.column,
          'strata-lint-ignore names no rule',
          'Name the rule it silences: -- strata-lint-ignore rule-id: <reason>',
        );
      } else if (d.reason === '') {
        this.add(
          'invalid-ignore',
          d.line,
          d.column,
          `strata-lint-ignore ${ids || '(no rule)'} has no reason, so it is not applied`,
          `Say why the statement is safe after a colon: -- strata-lint-ignore ${ids || 'rule-id'}: <reason>`,
        );
      }
    }
  }

  #ignored(rule: RuleId, line: number, fileLevel: boolean): boolean {
    if (this.#directives.size === 0) return false;
    const applies = (d: IgnoreDirective) => d.reason !== '' && d.rules.includes(rule);
    if (directivesAbove(line, this.#directives, this.#comments).some(applies)) return true;
    return fileLevel && this.#headerDirectives.some(applies);
  }

  add(rule: RuleId, line: number, column: number, message: string, hint: string, fileLevel = false): void {
    const level = this.#levels.get(rule) ?? 'off';
    if (level === 'off' || (rule !== 'invalid-ignore' && this.#ignored(rule, line, fileLevel))) return;
    const f: Finding = { rule, severity: level, file: this.file, line, column, message, hint };
    if (this.revision !== undefined) f.revision = this.revision;
    this.findings.push(f);
  }
}

interface SectionResult {
  /** Statements in the section. */
  count: number;
  /** Whether one of them is DDL. */
  anyDdl: boolean;
  /** The first one taking a strong lock, and whether the section sets lock_timeout itself. */
  firstStrongLock: { line: number; column: number; tag: string; lock: string } | undefined;
  setsLockTimeout: boolean;
  created: Set<string>;
  added: Set<string>;
}

/** Statements no rule reads (see LintOptions.syntaxChecked): a plain INSERT has no finding of its own. */
const noRuleLooksAt = (firstWord: string): boolean => firstWord === 'insert';

/**
 * One pass, statement by statement (a 50 MB migration is linted in memory
 * proportional to a statement). Whether the section runs in a transaction is
 * only known at its end, and one rule depends on it: its findings wait for
 * the end.
 */
function lintSection(
  fl: FileLinter,
  section: Section | { direction: 'script'; text: string; line: number },
  header: { transactional: boolean | undefined },
  state: SchemaState,
  upCreated: SectionContext['upCreated'],
  file: string,
  syntaxChecked = false,
): SectionResult {
  let count = 0;
  let nonTx = 0;
  const waiting: { stmt: SqlStatement; message: string; hint: string }[] = [];
  const ctx: SectionContext = {
    direction: section.direction,
    // Provisional: 'no' only when the header says so; otherwise decided below.
    transaction: header.transactional === false ? 'no' : 'yes',
    forcedTransactional: header.transactional === true,
    created: new Set(),
    added: new Set(),
    ...(upCreated ? { upCreated } : {}),
    state,
    record: section.direction !== 'down',
    emit: (rule, stmt, message, hint) => {
      if (rule === 'concurrently-in-transaction' && header.transactional === undefined) waiting.push({ stmt, message, hint });
      else fl.add(rule, stmt.range.line, stmt.range.column, message, hint);
    },
  };
  const result: SectionResult = {
    count: 0,
    anyDdl: false,
    firstStrongLock: undefined,
    setsLockTimeout: false,
    created: ctx.created,
    added: ctx.added,
  };
  eachStatement(
    section.text,
    { file, startLine: section.line, startColumn: 1, ...(syntaxChecked ? { unparsed: noRuleLooksAt } : {}) },
    (s) => {
      count++;
      if (!s.transactional) nonTx++;
      checkStatement(s, ctx);
      if (s.isDdl) result.anyDdl = true;
      if (s.kind === 'VariableSetStmt' && /\block_timeout\b/i.test(s.text)) result.setsLockTimeout = true;
      if (!result.firstStrongLock && s.lock !== null && STRONG_LOCKS.has(s.lock))
        result.firstStrongLock = { line: s.range.line, column: s.range.column, tag: s.tag, lock: s.lock };
    },
  );
  result.count = count;
  // Without a header, a section of nothing but non-transactional statements runs outside a transaction.
  if (header.transactional === undefined && nonTx < count) {
    for (const w of waiting) fl.add('concurrently-in-transaction', w.stmt.range.line, w.stmt.range.column, w.message, w.hint);
  }
  return result;
}

function noLockTimeout(fl: FileLinter, section: SectionResult, m: { lockTimeout?: string | undefined }, runnerLockTimeout: string): void {
  if (m.lockTimeout !== undefined && !timeoutOff(m.lockTimeout)) return;
  if (section.setsLockTimeout) return;
  const first = section.firstStrongLock;
  if (!first) return;
  fl.add(
    'no-lock-timeout',
    first.line,
    first.column,
    `this migration sets no lock_timeout and Strata's default is switched off (lockTimeout: '` +
      `${runnerLockTimeout}'): ${first.tag} waits for its ${first.lock} lock behind any long-running ` +
      `transaction, and every query on the table queues behind it`,
    "Add '-- lock_timeout: 5s' to the header (or SET lock_timeout = '5s' at the top of the " +
      'section), and retry the migration if it times out.',
    true,
  );
}

function lintOne(
  m: LintableMigration,
  file: string,
  state: SchemaState,
  levels: ReadonlyMap<RuleId, RuleLevel>,
  lockTimeout: string,
  header: { transactional: boolean | undefined; lockTimeout?: string | undefined },
  syntaxChecked = false,
): Finding[] {
  if (m.kind === 'ts') {
    // TypeScript migrations are code: only their shape is checked here.
    const fl = new FileLinter(file, m.revision, m.source, Number.MAX_SAFE_INTEGER, levels);
    if (!/export\s+(async\s+)?function\s+down\b|export\s+(const|let)\s+down\b|export\s*\{[^}]*\bdown\b/.test(m.source)) {
      fl.add(
        'missing-down',
        1,
        1,
        `${m.file} exports no down(): it cannot be reverted`,
        'Export `async function down(db)` that undoes up().',
        true,
      );
    }
    return fl.findings;
  }
  const sections = splitSections(m.source);
  const up = sections.find((s) => s.direction === 'up');
  const down = sections.find((s) => s.direction === 'down');
  const fl = new FileLinter(file, m.revision, m.source, sections[0]?.markerLine ?? Number.MAX_SAFE_INTEGER, levels);
  if (!up) return fl.findings;
  const upResult = lintSection(fl, up, header, state, undefined, file, syntaxChecked);
  const checkTimeout = timeoutOff(lockTimeout);
  if (checkTimeout) noLockTimeout(fl, upResult, header, lockTimeout);
  if (!down) {
    fl.add(
      'missing-down',
      1,
      1,
      `${m.file} has no '-- migrate:down' section: it cannot be reverted`,
      "Add a '-- migrate:down' section that undoes the up (empty only when there is nothing to undo).",
      true,
    );
    return fl.findings;
  }
  const downResult = lintSection(fl, down, header, state, { tables: upResult.created, columns: upResult.added }, file, syntaxChecked);
  if (checkTimeout) noLockTimeout(fl, downResult, header, lockTimeout);
  if (downResult.count === 0 && upResult.anyDdl) {
    fl.add(
      'missing-down',
      down.markerLine,
      1,
      `the '-- migrate:down' section of ${m.file} is empty although the up changes the schema: reverting would change nothing`,
      'Write the statements that undo the up section.',
      true,
    );
  }
  return fl.findings;
}

function byPosition(a: Finding, b: Finding): number {
  return a.line - b.line || a.column - b.column;
}

/**
 * Lint migrations: a folder (read with the runner's `loadMigrations`), a
 * `MigrationSet`, or migration files. They are walked in graph order so that
 * what earlier migrations built (column types, validated CHECKs) is known;
 * tables created earlier in the same migration count as new. Findings come
 * in graph order, then by position. Throws `SQL_SYNTAX` on a syntax error and
 * the runner's graph errors (cycles, missing parents); unknown rule ids in
 * `options.rules` throw `CONFIG_INVALID`.
 */
export async function lintMigrations(
  input: string | MigrationSet | readonly LintableMigration[],
  options: LintOptions = {},
): Promise<Finding[]> {
  const levels = resolveLevels(options.rules);
  let ordered: readonly LintableMigration[];
  if (typeof input === 'string') ordered = buildGraph(await loadMigrations(input)).order;
  else if ('migrations' in input) ordered = buildGraph(input).order;
  else
    ordered = (input as readonly MigrationFile[]).every((m) => 'parents' in m)
      ? buildGraph({ dir: '', migrations: input as readonly MigrationFile[] }).order
      : input;
  await loadParser();
  const only = options.only ? new Set(options.only) : undefined;
  const lockTimeout = options.lockTimeout ?? '10s';
  const state = new SchemaState();
  const out: Finding[] = [];
  for (const m of ordered) {
    const file = options.cwd ? relative(options.cwd, m.path) : m.file;
    const findings = lintOne(
      m,
      file,
      state,
      levels,
      lockTimeout,
      { transactional: m.transactional, lockTimeout: m.lockTimeout },
      options.syntaxChecked === true,
    );
    if (only && !only.has(m.revision) && !only.has(m.file)) continue;
    out.push(...findings.sort(byPosition));
  }
  return out;
}

/**
 * Lint one SQL text: a migration (it has a `-- migrate:up` line; its header is
 * read for `transactional` and `lock_timeout`) or a plain script, whose
 * statements are linted as one up section. Nothing before it is known, so
 * every table it does not create counts as existing.
 */
export async function lintSql(source: string, options: LintOptions & { file: string }): Promise<Finding[]> {
  const levels = resolveLevels(options.rules);
  await loadParser();
  const text = source;
  const header = readHeader(text);
  const lockTimeout = options.lockTimeout ?? '10s';
  const state = new SchemaState();
  const name = options.file.replace(/.*[\\/]/, '');
  if (splitSections(text).length > 0) {
    const m: LintableMigration = {
      revision: header.revision ?? '',
      file: name,
      path: options.file,
      kind: 'sql',
      source: text,
      transactional: header.transactional,
      lockTimeout: header.lockTimeout,
    };
    const findings = lintOne(m, options.file, state, levels, lockTimeout, {
      transactional: header.transactional,
      lockTimeout: header.lockTimeout,
    });
    return findings
      .map((f) => {
        if (header.revision === undefined) delete f.revision;
        return f;
      })
      .sort(byPosition);
  }
  const fl = new FileLinter(options.file, undefined, text, Number.MAX_SAFE_INTEGER, levels);
  const result = lintSection(
    fl,
    { direction: 'script', text, line: 1 },
    { transactional: header.transactional },
    state,
    undefined,
    options.file,
  );
  if (timeoutOff(lockTimeout)) noLockTimeout(fl, result, header, lockTimeout);
  return fl.findings.sort(byPosition);
}
