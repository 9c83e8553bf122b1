import type { Snapshot, TableDef } from '@pg-strata/auditor';
import type { AnalyzedStatement, Effect, ScriptAnalysis, ScriptProblem, StatementGuard } from './effect-types.js';
import { type DataFixCheck, type JudgedEffect, type Presence, type ReasonCode, type ScriptClassification } from './classify-types.js';
export * from './classify-types.js';

function rowsText(checks: readonly DataFixCheck[]): string {
  const counted = checks.filter((c) => c.pending === true && c.rows !== undefined);
  if (counted.length === 0) return 'rows';
  const n = counted.reduce((a, c) => a + c.rows!, 0);
  return `${n} row${n === 1 ? '' : 's'}`;
}

/** Later changes to objects, in the assumed run order: who drops or renames what. */
export class Timeline {
  readonly #changes = new Map<string, { seq: number; effect: Effect; path: string }[]>();

  /** Record an effect at sequence number `seq` (ascending with the run order). */
  add(seq: number, effect: Effect, path: string): void {
    const keys: string[] = [];
    switch (effect.kind) {
      case 'drop_table':
      case 'rename_table':
        keys.push(`t:${effect.schema}.${effect.table}`);
        break;
      case 'drop_column':
      case 'rename_column':
        keys.push(`c:${effect.schema}.${effect.table}.${effect.kind === 'rename_column' ? effect.from : effect.column}`);
        break;
      case 'drop_index':
      case 'rename_index':
        keys.push(`i:${effect.schema}.${effect.index}`);
        break;
      case 'drop_constraint':
        keys.push(`k:${effect.schema}.${effect.table}.${effect.constraint}`);
        break;
      default:
        return;
    }
    for (const k of keys) {
      const list = this.#changes.get(k) ?? [];
      list.push({ seq, effect, path });
      this.#changes.set(k, list);
    }
  }

  /** The first change to `key` after `seq`. */
  after(key: string, seq: number): { seq: number; effect: Effect; path: string } | undefined {
    return this.#changes.get(key)?.find((c) => c.seq > seq);
  }
}

function tableOf(s: Snapshot, schema: string, table: string): TableDef | undefined {
  return s.tables[`${schema}.${table}`];
}

const EXISTENCE_GUARDS = new Set<StatementGuard['kind']>(['column_exists', 'table_exists', 'index_exists', 'constraint_exists']);

/** `not column_exists(users, role)`, as a person reads it. */
function guardText(g: StatementGuard): string {
  return `${g.negated ? 'not ' : ''}${g.kind}(${g.args.join(', ')})`;
}

/**
 * Whether an existence guard (a script helper's, a column list's) lets the
 * statement run on production: undefined when it cannot tell (not an
 * existence check, names missing, or an earlier statement of the same script
 * changes the object it asks about, so production is not what the check sees).
 */
function guardRunsOn(s: Snapshot, g: StatementGuard, earlier: readonly AnalyzedStatement[]): boolean | undefined {
  if (!EXISTENCE_GUARDS.has(g.kind) || g.args.length === 0) return undefined;
  const [first, second] = g.args as [string, string | undefined];
  const named = (e: Effect, n: string) => e.from === n || e.to === n;
  // a statement under the opposite check is the other branch of the same if: never both
  const otherBranch = (st: AnalyzedStatement) =>
    st.guards.some((h) => h.kind === g.kind && h.negated !== g.negated && h.args.join('\0') === g.args.join('\0'));
  const touched = earlier.some(
    (st) =>
      !otherBranch(st) &&
      st.effects.some((e) => {
        if (g.kind === 'index_exists') return e.index === first || (e.kind === 'rename_index' && named(e, first));
        if (/_table$/.test(e.kind) && (e.table === first || named(e, first))) return true;
        if (g.kind === 'column_exists')
          return e.table === first && (e.column === second || (e.kind === 'rename_column' && named(e, second ?? '')));
        if (g.kind === 'constraint_exists') return e.constraint === (second ?? first);
        return false;
      }),
  );
  if (touched) return undefined;
  let exists: boolean;
  switch (g.kind) {
    case 'table_exists':
      exists = tableOf(s, 'public', first) !== undefined;
      break;
    case 'column_exists':
      if (second === undefined) return undefined;
      exists = tableOf(s, 'public', first)?.columns.some((c) => c.name === second) ?? false;
      break;
    case 'index_exists':
      exists = Object.values(s.indexes).some((i) => i.name === first);
      break;
    default: {
      const name = second ?? first;
      exists = Object.values(s.tables).some((t) => (second === undefined || t.name === first) && Object.keys(t.constraints).includes(name));
    }
  }
  return g.negated ? !exists : exists;
}

