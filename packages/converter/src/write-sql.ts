// The SQL a conversion writes: the baseline from production, each statement's up text and its inverse.
import { quoteIdent } from '@pg-strata/core';
import { freshDatabaseSnapshot, plan as planDdl, renderSteps, type Snapshot, type Step } from '@pg-strata/auditor';
import { deparse, parseScriptSync } from '@pg-strata/sql';
import { isDataEffect } from './classify.js';
import { bindParams } from './data-check.js';
import type { AnalyzedStatement, Effect } from './effect-types.js';

/**
 * Production's schema as DDL: the auditor's plan from what a fresh database
 * already holds (the `public` schema) to production, each table's indexes
 * laid out under it; the down section drops it all again.
 */
export function baselineSql(production: Snapshot): { up: string; down: string } {
  const p = planDdl(freshDatabaseSnapshot(production.server.major), production);
  return { up: grouped(keepDuplicateConstraints(p.up, production)), down: renderSteps(p.down) };
}

/**
 * PostgreSQL merges identical UNIQUE / PRIMARY KEY constraints declared inside
 * one CREATE TABLE (one index backs them all), so a production that got a
 * second identical UNIQUE later, by ALTER TABLE, would lose it in a baseline
 * that declares both inline. Each such duplicate leaves the CREATE TABLE and
 * follows it as its own ALTER TABLE ... ADD CONSTRAINT, as production got it.
 */
