import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError, quoteIdent, type Queryable } from '@pg-strata/core';
import { MIGRATION_FILE_RE } from '@pg-strata/runner';
import { compareVersions } from './files.js';
import type { ImportTool } from './types.js';

/** Each tool's history table (in the search path's first schema unless told), and the other tables it keeps beside it. */
export const HISTORY_TABLES: Record<ImportTool, { table: string; alsoExclude: string[] }> = {
  alembic: { table: 'alembic_version', alsoExclude: [] },
  flyway: { table: 'flyway_schema_history', alsoExclude: [] },
  dbmate: { table: 'schema_migrations', alsoExclude: [] },
  'golang-migrate': { table: 'schema_migrations', alsoExclude: [] },
  goose: { table: 'goose_db_version', alsoExclude: [] },
  'node-pg-migrate': { table: 'pgmigrations', alsoExclude: [] },
  prisma: { table: '_prisma_migrations', alsoExclude: [] },
  kysely: { table: 'kysely_migration', alsoExclude: ['kysely_migration_lock'] },
};

/** What the other tool's history table says. */
export interface ToolHistory {
  tool: ImportTool;
  /** The table read, `schema.table`. */
  table: string;
  /** Source ids applied (chain tools), in the order the table lists them. */
  applied: string[];
  /** Alembic: the revisions in alembic_version (its heads). */
  heads?: string[];
  /** Flyway: the version of a BASELINE row (everything up to it counts as applied). */
  baseline?: string;
  /** Problems that stop a takeover (golang-migrate's dirty flag, a failed Flyway row, an unfinished Prisma migration). */
  problems: string[];
}

/** `schema.table` parts of a history table name given as `table` or `schema.table`. */
function splitName(name: string): { schema?: string; table: string } {
  const i = name.indexOf('.');
  return i < 0 ? { table: name } : { schema: name.slice(0, i), table: name.slice(i + 1) };
}