/** Where `effect` stands in `s`. */
export function presenceIn(s: Snapshot, e: Effect): { presence: Presence; detail?: string } {
  const t = e.table === undefined ? undefined : tableOf(s, e.schema, e.table);
  const col = (name: string | undefined) => t?.columns.find((c) => c.name === name);
  switch (e.kind) {
    case 'create_table':
      return { presence: t !== undefined ? 'present' : 'absent' };
    case 'drop_table':
      return { presence: t === undefined ? 'present' : 'absent' };
    case 'rename_table': {
      const from = tableOf(s, e.schema, e.from ?? '');
      const to = tableOf(s, e.schema, e.to ?? '');
      if (to !== undefined && from === undefined) return { presence: 'present' };
      if (from !== undefined && to === undefined) return { presence: 'absent' };
      return { presence: 'conflict', detail: `${from && to ? 'both' : 'neither'} ${e.from} and ${e.to} exist` };
    }
    case 'add_column': {
      const c = col(e.column);
      if (c === undefined) return { presence: 'absent' };
      if (e.type !== undefined && c.type !== e.type)
        return { presence: 'conflict', detail: `${e.table}.${e.column} is ${c.type}, the script adds ${e.type}` };
      return { presence: 'present' };
    }
    case 'drop_column':
      return { presence: col(e.column) === undefined ? 'present' : 'absent' };
    case 'rename_column': {
      const from = col(e.from);
      const to = col(e.to);
      if (to !== undefined && from === undefined) return { presence: 'present' };
      if (from !== undefined && to === undefined) return { presence: 'absent' };
      return { presence: 'conflict', detail: `${e.table}: ${from && to ? 'both' : 'neither'} ${e.from} and ${e.to} exist` };
    }
    case 'alter_column_type': {
      const c = col(e.column);
      if (c === undefined) return { presence: 'conflict', detail: `${e.table}.${e.column} does not exist` };
      return {
        presence: c.type === e.type ? 'present' : 'absent',
        ...(c.type === e.type ? {} : { detail: `${e.table}.${e.column} is ${c.type}` }),
      };
    }
    case 'set_not_null':
    case 'drop_not_null': {
      const c = col(e.column);
      if (c === undefined) return { presence: 'conflict', detail: `${e.table}.${e.column} does not exist` };
      return { presence: c.notNull === (e.kind === 'set_not_null') ? 'present' : 'absent' };
    }
    case 'set_default':
    case 'drop_default': {
      const c = col(e.column);
      if (c === undefined) return { presence: 'conflict', detail: `${e.table}.${e.column} does not exist` };
      return { presence: (c.default !== null) === (e.kind === 'set_default') ? 'present' : 'absent' };
    }
    case 'create_index': {
      const ix = s.indexes[`${e.schema}.${e.index}`];
      if (ix !== undefined)
        return ix.table === `${e.schema}.${e.table}`
          ? { presence: 'present' }
          : { presence: 'conflict', detail: `index ${e.index} is on ${ix.table}` };
      if (t?.constraints[e.index ?? ''] !== undefined) return { presence: 'present', detail: `${e.index} backs a constraint` };
      return { presence: 'absent' };
    }
    case 'drop_index':
      return { presence: s.indexes[`${e.schema}.${e.index}`] === undefined ? 'present' : 'absent' };
    case 'rename_index': {
      const from = s.indexes[`${e.schema}.${e.from}`];
      const to = s.indexes[`${e.schema}.${e.to}`];
      if (to !== undefined && from === undefined) return { presence: 'present' };
      if (from !== undefined && to === undefined) return { presence: 'absent' };
      return { presence: 'conflict', detail: `${from && to ? 'both' : 'neither'} ${e.from} and ${e.to} exist` };
    }
    case 'add_constraint': {
      if (t === undefined) return { presence: 'absent' };
      const named = t.constraints[e.constraint ?? ''];
      if (named !== undefined) {
        if (e.constraintType !== undefined && named.type !== e.constraintType)
          return { presence: 'conflict', detail: `constraint ${e.constraint} is a ${named.type}` };
        return { presence: 'present' };
      }
      // An unnamed constraint may carry another name in the database: match its kind and columns.
      if (e.derivedName === true) {
        const same = Object.values(t.constraints).find(
          (c) => c.type === e.constraintType && c.columns.join(',') === (e.keyColumns ?? []).join(','),
        );
        if (same !== undefined) return { presence: 'present', detail: `as ${same.name}` };
      }
      return { presence: 'absent' };
    }
    case 'drop_constraint':
      return { presence: t?.constraints[e.constraint ?? ''] === undefined ? 'present' : 'absent' };
    case 'set_comment': {
      if (t === undefined) return { presence: 'absent' };
      const now = e.column === undefined ? t.comment : col(e.column)?.comment;
      if (e.column !== undefined && col(e.column) === undefined) return { presence: 'absent' };
      return (now ?? null) === (e.comment ?? null)
        ? { presence: 'present' }
        : { presence: 'absent', ...(now ? { detail: `its comment is now '${now}'` } : {}) };
    }
    case 'grant': {
      const held = s.privileges[`table:${e.schema}.${e.table}:${e.grantee}`]?.privileges ?? [];
      const all = ['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'];
      const wanted = (e.privileges ?? []).flatMap((p) => (p === 'ALL' ? all : [p]));
      return { presence: wanted.every((p) => held.includes(p)) ? 'present' : 'absent' };
    }
    case 'create_object':
    case 'drop_object': {
      const found = objectExists(s, e);
      if (found === undefined) return { presence: 'conflict', detail: `a ${e.objectType} is not something a Snapshot records` };
      return { presence: found === (e.kind === 'create_object') ? 'present' : 'absent' };
    }
    default:
      return { presence: 'n/a' };
  }
}

