import { quoteLiteral } from '@pg-strata/core';
import { headsChange } from './planner.js';
import { findingLine, type PreparedStep } from './prepare.js';
import type { DataLossFinding } from './types.js';
import type { RevisionGraph } from './revision-graph.js';
import { createTablesSql, refreshSummarySql, stepDml, TOOL_VERSION } from './version-table.js';
import { setLocalSql } from './step-context.js';

/** What an offline script is built from. */
export interface OfflineContext {
  graph: RevisionGraph;
  applied: ReadonlySet<string>;
  schema: string;
  lockTimeout: string;
  statementTimeout: string;
  fromHeads: string[];
  target: string;
  /** Statements that lose data, listed in the script's header. */
  dataLoss?: DataLossFinding[];
}

function terminated(text: string): string {
  const t = text.trimEnd();
  return t.endsWith(';') ? t : `${t};`;
}

/**
 * The exact script Strata would run, for `psql -f`: the same SET LOCAL
 * lines, bodies and version/history DML as the online path, one
 * transaction per migration; non-transactional migrations as separate
 * statements followed by their bookkeeping transaction. TypeScript
 * migrations are run against a recording Kysely that compiles their
 * queries instead of executing them.
 */
export async function offlineScriptFor(steps: readonly PreparedStep[], ctx: OfflineContext): Promise<string> {
  const applied = new Set(ctx.applied);
  const direction = steps[0]?.direction ?? 'up';
  const out: string[] = [
    `-- Strata ${TOOL_VERSION} offline ${direction === 'up' ? 'upgrade' : 'downgrade'} script`,
    `-- from: ${ctx.fromHeads.length > 0 ? ctx.fromHeads.join(', ') : 'base'}; target: ${ctx.target}` +
      `; ${steps.length} migration${steps.length === 1 ? '' : 's'}`,
    '-- Run with: psql -X -f <this file> "<database url>" (ON_ERROR_STOP is set below: psql stops at the first error).',
    ...(ctx.dataLoss?.length
      ? [
          `-- ${ctx.dataLoss.length} statement(s) lose data; read them before running this script:`,
          ...ctx.dataLoss.map((f) => `--   ${findingLine(f).replaceAll('\n', ' ')}`),
        ]
      : []),
    '\\set ON_ERROR_STOP on',
    '',
    createTablesSql(ctx.schema).trimEnd(),
  ];
  for (const step of steps) {
    const m = step.migration;
    const lock = m.lockTimeout ?? ctx.lockTimeout;
    const statement = m.statementTimeout ?? ctx.statementTimeout;
    const change = headsChange(ctx.graph, applied, m.revision, step.direction);
    const dml = stepDml(ctx.schema, change, {
      revision: m.revision,
      direction: step.direction,
      file: m.file,
      message: m.message,
      checksum: m.checksum,
      meta: { mode: 'offline', kind: m.kind, transactional: step.transactional },
    });
    let body: string[];
    if (step.sql) {
      body = step.transactional ? [step.sql.section.text.trimEnd(), ';'] : [...step.sql.statements].map((s) => terminated(s.text));
    } else {
      const { recordingKysely } = await import('./kysely-driver.js');
      const rec = recordingKysely(`${m.file} (revision ${m.revision})`);
      await step.ts!(rec.db);
      body = rec.statements.map(terminated);
    }
    out.push('', `-- ${m.file} (revision ${m.revision}, ${step.direction})${m.message ? `: ${m.message.replaceAll('\n', ' ')}` : ''}`);
    if (step.transactional) {
      out.push('BEGIN;', setLocalSql(lock, statement).trimEnd(), ...body, dml, 'COMMIT;');
    } else {
      out.push(
        '-- runs outside a transaction, one statement at a time',
        `SET lock_timeout = ${quoteLiteral(lock)};`,
        `SET statement_timeout = ${quoteLiteral(statement)};`,
        ...body,
        'RESET lock_timeout;',
        'RESET statement_timeout;',
        'BEGIN;',
        dml,
        'COMMIT;',
      );
    }
    if (step.direction === 'up') applied.add(m.revision);
    else applied.delete(m.revision);
  }
  if (steps.length > 0)
    out.push(
      '',
      "-- Strata's summary of the history, which later runs read instead of the whole history",
      refreshSummarySql(ctx.schema).trimEnd(),
    );
  return `${out.join('\n')}\n`;
}