/** Read the other tool's history table. `table` overrides its name (`schema.table` or `table`). */
export async function readToolHistory(client: Queryable, tool: ImportTool, options: { table?: string } = {}): Promise<ToolHistory> {
  const { schema: given, table } = splitName(options.table ?? HISTORY_TABLES[tool].table);
  const found = await client.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND ($2::text IS NULL OR n.nspname = $2)
      ORDER BY array_position(current_schemas(false), n.nspname::text) NULLS LAST, n.nspname`,
    [table, given ?? null],
  );
  if (found.rows.length === 0) {
    throw new StrataError(
      'USAGE',
      `No ${tool} history table ${given ? `${given}.` : ''}${table} in the database: is this the ` +
        `database ${tool} migrated? (Another name: --history-table schema.table.)`,
      { meta: { tool, table } },
    );
  }
  const schema = found.rows[0]!.schema;
  const q = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const h: ToolHistory = { tool, table: `${schema}.${table}`, applied: [], problems: [] };
  const rows = async <T extends Record<string, unknown>>(sql: string) => (await client.query<T>(sql.replaceAll('$T', q))).rows;
  switch (tool) {
    case 'alembic':
      h.heads = (await rows<{ v: string }>('SELECT version_num AS v FROM $T ORDER BY 1')).map((r) => r.v);
      break;
    case 'flyway': {
      const all = await rows<{ version: string | null; description: string; type: string; success: boolean }>(
        'SELECT version, description, type, success FROM $T ORDER BY installed_rank',
      );
      const applied = new Map<string, true>();
      for (const r of all) {
        if (r.type === 'SCHEMA' || r.type === 'DELETE') continue;
        if (!r.success) {
          h.problems.push(
            `Flyway recorded a failed migration: ${r.version ?? 'R'} ${r.description} (run flyway repair, or finish it, first).`,
          );
          continue;
        }
        const id = r.version === null ? `R:${r.description}` : normalVersion(r.version);
        if (r.type === 'BASELINE') h.baseline = id;
        else if (r.type.startsWith('UNDO')) applied.delete(id);
        else applied.set(id, true);
      }
      h.applied = [...applied.keys()];
      break;
    }
    case 'dbmate':
      h.applied = (await rows<{ v: string }>('SELECT version::text AS v FROM $T ORDER BY 1')).map((r) => r.v);
      break;
    case 'golang-migrate': {
      const all = await rows<{ v: string; dirty: boolean }>('SELECT version::text AS v, dirty FROM $T');
      if (all.length > 1) h.problems.push(`${h.table} has ${all.length} rows; golang-migrate keeps one.`);
      const r = all[0];
      if (r?.dirty)
        h.problems.push(
          `golang-migrate marks version ${r.v} dirty (a migration failed half-way): fix the database, ` +
            `then \`migrate force\` with golang-migrate, before taking over.`,
        );
      // The current version: every version up to it is applied (filled in by resolveHistory).
      if (r && r.v !== '-1') h.applied = [r.v];
      break;
    }
    case 'goose': {
      const all = await rows<{ v: string; a: boolean }>('SELECT version_id::text AS v, is_applied AS a FROM $T ORDER BY id');
      const state = new Map<string, boolean>();
      for (const r of all) if (r.v !== '0') state.set(r.v, r.a);
      h.applied = [...state].filter(([, a]) => a).map(([v]) => v);
      break;
    }
    case 'node-pg-migrate':
      h.applied = (await rows<{ name: string }>('SELECT name FROM $T ORDER BY run_on, id')).map((r) => r.name);
      break;
    case 'prisma': {
      const all = await rows<{ name: string; finished: boolean; rolled: boolean }>(
        'SELECT migration_name AS name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL ' +
          'AS rolled FROM $T ORDER BY started_at, migration_name',
      );
      const done = new Set<string>();
      for (const r of all) {
        if (r.rolled) continue;
        if (r.finished) done.add(r.name);
        else h.problems.push(`Prisma migration ${r.name} started and did not finish (prisma migrate resolve it first).`);
      }
      h.applied = [...done];
      break;
    }
    case 'kysely':
      h.applied = (await rows<{ name: string }>('SELECT name FROM $T ORDER BY name')).map((r) => r.name);
      break;
  }
  return h;
}

function normalVersion(v: string): string {
  return v.replace(/_/g, '.').replace(/(\.0+)+$/, '') || '0';
}

/** A revision the import wrote, read back from its file's header. */
export interface ImportedRevision {
  revision: string;
  sourceId: string;
  tool: string;
  file: string;
}

/** The imported revisions of a migrations folder (files with `-- imported-from: <tool>` / `export const importedFrom`), in file order. */
export function importedRevisions(dir: string, tool?: ImportTool): ImportedRevision[] {
  const out: ImportedRevision[] = [];
  for (const file of readdirSync(dir)
    .filter((n) => MIGRATION_FILE_RE.test(n))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    let t: string | undefined;
    let id: string | undefined;
    let rev: string | undefined;
    if (file.endsWith('.ts')) {
      t = /export const importedFrom = "([^" ]+)/.exec(text)?.[1];
      const m = /export const importId = ("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
      id = m ? (JSON.parse(m) as string) : undefined;
      rev = /export const revision = '([A-Za-z0-9_]+)'/.exec(text)?.[1];
    } else {
      const head = text.slice(0, text.search(/^--\s*migrate:up/m) >>> 0);
      t = /^-- imported-from: (\S+)/m.exec(head)?.[1];
      id = /^-- import-id: (.*)$/m.exec(head)?.[1]?.trim();
      rev = /^-- revision: (\S+)/m.exec(head)?.[1];
    }
    if (t && id !== undefined && rev && (!tool || t === tool)) out.push({ revision: rev, sourceId: id, tool: t, file });
  }
  return out;
}