function keepDuplicateConstraints(steps: Step[], production: Snapshot): Step[] {
  const out: Step[] = [];
  for (const st of steps) {
    const m = /^CREATE TABLE (\S+) \(/.exec(st.sql);
    const table =
      m === null
        ? undefined
        : Object.values(production.tables).find(
            (t) => (t.schema === 'public' ? quoteIdent(t.name) : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`) === m[1],
          );
    if (table === undefined) {
      out.push(st);
      continue;
    }
    const seen = new Map<string, string>();
    const later: { name: string; first: string; definition: string }[] = [];
    for (const c of Object.values(table.constraints).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (c.type !== 'unique' && c.type !== 'primary key') continue;
      const key = `${c.definition}`.replace(/^PRIMARY KEY/, 'UNIQUE');
      const first = seen.get(key);
      if (first === undefined) seen.set(key, c.name);
      else later.push({ name: c.name, first, definition: c.definition });
    }
    if (later.length === 0) {
      out.push(st);
      continue;
    }
    const moved = new Set(later.map((l) => `CONSTRAINT ${quoteIdent(l.name)} `));
    const lines = st.sql.split('\n');
    const kept = lines.filter((l) => ![...moved].some((x) => l.trimStart().startsWith(x)));
    // Commas: every element line but the last before the closing parenthesis ends with one.
    const close = kept.lastIndexOf(')');
    for (let i = 1; i < close; i++) kept[i] = kept[i]!.replace(/,$/, '') + (i < close - 1 ? ',' : '');
    out.push({ ...st, sql: kept.join('\n') });
    for (const l of later) {
      out.push({
        sql: `ALTER TABLE ${m![1]} ADD CONSTRAINT ${quoteIdent(l.name)} ${l.definition}`,
        destructive: false,
        comment: `The same as ${l.first}, added later in production: inside CREATE TABLE PostgreSQL would merge the two.`,
      });
    }
  }
  return out;
}

/** Steps rendered with each table's indexes right under it, as a person lays out a schema file. */
function grouped(steps: Step[]): string {
  const tableOf = (sql: string): string | undefined => /^CREATE TABLE (\S+) \(/.exec(sql)?.[1];
  const indexOn = (sql: string): string | undefined => /^CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?\S+ ON (?:ONLY )?(\S+) /.exec(sql)?.[1];
  const tables = new Set(steps.map((s) => tableOf(s.sql)).filter((t): t is string => t !== undefined));
  const blocks: Step[][] = [];
  const blockOf = new Map<string, Step[]>();
  for (const st of steps) {
    const t = tableOf(st.sql);
    const on = indexOn(st.sql);
    if (on !== undefined && tables.has(on) && blockOf.has(on)) {
      blockOf.get(on)!.push(st);
      continue;
    }
    const block = [st];
    blocks.push(block);
    if (t !== undefined) blockOf.set(t, block);
  }
  return blocks.map((b) => b.map((st) => renderSteps([st]).trimEnd()).join('\n')).join('\n\n') + (blocks.length > 0 ? '\n' : '');
}

function hasLimit(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasLimit);
  if (node === null || typeof node !== 'object') return false;
  return (node as Record<string, unknown>)['limitCount'] !== undefined || Object.values(node as Record<string, unknown>).some(hasLimit);
}

/**
 * The statement as a migration should run it: without the IF [NOT] EXISTS the
 * baseline made redundant; client-side parameters bound to the script's
 * constant values (one statement per row of an `executemany`); a DML batch
 * (`... LIMIT n`) repeated until it changes no row, as such scripts loop.
 */
export function upSql(st: AnalyzedStatement): string {
  if (st.params === true) {
    if (st.paramValues === undefined)
      return `-- Its parameters have no constant values in the script: fill them in.
${st.sql};`;
    const rows = st.paramValues.map((row) => {
      try {
        return deparse(bindParams(st.ast, row) as never, { pretty: st.effects.some(isDataEffect) });
      } catch {
        return null;
      }
    });
    if (rows.some((r) => r === null))
      return `-- Its parameters could not be bound: fill them in.
${st.sql};`;
    const isDml = st.effects.some(isDataEffect);
    if (isDml && rows.length === 1 && hasLimit(st.ast)) {
      return [
        '-- The script repeated this batch until it changed no row; so does this block.',
        'DO $$',
        'DECLARE changed bigint;',
        'BEGIN',
        '  LOOP',
        `    ${rows[0]!.replace(/\n/g, '\n    ')};`,
        '    GET DIAGNOSTICS changed = ROW_COUNT;',
        '    EXIT WHEN changed = 0;',
        '  END LOOP;',
        'END $$;',
      ].join('\n');
    }
    return rows.map((r) => `${r!};`).join('\n');
  }
  if (!st.effects.some((e) => e.conditional)) return `${st.sql};`;
  const ast = structuredClone(st.ast) as Record<string, Record<string, unknown>>;
  const node = Object.values(ast)[0]!;
  // The parser leaves false flags out of its trees: delete rather than set false, so trees compare.
  delete node['if_not_exists'];
  delete node['missing_ok'];
  for (const c of (node['cmds'] as { AlterTableCmd?: Record<string, unknown> }[] | undefined) ?? [])
    if (c.AlterTableCmd !== undefined) delete c.AlterTableCmd['missing_ok'];
  // Keep the author's layout: drop the clause from the text, and keep that
  // text only if it parses to exactly the guard-less tree; else deparse the tree.
  const edited = st.sql
    .replace(/^(CREATE\s+(?:UNIQUE\s+)?(?:INDEX(?:\s+CONCURRENTLY)?|TABLE|SEQUENCE|SCHEMA|EXTENSION)\s+)IF\s+NOT\s+EXISTS\s+/i, '$1')
    .replace(/\b(ADD(?:\s+COLUMN)?\s+)IF\s+NOT\s+EXISTS\s+/gi, '$1')
    .replace(/\b(DROP(?:\s+(?:COLUMN|CONSTRAINT))?\s+)IF\s+EXISTS\s+/gi, '$1')
    .replace(/^(DROP\s+(?:TABLE|INDEX(?:\s+CONCURRENTLY)?)\s+)IF\s+EXISTS\s+/i, '$1');
  try {
    const reparsed = parseScriptSync(edited).statements;
    if (reparsed.length === 1 && sameTree(reparsed[0]!.ast, ast)) return `${edited};`;
  } catch {
    // fall through to the deparsed tree
  }
  try {
    return `${deparse(ast as never, { pretty: st.kind === 'CreateStmt' })};`;
  } catch {
    return `${st.sql};`;
  }
}

function withoutLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocations);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    if (k !== 'location' && k !== 'stmt_location' && k !== 'stmt_len') out[k] = withoutLocations(v);
  return out;
}

function sameTree(a: unknown, b: unknown): boolean {
  return JSON.stringify(withoutLocations(a)) === JSON.stringify(withoutLocations(b));
}

function qt(e: Effect, name: string | undefined): string {
  // Only called for the names an effect's kind carries; an effect without one (an extension, a function) gets no quoting.
  if (name === undefined || name === '') return '';
  return e.schema === 'public' ? quoteIdent(name) : `${quoteIdent(e.schema)}.${quoteIdent(name)}`;
}

/** The SQL that undoes one effect, or a comment saying it cannot be undone. */
export function inverse(e: Effect, production: Snapshot): string {
  // A statement the parser gave no name for (an unnamed object, a name built at run time): say so rather than guess.
  const needs: Partial<Record<string, (string | undefined)[]>> = {
    create_table: [e.table],
    add_column: [e.table, e.column],
    create_index: [e.index],
    add_constraint: [e.table, e.constraint],
    rename_column: [e.table, e.from, e.to],
    rename_table: [e.from, e.to],
    rename_index: [e.from, e.to],
    set_not_null: [e.table, e.column],
    drop_not_null: [e.table, e.column],
    alter_column_type: [e.table, e.column],
    set_default: [e.table, e.column],
    drop_default: [e.table, e.column],
    set_comment: [e.table],
    grant: [e.table, e.grantee],
  };
  const names = needs[e.kind];
  if (names !== undefined && names.some((n) => n === undefined || n === ''))
    return (
      `-- ${e.kind.replace(/_/g, ' ')}${e.table ? ` on ${e.table}` : ''}: the script gives it no ` +
      `name, so it cannot be undone here; revert by hand.`
    );
  const table = qt(e, e.table);
  const col = (c: string | undefined) => (c === undefined || c === '' ? '' : quoteIdent(c));
  const prodCol = production.tables[`${e.schema}.${e.table}`]?.columns.find((c) => c.name === e.column);
  switch (e.kind) {
    case 'create_table':
      return `DROP TABLE ${table};`;
    case 'add_column':
      return `ALTER TABLE ${table} DROP COLUMN ${col(e.column)};`;
    case 'create_index':
      return `DROP INDEX ${e.concurrent ? 'CONCURRENTLY ' : ''}${qt(e, e.index)};`;
    case 'add_constraint':
      return `ALTER TABLE ${table} DROP CONSTRAINT ${col(e.constraint)};`;
    case 'rename_column':
      return `ALTER TABLE ${table} RENAME COLUMN ${col(e.to)} TO ${col(e.from)};`;
    case 'rename_table':
      return `ALTER TABLE ${qt(e, e.to)} RENAME TO ${col(e.from)};`;
    case 'rename_index':
      return `ALTER INDEX ${qt(e, e.to)} RENAME TO ${col(e.from)};`;
    case 'set_not_null':
      return `ALTER TABLE ${table} ALTER COLUMN ${col(e.column)} DROP NOT NULL;`;
    case 'drop_not_null':
      return `ALTER TABLE ${table} ALTER COLUMN ${col(e.column)} SET NOT NULL;`;
    case 'alter_column_type':
      return prodCol
        ? `ALTER TABLE ${table} ALTER COLUMN ${col(e.column)} TYPE ${prodCol.type};`
        : `-- ${table}.${e.column}: its previous type is unknown; restore it by hand.`;
    case 'set_default':
    case 'drop_default':
      return prodCol?.default
        ? `ALTER TABLE ${table} ALTER COLUMN ${col(e.column)} SET DEFAULT ${prodCol.default};`
        : `ALTER TABLE ${table} ALTER COLUMN ${col(e.column)} DROP DEFAULT;`;
    case 'set_comment': {
      const t = production.tables[`${e.schema}.${e.table}`];
      const before = e.column === undefined ? t?.comment : t?.columns.find((c) => c.name === e.column)?.comment;
      const value = before ? `'${before.replace(/'/g, "''")}'` : 'NULL';
      return e.column === undefined ? `COMMENT ON TABLE ${table} IS ${value};` : `COMMENT ON COLUMN ${table}.${col(e.column)} IS ${value};`;
    }
    case 'grant':
      return `REVOKE ${(e.privileges ?? ['ALL']).join(', ')} ON ${table} FROM ${e.grantee === 'public' ? 'PUBLIC' : col(e.grantee)};`;
    case 'create_object': {
      const what = e.objectType === 'enum' ? 'type' : e.objectType;
      if (
        e.name &&
        what !== undefined &&
        ['extension', 'view', 'materialized view', 'sequence', 'type', 'domain', 'schema'].includes(what)
      ) {
        return `DROP ${what.toUpperCase()} ${what === 'extension' || what === 'schema' ? quoteIdent(e.name) : qt(e, e.name)};`;
      }
      return `-- ${what ?? 'object'} ${e.name ?? ''}: revert by hand.`;
    }
    default:
      return isDataEffect(e)
        ? `-- ${e.kind.replace('_', ' ')} on ${e.table ?? '?'}: a data change is not reverted.`
        : `-- ${e.kind.replace(/_/g, ' ')} ${e.name ?? e.table ?? ''}: revert by hand.`.replace(/ +:/, ':');
  }
}