function objectExists(s: Snapshot, e: Effect): boolean | undefined {
  const key = `${e.schema}.${e.name}`;
  switch (e.objectType) {
    case 'extension':
      return s.extensions[e.name ?? ''] !== undefined || Object.values(s.extensions).some((x) => x.name === e.name);
    case 'view':
      return s.views[key] !== undefined;
    case 'materialized view':
      return s.materializedViews[key] !== undefined;
    case 'sequence':
      return s.sequences[key] !== undefined;
    case 'enum':
    case 'type':
      return s.enums[key] !== undefined || s.compositeTypes[key] !== undefined || s.domains[key] !== undefined;
    case 'domain':
      return s.domains[key] !== undefined;
    case 'function':
    case 'procedure':
      return Object.values(s.functions).some((f) => f.schema === e.schema && f.name === e.name);
    case 'trigger':
      return s.triggers[`${e.schema}.${e.table}.${e.name}`] !== undefined;
    default:
      return undefined;
  }
}

const DML = new Set(['insert_rows', 'update_rows', 'delete_rows']);
const DESTRUCTIVE = new Set(['drop_table', 'drop_column', 'truncate']);

/** Is this effect a change of rows rather than of the schema? */
export function isDataEffect(e: Effect): boolean {
  return DML.has(e.kind);
}

const CREATES = new Set(['create_table', 'add_column', 'create_index', 'add_constraint', 'rename_column', 'rename_table', 'rename_index']);