/**
 * The Strata revision(s) a history corresponds to. For a chain, the last
 * imported revision such that it and every one before it are applied; an
 * applied migration after a gap, or one the folder does not have, is an error.
 */
export function revisionsFromHistory(history: ToolHistory, imported: ImportedRevision[]): { revisions: string[]; sourceIds: string[] } {
  if (history.problems.length > 0)
    throw new StrataError('USAGE', `Not taking over ${history.table}:\n  ${history.problems.join('\n  ')}`, {
      meta: { problems: history.problems },
    });
  if (imported.length === 0)
    throw new StrataError(
      'USAGE',
      `The migrations folder holds no revision imported from ${history.tool}: run \`strata import --from ${history.tool} <dir>\` first.`,
    );
  const bySource = new Map(imported.map((r) => [r.sourceId, r]));
  if (history.tool === 'alembic') {
    const heads = history.heads ?? [];
    if (heads.length === 0)
      throw new StrataError(
        'USAGE',
        `${history.table} is empty: the database is at Alembic's base; nothing to take over (strata up runs everything).`,
      );
    const missing = heads.filter((h) => !bySource.has(h));
    if (missing.length)
      throw new StrataError(
        'USAGE',
        `${history.table} holds ${missing.join(', ')}, which the imported migrations do not have: ` +
          `import the folder the database was migrated with.`,
        { meta: { missing } },
      );
    return { revisions: heads.map((h) => bySource.get(h)!.revision), sourceIds: heads };
  }
  let applied = new Set(history.applied);
  if (history.tool === 'golang-migrate' && history.applied.length === 1) {
    const current = BigInt(history.applied[0]!);
    if (!bySource.has(history.applied[0]!))
      throw new StrataError('USAGE', `${history.table} is at version ${current}, which the imported migrations do not have.`);
    applied = new Set(imported.filter((r) => /^\d+$/.test(r.sourceId) && BigInt(r.sourceId) <= current).map((r) => r.sourceId));
  }
  if (history.baseline !== undefined) {
    for (const r of imported)
      if (!r.sourceId.startsWith('R:') && compareVersions(r.sourceId, history.baseline) <= 0) applied.add(r.sourceId);
  }
  const unknown = [...applied].filter((id) => !bySource.has(id) && id !== history.baseline);
  if (unknown.length)
    throw new StrataError(
      'USAGE',
      `${history.table} lists ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? '...' : ''}, ` +
        `which the imported migrations do not have: import the folder the database was migrated with (or ` +
        `import again after adding them).`,
      { meta: { unknown } },
    );
  let last = -1;
  while (last + 1 < imported.length && applied.has(imported[last + 1]!.sourceId)) last++;
  const after = imported.slice(last + 1).filter((r) => applied.has(r.sourceId));
  if (after.length) {
    throw new StrataError(
      'USAGE',
      `${history.table} has ${after.map((r) => r.sourceId).join(', ')} applied but not ` +
        `${imported[last + 1]!.sourceId} before it: Strata applies migrations in order, so this history ` +
        `cannot be taken over as it is (apply the missing one with ${history.tool} first).`,
      { meta: { gap: imported[last + 1]!.sourceId } },
    );
  }
  if (last < 0)
    throw new StrataError(
      'USAGE',
      `${history.table} records no migration of the imported folder: the database is at base; nothing ` +
        `to take over (strata up runs everything).`,
    );
  return { revisions: [imported[last]!.revision], sourceIds: imported.slice(0, last + 1).map((r) => r.sourceId) };
}

/** Glob patterns of the other tool's tables, left out of the schema comparison (they are bookkeeping, not schema the migrations build). */
export function historyExcludes(tool: ImportTool, table: string): string[] {
  const t = table.includes('.') ? table.slice(table.indexOf('.') + 1) : table;
  return [t, `${t}_*`, ...HISTORY_TABLES[tool].alsoExclude.flatMap((x) => [x, `${x}_*`])];
}
