import { StrataError } from '@pg-strata/core';
import { sqlSection, type Section } from './migration-file.js';
import { StatementList, sqlModule, type ParsedStatement } from './sql-parser.js';
import { loadTsMigration, tsStep } from './ts-migration.js';
import type { DataLossFinding, Direction, MigrationFile } from './types.js';
import type { Kysely } from 'kysely';

/** A migration step checked and ready to run. */
export interface PreparedStep {
  migration: MigrationFile;
  direction: Direction;
  /** Run inside one transaction (with its version/history rows) or one statement at a time. */
  transactional: boolean;
  /** SQL migrations: the section and its statements. */
  sql?: { section: Section; statements: StatementList };
  /** TypeScript migrations: the function to call. */
  ts?: (db: Kysely<any>) => Promise<void> | void;
  /** Data-loss findings (SQL only: TypeScript cannot be analysed statically). */
  dataLoss: { file: string; line: number; column: number; code: string; message: string; tag: string }[];
}

const isInsert = (firstWord: string): boolean => firstWord === 'insert';

/**
 * Parse and classify every step before anything executes: a syntax error,
 * a missing down section, transaction control inside a migration or a mix
 * of transactional and non-transactional statements stops the whole run.
 */
export async function prepareSteps(migrations: readonly MigrationFile[], direction: Direction): Promise<PreparedStep[]> {
  const out: PreparedStep[] = [];
  const hasSql = migrations.some((m) => m.kind === 'sql');
  const sql = hasSql ? await sqlModule() : undefined;
  for (const m of migrations) {
    if (m.kind === 'ts') {
      const mod = await loadTsMigration(m);
      const fn = tsStep(m, mod, direction);
      const compiled = await compileTs(m, fn);
      let dataLoss: PreparedStep['dataLoss'] = [];
      if (compiled) {
        const fnName = `${direction}()`;
        dataLoss = compiled.flatMap((s) =>
          s.dataLoss.map((d) => ({
            file: m.file,
            line: 0,
            column: 0,
            code: d.code,
            message: `${d.message} (compiled from ${fnName})`,
            tag: s.tag,
          })),
        );
        const nonTx = compiled.filter((s) => !s.transactional);
        if (nonTx.length > 0 && m.transactional !== false) {
          throw new StrataError(
            'MIGRATION_MIXED_TRANSACTIONALITY',
            `${m.file} (revision ${m.revision}) runs ${nonTx.map((s) => s.tag).join(', ')} in ${fnName}, ` +
              `which PostgreSQL refuses inside a transaction. Add \`export const transactional = false;\` to ` +
              `run it outside one.`,
            { meta: { file: m.file, revision: m.revision, statements: nonTx.map((s) => s.tag) } },
          );
        }
      }
      out.push({ migration: m, direction, transactional: m.transactional !== false, ts: fn, dataLoss });
      continue;
    }
    const section = sqlSection(m, direction);
    if (!section) {
      throw new StrataError(
        'MIGRATION_FILE_INVALID',
        `${m.file} (revision ${m.revision}) has no '-- migrate:down' section, so it cannot be reverted. ` +
          `Add one (it may be empty if reverting needs no SQL), or use \`strata stamp\` to move the ` +
          `version without running it.`,
        {
          meta: { file: m.file, revision: m.revision },
        },
      );
    }
    // One pass, statement by statement: the list keeps positions and kinds, not parse trees.
    const statements = new StatementList(section.text);
    const dataLoss: PreparedStep['dataLoss'] = [];
    const nonTx: ParsedStatement[] = [];
    let control: ParsedStatement | undefined;
    let nonTxCount = 0;
    // Plain INSERTs (the bulk of a data migration) are checked for syntax but need no tree: nothing in one makes a migration
    // non-transactional, loses data or controls the transaction.
    sql!.eachStatement(section.text, { file: m.file, startLine: section.line, startColumn: 1, syntaxOnly: isInsert }, (s) => {
      statements.push(s);
      if (s.transactionControl) control ??= s;
      if (!s.transactional && nonTxCount++ < 10) nonTx.push(s);
      for (const d of s.dataLoss)
        dataLoss.push({ file: m.file, line: s.range.line, column: s.range.column, code: d.code, message: d.message, tag: s.tag });
    });
    if (control) {
      throw new StrataError(
        'MIGRATION_FILE_INVALID',
        `${m.file}:${control.range.line}:${control.range.column}: ${control.tag} inside a migration. ` +
          `Strata runs each migration in its own transaction; remove the transaction control (or mark the ` +
          `migration '-- transactional: false' and let each statement commit on its own).`,
        {
          meta: { file: m.file, revision: m.revision, line: control.range.line, column: control.range.column },
        },
      );
    }
    let transactional: boolean;
    if (m.transactional === false) transactional = false;
    else if (nonTxCount === 0) transactional = true;
    else if (nonTxCount === statements.length) transactional = false;
    else {
      const list =
        nonTx.map((s) => `${m.file}:${s.range.line}:${s.range.column} ${s.tag}`).join('; ') +
        (nonTxCount > nonTx.length ? `; and ${nonTxCount - nonTx.length} more` : '');
      throw new StrataError(
        'MIGRATION_MIXED_TRANSACTIONALITY',
        `${m.file} (revision ${m.revision}) mixes statements that cannot run inside a transaction (` +
          `${list}) with ones that can. Move the non-transactional statements into a migration of their ` +
          `own, or add the header '-- transactional: false' to run every statement on its own, knowing a ` +
          `failure half-way leaves the earlier ones applied.`,
        {
          meta: {
            file: m.file,
            revision: m.revision,
            statements: nonTx.map((s) => ({ line: s.range.line, column: s.range.column, tag: s.tag })),
          },
        },
      );
    }
    out.push({ migration: m, direction, transactional, sql: { section, statements }, dataLoss });
  }
  return out;
}