/** Follow later renames of the effect's table, column or index, so it is judged under today's names; a later drop supersedes it. */
function forward(e: Effect, seq: number, timeline: Timeline): { effect: Effect; supersededBy?: string; detail?: string } {
  let cur = e;
  let at = seq;
  let detail: string | undefined;
  for (let hops = 0; hops < 50 && CREATES.has(cur.kind); hops++) {
    const colName = cur.kind === 'rename_column' ? cur.to : cur.column;
    const tableName = cur.kind === 'rename_table' ? cur.to : cur.table;
    const idxName = cur.kind === 'rename_index' ? cur.to : cur.index;
    const candidates = [
      tableName === undefined ? undefined : timeline.after(`t:${cur.schema}.${tableName}`, at),
      colName === undefined ? undefined : timeline.after(`c:${cur.schema}.${tableName}.${colName}`, at),
      idxName === undefined || !/index/.test(cur.kind) ? undefined : timeline.after(`i:${cur.schema}.${idxName}`, at),
    ].filter((c): c is { seq: number; effect: Effect; path: string } => c !== undefined);
    const next = candidates.sort((a, b) => a.seq - b.seq)[0];
    if (next === undefined) break;
    const n = next.effect;
    if (n.kind === 'drop_table' || n.kind === 'drop_column' || n.kind === 'drop_index')
      return { effect: cur, supersededBy: next.path, detail: `dropped later by ${next.path}` };
    if (n.kind === 'rename_table') cur = cur.kind === 'rename_table' ? { ...cur, to: n.to! } : { ...cur, table: n.to! };
    else if (n.kind === 'rename_column') cur = cur.kind === 'rename_column' ? { ...cur, to: n.to! } : { ...cur, column: n.to! };
    else if (n.kind === 'rename_index') cur = cur.kind === 'rename_index' ? { ...cur, to: n.to! } : { ...cur, index: n.to! };
    else break;
    detail = `renamed later by ${next.path}`;
    at = next.seq;
  }
  return detail === undefined ? { effect: cur } : { effect: cur, detail };
}

function ownTimeline(analysis: ScriptAnalysis): Timeline {
  const t = new Timeline();
  analysis.statements.forEach((s, i) => s.effects.forEach((e) => t.add(i, e, analysis.path)));
  return t;
}

/**
 * The line of a later CREATE TABLE of the same table in the same script, when
 * production's table has exactly the columns (names, types, NOT NULL) it creates.
 */
function recreatedAsInProduction(analysis: ScriptAnalysis, after: number, drop: Effect, production: Snapshot): number | undefined {
  const t = tableOf(production, drop.schema, drop.table ?? '');
  if (t === undefined) return undefined;
  for (const st of analysis.statements.slice(after + 1)) {
    const create = st.effects.find((x) => x.kind === 'create_table' && x.schema === drop.schema && x.table === drop.table);
    if (create === undefined) continue;
    const cols = (create.columns ?? []) as readonly { name: string; type: string; notNull: boolean }[];
    const same =
      cols.length === t.columns.length &&
      cols.every((c) => {
        const pc = t.columns.find((x) => x.name === c.name);
        return pc !== undefined && pc.type === c.type && (pc.notNull === c.notNull || pc.notNull);
      });
    return same ? st.line : undefined;
  }
  return undefined;
}

/** Inputs of {@link classifyScript}. */
export interface ClassifyInput {
  readonly analysis: ScriptAnalysis;
  readonly production: Snapshot;
  /** The models' schema; without it, whatever production lacks is assumed wanted (and the reason says so). */
  readonly models?: Snapshot;
  /** Sequence number of each statement's effects in the run order (index = statement index). */
  readonly seq?: readonly number[];
  /** Later drops and renames of the whole estate. */
  readonly timeline?: Timeline;
  /** Checks of its DML against production's rows, when a connection was given. */
  readonly dataChecks?: readonly DataFixCheck[];
  /** Extra problems found by the caller (an include that cannot be found). */
  readonly extraProblems?: readonly ScriptProblem[];
}