/**
 * The data-losing statements of the steps, each with the acknowledgement
 * that covers it: the migration's own `data-loss` header covers its up
 * section (a reviewed drop), never its down.
 */
export function dataLossFindings(steps: readonly PreparedStep[]): DataLossFinding[] {
  return steps.flatMap((s) =>
    s.dataLoss.map((f) => ({
      file: f.file,
      revision: s.migration.revision,
      line: f.line,
      column: f.column,
      message: f.message,
      ...(s.direction === 'up' && s.migration.dataLoss !== undefined ? { acknowledged: s.migration.dataLoss } : {}),
    })),
  );
}

/** Where a finding is, for messages. */
export function findingLine(f: DataLossFinding): string {
  return (
    `${f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file}: ${f.message}` +
    `${f.acknowledged !== undefined ? ` (acknowledged by its data-loss header: ${f.acknowledged})` : ''}`
  );
}

/**
 * Refuse data-losing statements unless allowed, for the whole run
 * (`allowDataLoss`) or by their own migration (its `data-loss` header, up
 * only); the message lists each unacknowledged one with file:line.
 */
export function checkDataLoss(steps: readonly PreparedStep[], allowDataLoss: boolean): void {
  if (allowDataLoss) return;
  const findings = dataLossFindings(steps).filter((f) => f.acknowledged === undefined);
  if (findings.length === 0) return;
  const lines = findings.map((f) => `  ${findingLine(f)}`);
  const up = steps.some((s) => s.direction === 'up');
  throw new StrataError(
    'DATA_LOSS_REFUSED',
    `Refusing to run ${findings.length} statement${findings.length === 1 ? '' : 's'} that would ` +
      `lose data:\n${lines.join('\n')}\nNothing was run. Check that the data is backed up or no longer ` +
      `needed, then ` +
      `${
        up
          ? "acknowledge it in the migration itself with a '-- data-loss: <reason>' header line (export " +
            "const dataLoss = '<reason>' in a .ts migration), which covers that migration alone, or "
          : ''
      }` +
      `re-run with --allow-data-loss (allowDataLoss: true)${up ? ', which covers the whole run' : ''}.`,
    { meta: { findings } },
  );
}

/**
 * What a TypeScript migration would run, found by running it against the
 * recording Kysely (compiles, never executes) and parsing the result. It
 * lets the data-loss and transactionality checks see Kysely migrations too.
 * Best effort: a migration that reads data (the recorder refuses it) or that
 * throws when it gets no rows is simply not analysed (`null`).
 */
async function compileTs(m: MigrationFile, fn: (db: Kysely<any>) => Promise<void> | void): Promise<ParsedStatement[] | null> {
  const { recordingKysely } = await import('./kysely-driver.js');
  const rec = recordingKysely(`${m.file} (revision ${m.revision})`);
  try {
    await fn(rec.db);
  } catch {
    return null;
  }
  if (rec.statements.length === 0) return [];
  const sql = await sqlModule();
  try {
    return (await sql.parseScript(rec.statements.map((t) => `${t};`).join('\n'), { file: m.file })).statements;
  } catch {
    return null;
  }
}