function describe(e: Effect): string {
  switch (e.kind) {
    case 'create_table':
      return `table ${e.table}`;
    case 'add_column':
      return `${e.table}.${e.column} ${e.type ?? ''}`.trim();
    case 'create_index':
      return `index ${e.index}`;
    case 'add_constraint':
      return `constraint ${e.constraint}`;
    case 'rename_column':
      return `${e.table}.${e.from} renamed to ${e.to}`;
    case 'rename_table':
      return `table ${e.from} renamed to ${e.to}`;
    case 'drop_column':
      return `DROP COLUMN ${e.table}.${e.column}`;
    case 'drop_table':
      return `DROP TABLE ${e.table}`;
    case 'drop_index':
      return `DROP INDEX ${e.index}`;
    case 'alter_column_type':
      return `${e.table}.${e.column} as ${e.type}`;
    case 'create_object':
      return `${e.objectType} ${e.name}`;
    default:
      return `${e.kind.replace(/_/g, ' ')} ${[e.table, e.column ?? e.constraint ?? e.name].filter(Boolean).join('.')}`.trim();
  }
}

/**
 * Classify one analysed script against production and the models. Never
 * guesses: dynamic SQL, syntax errors, conflicting or destructive effects,
 * statements it does not model and effects the models do not want all give
 * `manual_review`, with every reason found.
 */
export function classifyScript(input: ClassifyInput): ScriptClassification {
  const { analysis, production, models } = input;
  const timeline = input.timeline ?? ownTimeline(analysis);
  // Objects this script itself creates before renaming them: such a rename is not a conflict.
  const createdHere = new Set<string>();
  const problems = [...analysis.problems, ...(input.extraProblems ?? [])];
  const manual = new Set<ReasonCode>();
  const sentences: string[] = [];
  for (const p of problems) {
    if (p.kind === 'syntax_error') {
      manual.add('syntax_error');
      sentences.push(`${analysis.path}:${p.line}:${p.column}: ${p.message}${p.exact === false ? ' (position of the SQL literal)' : ''}.`);
    } else if (p.kind === 'dynamic_sql') {
      manual.add('dynamic_sql');
      sentences.push(`line ${p.line}: SQL built at run time: ${p.message}.`);
    } else if (p.kind === 'include') {
      manual.add('include_missing');
      sentences.push(`line ${p.line}: ${p.message}.`);
    } else {
      manual.add('unsupported');
      sentences.push(`line ${p.line}: ${p.message}.`);
    }
  }
  const judged: JudgedEffect[] = [];
  /** Statements whose guard is false on production: they change nothing there. */
  const blocked = new Set<number>();
  for (const [si, st] of analysis.statements.entries()) {
    // Only what would run against production may become a migration: an existence
    // guard that is false there means the statement never runs on it.
    const earlier = analysis.statements.slice(0, si).filter((_, i) => !blocked.has(i));
    const evaluated = st.guards.map((g) => guardRunsOn(production, g, earlier));
    const blocking = st.guards.find((_, i) => evaluated[i] === false);
    if (blocking !== undefined) blocked.add(si);
    for (const e of st.effects) {
      if (blocking !== undefined && isDataEffect(e)) continue;
      if (isDataEffect(e)) {
        judged.push({ effect: e, statement: si, production: 'n/a', models: 'n/a' });
        continue;
      }
      if (e.kind === 'other') {
        manual.add('unsupported');
        sentences.push(
          `line ${st.line}: ${st.tag} (${e.objectType ?? e.kind}) is not something the conversion can check against a Snapshot.`,
        );
        judged.push({ effect: e, statement: si, production: 'n/a', models: 'n/a' });
        continue;
      }
      if (e.kind === 'add_column') createdHere.add(`c:${e.schema}.${e.table}.${e.column}`);
      if (e.kind === 'create_table') createdHere.add(`t:${e.schema}.${e.table}`);
      const fwd = forward(e, input.seq?.[si] ?? si, timeline);
      if (fwd.supersededBy !== undefined) {
        judged.push({
          effect: e,
          statement: si,
          production: 'present',
          models: 'present',
          detail: fwd.detail!,
          supersededBy: fwd.supersededBy,
        });
        continue;
      }
      let p = presenceIn(production, fwd.effect);
      // DROP TABLE IF EXISTS x; CREATE TABLE x (...): idempotent when production already has the result.
      if (e.kind === 'drop_table' && p.presence === 'absent') {
        const recreated = recreatedAsInProduction(analysis, si, e, production);
        if (recreated)
          p = {
            presence: 'present',
            detail: `dropped and created again by line ${recreated}; production already has the table as created there`,
          };
      }
      const renamesOwn =
        (e.kind === 'rename_column' && createdHere.has(`c:${e.schema}.${e.table}.${e.from}`)) ||
        (e.kind === 'rename_table' && createdHere.has(`t:${e.schema}.${e.from}`));
      if (p.presence === 'conflict' && renamesOwn) p = { presence: 'absent' };
      // ADD COLUMN IF NOT EXISTS (or behind a recognised column check) with another
      // type than production's never runs there: a note, not a conflict.
      if (
        p.presence === 'conflict' &&
        e.kind === 'add_column' &&
        (e.conditional === true || st.guards.some((g) => g.recognised && (g.kind === 'column_exists' || g.kind === 'exception')))
      ) {
        p = {
          presence: 'present',
          detail:
            `${p.detail ?? 'the types differ'}; the statement is guarded by the column's existence, so it ` +
            `never runs on production (note: it would add that type on a database without the column)`,
        };
      }
      if (blocking !== undefined && (p.presence === 'absent' || p.presence === 'conflict')) {
        p = {
          presence: 'present',
          detail:
            `guarded by ${guardText(blocking)}, which is false on production: it never runs on production` +
            `${p.detail ? ` (${p.detail})` : ''}`,
        };
      }
      const m: { presence: Presence; detail?: string } = models ? presenceIn(models, fwd.effect) : { presence: 'n/a' };
      const detail = [fwd.detail, p.detail].filter(Boolean).join('; ');
      judged.push({ effect: e, statement: si, production: p.presence, models: m.presence, ...(detail ? { detail } : {}) });
      if (p.presence === 'conflict') {
        manual.add('conflict');
        sentences.push(
          `line ${st.line}: ${describe(e)} conflicts with production: ${p.detail ?? 'it differs'}` +
            `${m.detail !== undefined && m.detail !== p.detail ? ` (the models: ${m.detail})` : ''}.`,
        );
      } else if (p.presence === 'absent') {
        if (DESTRUCTIVE.has(e.kind) || st.dataLoss.length > 0) {
          manual.add('destructive');
          sentences.push(
            `line ${st.line}: ${st.dataLoss[0]?.message ?? describe(e)}: production still has it; a person decides when (after a backup).`,
          );
        } else if (models !== undefined && m.presence !== 'present') {
          manual.add(m.presence === 'conflict' ? 'conflict' : 'not_in_models');
          sentences.push(
            `line ${st.line}: production lacks ${describe(e)} and the models ` +
              `${m.presence === 'conflict' ? `disagree (${m.detail ?? ''})` : 'do not have it either'}.`,
          );
        }
        // A condition that is not an existence check of this very object decides
        // whether the statement runs at all: the conversion cannot tell.
        const opaque = st.guards.find((g, i) => !g.recognised && evaluated[i] !== true);
        if (opaque !== undefined) {
          manual.add('unsupported');
          sentences.push(
            `line ${st.line}: ${describe(e)} runs only if ` +
              `${
                opaque.conditionSql ??
                `${opaque.negated ? 'not ' : ''}` +
                  `${opaque.kind === 'if' ? (opaque.args[0] ?? 'a helper') : opaque.kind}(` +
                  `${(opaque.kind === 'if' ? opaque.args.slice(1) : opaque.args).join(', ')})`
              }` +
              `${opaque.conditionSql && opaque.negated ? ' is false' : ''}, which the conversion cannot ` +
              `evaluate.`,
          );
        }
      }
    }
  }
  const schema = judged.filter((j) => !isDataEffect(j.effect) && j.effect.kind !== 'other');
  const data = judged.filter((j) => isDataEffect(j.effect));
  if (manual.size > 0) {
    return { class: 'manual_review', reasons: [...manual], reason: sentences.join(' '), effects: judged, problems };
  }
  if (analysis.fragmentCount === 0 && analysis.includes.length === 0) {
    return {
      class: 'manual_review',
      reasons: ['no_sql_found'],
      reason:
        'No SQL was found in it: check by hand that it changes nothing in the schema (a helper imported from another module can hide SQL).',
      effects: judged,
      problems,
    };
  }
  const missing = schema.filter((j) => j.production === 'absent');
  if (schema.length === 0 && data.length > 0) {
    const checks = input.dataChecks ?? [];
    const pending = checks.some((c) => c.pending === true);
    const allKnown = checks.length > 0 && checks.every((c) => c.pending !== null);
    const hasRun = pending ? false : allKnown ? true : null;
    const tables = [...new Set(data.map((d) => d.effect.table))].join(', ');
    const reason =
      hasRun === false
        ? `Only DML on ${tables}: production still has ${rowsText(checks)} it would change, so it has not ` +
          `run; it becomes a data migration. Checked with: ` +
          `${checks
            .filter((c) => c.pending === true)
            .map((c) => c.sql)
            .join('; ')}.`
        : hasRun === true
          ? `Only DML on ${tables}: no production row would change any more (0 rows), so it has run; ` +
            `archived with that reason. Checked with: ${checks.map((c) => c.sql).join('; ')}.`
          : `Only DML on ${tables}: cannot tell whether it has run (${
              checks.length === 0
                ? 'no production connection to check its rows'
                : checks
                    .map((c) => c.note)
                    .filter(Boolean)
                    .join('; ') || 'no check derivable'
            }); archived with this reason unless told to convert it.`;
    return {
      class: 'data_fix',
      reasons: [hasRun === false ? 'dml_not_run' : hasRun === true ? 'dml_has_run' : 'dml_unknown'],
      reason,
      effects: judged,
      problems,
      dataFix: { hasRun, checks: [...checks] },
    };
  }
  if (missing.length === 0) {
    const superseded = schema.filter((j) => j.supersededBy !== undefined);
    const base =
      schema.length === 0
        ? 'No schema effects (it only reads).'
        : `Every schema effect is in production: ${schema.map((j) => describe(j.effect)).join(', ')}.`;
    const extra =
      superseded.length > 0 ? ` Undone later: ${superseded.map((j) => `${describe(j.effect)} (${j.detail ?? ''})`).join(', ')}.` : '';
    const dml = data.length > 0 ? ' Its DML ran with it.' : '';
    const notes = schema.filter((j) => j.supersededBy === undefined && j.detail?.includes('never runs on production'));
    const noted = notes.length > 0 ? ` Note: ${notes.map((j) => `${describe(j.effect)}: ${j.detail}`).join('; ')}.` : '';
    return {
      class: 'obsolete',
      reasons: [schema.length === 0 ? 'no_schema_effects' : 'all_effects_in_production'],
      reason: base + extra + noted + dml,
      effects: judged,
      problems,
    };
  }
  const present = schema.filter((j) => j.production === 'present');
  return {
    class: 'still_needed',
    reasons: ['missing_in_production'],
    reason:
      `Production lacks ${missing.map((j) => describe(j.effect)).join(', ')} (` +
      `${models === undefined ? 'no models given: assumed wanted' : `the models have ${missing.length === 1 ? 'it' : 'them'}`}` +
      `)${present.length > 0 ? `; already there: ${present.map((j) => describe(j.effect)).join(', ')}` : ''}` +
      `.`,
    effects: judged,
    problems,
  };
}

/** Statements whose effects production lacks (what a migration must carry). */
export function neededStatements(analysis: ScriptAnalysis, c: { readonly effects: readonly JudgedEffect[] }): AnalyzedStatement[] {
  const needed = new Set(c.effects.filter((j) => j.production === 'absent' || isDataEffect(j.effect)).map((j) => j.statement));
  return analysis.statements.filter((_, i) => needed.has(i) && analysis.statements[i]!.effects.length > 0);
}
