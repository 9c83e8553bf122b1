// The legacy estate's ground truth, checked against real databases: production
// built from legacy/production/recipe.json, the models from
// legacy/models/create_all.sql. If a script's class in GROUND_TRUTH.json
// disagrees with what the catalogues say, this file fails.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import { discoverScripts, extractSql } from '../src/index.js';
import { buildProduction, recipeSteps } from '../../../legacy/production/build.mjs';

const legacyDir = fileURLToPath(new URL('../../../legacy/', import.meta.url));

type Effect =
  | { kind: 'add_column'; table: string; column: string; type: string }
  | { kind: 'create_table'; table: string }
  | { kind: 'create_index'; table: string; index: string }
  | { kind: 'add_constraint'; table: string; constraint: string }
  | { kind: 'rename_column'; table: string; from: string; to: string }
  | { kind: 'drop_column'; table: string; column: string }
  | { kind: 'update_rows' | 'insert_rows'; table: string; columns: string[] }
  | { kind: 'unknown' };

interface ScriptTruth {
  path: string;
  language: string;
  discovery: 'default' | 'explicit';
  class: 'obsolete' | 'still_needed' | 'data_fix' | 'manual_review';
  reasons: string[];
  why: string;
  applied_to_production: boolean;
  effects: Effect[];
  data_fix?: { has_run: boolean; check_sql: string };
  syntax_error?: { line: number; column: number; near: string };
  /** An obsolete script's guarded ADD COLUMN whose type differs from production's (it never runs there). */
  note?: { table: string; column: string; script_type: string; production_type: string; models_type: string };
  dynamic?: { line: number; reason: string }[];
  guards?: { kind: string; negated: boolean; args: string[] }[];
}

interface GroundTruth {
  scripts: ScriptTruth[];
  drift_production_to_models: Record<
    | 'columns_only_in_production'
    | 'columns_only_in_models'
    | 'indexes_only_in_production'
    | 'indexes_only_in_models'
    | 'constraints_only_in_production'
    | 'constraints_only_in_models',
    string[]
  > & { columns_with_another_type: string[] };
  production_only: {
    manual_hotfix: { table: string; index: string }[];
    dropped_from_models: { table: string; column: string; type: string }[];
  };
}

const truth = JSON.parse(readFileSync(`${legacyDir}GROUND_TRUTH.json`, 'utf8')) as GroundTruth;

/** What the catalogue of one database says, in the ground truth's vocabulary. */
interface Catalogue {
  tables: Set<string>;
  /** `table.column` -> format_type */
  columns: Map<string, string>;
  /** index name -> table */
  indexes: Map<string, string>;
  /** constraint name -> table */
  constraints: Map<string, string>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function readCatalogue(url: string): Promise<Catalogue> {
  return withClient(url, async (c) => {
    const tables = await c.query<{ t: string }>(
      `SELECT c.relname AS t FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`,
    );
    const columns = await c.query<{ t: string; c: string; type: string }>(
      `SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
    );
    const indexes = await c.query<{ i: string; t: string }>(
      `SELECT indexname AS i, tablename AS t FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const constraints = await c.query<{ n: string; t: string }>(
      `SELECT conname AS n, conrelid::regclass::text AS t FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
    );
    return {
      tables: new Set(tables.rows.map((r) => r.t)),
      columns: new Map(columns.rows.map((r) => [`${r.t}.${r.c}`, r.type])),
      indexes: new Map(indexes.rows.map((r) => [r.i, r.t])),
      constraints: new Map(constraints.rows.map((r) => [r.n, r.t])),
    };
  });
}

/** Is this schema effect present in the catalogue (with the same type, for a column)? */
function present(cat: Catalogue, e: Effect): boolean {
  switch (e.kind) {
    case 'add_column':
      return cat.columns.get(`${e.table}.${e.column}`) === e.type;
    case 'create_table':
      return cat.tables.has(e.table);
    case 'create_index':
      return cat.indexes.get(e.index) === e.table;
    case 'add_constraint':
      return cat.constraints.get(e.constraint) === e.table;
    case 'rename_column':
      return cat.columns.has(`${e.table}.${e.to}`) && !cat.columns.has(`${e.table}.${e.from}`);
    case 'drop_column':
      return !cat.columns.has(`${e.table}.${e.column}`);
    default:
      throw new Error(`not a schema effect: ${e.kind}`);
  }
}

const schemaEffects = (s: ScriptTruth) =>
  s.effects.filter((e) => e.kind !== 'update_rows' && e.kind !== 'insert_rows' && e.kind !== 'unknown');

const sorted = (xs: Iterable<string>) => [...xs].sort();
const minus = <T>(a: Map<string, T> | Set<string>, b: Map<string, T> | Set<string>) => sorted([...a.keys()].filter((k) => !b.has(k)));

describe('legacy estate ground truth', () => {
  const productionDb = useTestDatabase('legacy_production');
  const modelsDb = useTestDatabase('legacy_models');
  let production: Catalogue;
  let models: Catalogue;

  beforeAll(async () => {
    await buildProduction(productionDb().url, { pg });
    await withClient(modelsDb().url, (c) => c.query(readFileSync(`${legacyDir}models/create_all.sql`, 'utf8')));
    production = await readCatalogue(productionDb().url);
    models = await readCatalogue(modelsDb().url);
  });

  it('lists 30+ scripts, each an existing file, once', () => {
    const paths = truth.scripts.map((s) => s.path);
    expect(paths.length).toBeGreaterThanOrEqual(30);
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of paths) expect(existsSync(`${legacyDir}${p}`), p).toBe(true);
    const classes = new Set(truth.scripts.map((s) => s.class));
    expect(sorted(classes)).toEqual(['data_fix', 'manual_review', 'obsolete', 'still_needed']);
  });

  it('is exactly what discovery finds with the default globs plus the explicit /fix-db module', async () => {
    const explicit = truth.scripts.filter((s) => s.discovery === 'explicit').map((s) => s.path);
    const found = await discoverScripts(legacyDir, { files: explicit });
    expect(found.map((f) => f.path)).toEqual(sorted(truth.scripts.map((s) => s.path)));
    for (const f of found) expect(f.reason, f.path).toBe(explicit.includes(f.path) ? 'explicit' : 'glob');
  });

  it('each script extracts in its language; the dynamic ones have a dynamic fragment on the recorded line', () => {
    for (const s of truth.scripts) {
      const e = extractSql({ path: s.path, text: readFileSync(`${legacyDir}${s.path}`, 'utf8') });
      expect(e.language, s.path).toBe(s.language);
      expect(e.fragments.length, s.path).toBeGreaterThan(0);
      const dynamicLines = e.fragments.filter((f) => f.dynamic).map((f) => f.callLoc?.line ?? f.loc.line);
      expect(dynamicLines, s.path).toEqual((s.dynamic ?? []).map((d) => d.line));
      // helper guards written in the script's own language (SQL-level IF NOT EXISTS is the parser's job)
      const helperGuards = (s.guards ?? []).filter((g) => g.kind !== 'if');
      expect(
        e.fragments.flatMap((f) => (f.guard ? [f.guard] : [])),
        s.path,
      ).toEqual(helperGuards);
    }
  });

  it('agrees with the recipe about which scripts production has seen', () => {
    const fromRecipe = new Set(recipeSteps().flatMap((s) => (s.from ? [s.from] : [])));
    for (const s of truth.scripts) expect(fromRecipe.has(s.path), s.path).toBe(s.applied_to_production);
  });

  it('obsolete: every schema effect is in production and in the models', () => {
    const obsolete = truth.scripts.filter((s) => s.class === 'obsolete');
    expect(obsolete.length).toBeGreaterThan(10);
    for (const s of obsolete) {
      expect(schemaEffects(s).length, s.path).toBeGreaterThan(0);
      for (const e of schemaEffects(s)) {
        // A noted column is there under another type: checked by the test below.
        const noted = s.note !== undefined && e.kind === 'add_column' && e.table === s.note.table && e.column === s.note.column;
        const what = noted && e.kind === 'add_column' ? { ...e, type: s.note!.production_type } : e;
        expect(present(production, what), `${s.path}: ${JSON.stringify(what)} in production`).toBe(true);
        expect(present(models, what), `${s.path}: ${JSON.stringify(what)} in the models`).toBe(true);
      }
    }
  });

  it('still_needed: production lacks some effect, the models have all of them', () => {
    const needed = truth.scripts.filter((s) => s.class === 'still_needed');
    expect(needed.length).toBeGreaterThanOrEqual(5);
    for (const s of needed) {
      const effects = schemaEffects(s);
      expect(
        effects.some((e) => !present(production, e)),
        `${s.path}: something missing in production`,
      ).toBe(true);
      for (const e of effects) expect(present(models, e), `${s.path}: ${JSON.stringify(e)} in the models`).toBe(true);
    }
  });

  it('a rename is still needed: production has the old name, the models the new one', () => {
    const renames = truth.scripts.flatMap((s) => s.effects.filter((e) => e.kind === 'rename_column'));
    expect(renames.length).toBe(1);
    for (const e of renames) {
      expect(production.columns.has(`${e.table}.${e.from}`)).toBe(true);
      expect(production.columns.has(`${e.table}.${e.to}`)).toBe(false);
      expect(models.columns.has(`${e.table}.${e.to}`)).toBe(true);
    }
  });

  it('data_fix: production rows show which fixes have run', async () => {
    const fixes = truth.scripts.filter((s) => s.class === 'data_fix');
    expect(fixes.map((s) => s.data_fix?.has_run).sort()).toEqual([false, true, true]);
    for (const s of fixes) {
      expect(
        s.effects.every((e) => e.kind === 'update_rows' || e.kind === 'insert_rows'),
        s.path,
      ).toBe(true);
      const res = await withClient(productionDb().url, (c) => c.query<{ n: number }>(s.data_fix!.check_sql));
      const pending = res.rows[0]!.n;
      expect(pending === 0, `${s.path}: ${pending} rows still to change`).toBe(s.data_fix!.has_run);
    }
  });

  it('obsolete with a note: a guarded ADD COLUMN with another type than production has never runs there (issue 18 point 8)', () => {
    const noted = truth.scripts.filter((s) => s.note !== undefined);
    expect(noted.length).toBe(1);
    for (const s of noted) {
      expect(s.class).toBe('obsolete');
      const c = s.note!;
      expect(production.columns.get(`${c.table}.${c.column}`)).toBe(c.production_type);
      expect(models.columns.get(`${c.table}.${c.column}`)).toBe(c.models_type);
      expect(c.script_type).not.toBe(c.production_type);
      expect(s.effects).toContainEqual({ kind: 'add_column', table: c.table, column: c.column, type: c.script_type });
    }
  });

  it('manual_review (destructive): it drops what production still holds', () => {
    const destructive = truth.scripts.filter((s) => s.reasons.includes('destructive'));
    expect(destructive.length).toBe(1);
    for (const s of destructive) {
      for (const e of s.effects) {
        if (e.kind !== 'drop_column') throw new Error(`${s.path}: unexpected ${e.kind}`);
        expect(production.columns.has(`${e.table}.${e.column}`)).toBe(true);
        expect(models.columns.has(`${e.table}.${e.column}`)).toBe(false);
      }
    }
    for (const d of truth.production_only.dropped_from_models) {
      expect(production.columns.get(`${d.table}.${d.column}`)).toBe(d.type);
      expect(models.columns.has(`${d.table}.${d.column}`)).toBe(false);
    }
  });

  it('manual_review (syntax error): PostgreSQL rejects the file where the ground truth says', async () => {
    const broken = truth.scripts.filter((s) => s.reasons.includes('syntax_error'));
    expect(broken.length).toBe(1);
    for (const s of broken) {
      const text = readFileSync(`${legacyDir}${s.path}`, 'utf8');
      const err = await withClient(modelsDb().url, (c) =>
        c.query(text).then(
          () => null,
          (e: unknown) => e as pg.DatabaseError,
        ),
      );
      expect(err?.code).toBe('42601');
      expect(err?.message).toBe(`syntax error at or near "${s.syntax_error!.near}"`);
      const offset = Number(err?.position) - 1;
      const before = text.slice(0, offset).split('\n');
      expect({ line: before.length, column: before.at(-1)!.length + 1 }).toEqual({
        line: s.syntax_error!.line,
        column: s.syntax_error!.column,
      });
      // and none of what it meant to add reached production
      for (const e of schemaEffects(s)) expect(present(production, e)).toBe(false);
    }
  });

  it('manual_review (dynamic): the recorded lines execute SQL built at run time', () => {
    const dynamic = truth.scripts.filter((s) => s.reasons.includes('dynamic_sql'));
    expect(dynamic.length).toBe(2);
    for (const s of dynamic) {
      const lines = readFileSync(`${legacyDir}${s.path}`, 'utf8').split('\n');
      for (const d of s.dynamic!) expect(lines[d.line - 1], `${s.path}:${d.line}`).toMatch(/\bexecute\(/);
    }
  });

  it('the manual hot-fix is in production and the models, and in no script', () => {
    for (const h of truth.production_only.manual_hotfix) {
      expect(production.indexes.get(h.index)).toBe(h.table);
      expect(models.indexes.get(h.index)).toBe(h.table);
      const mentioned = truth.scripts.some((s) => s.effects.some((e) => e.kind === 'create_index' && e.index === h.index));
      expect(mentioned).toBe(false);
    }
  });

  it('the drift between production and the models is exactly the documented one', () => {
    const d = truth.drift_production_to_models;
    expect(minus(production.columns, models.columns)).toEqual(sorted(d.columns_only_in_production));
    expect(minus(models.columns, production.columns)).toEqual(sorted(d.columns_only_in_models));
    const retyped = sorted(
      [...production.columns].filter(([k, t]) => models.columns.has(k) && models.columns.get(k) !== t).map(([k]) => k),
    );
    expect(retyped).toEqual(sorted(d.columns_with_another_type));
    expect(minus(production.indexes, models.indexes)).toEqual(sorted(d.indexes_only_in_production));
    expect(minus(models.indexes, production.indexes)).toEqual(sorted(d.indexes_only_in_models));
    expect(minus(production.constraints, models.constraints)).toEqual(sorted(d.constraints_only_in_production));
    expect(minus(models.constraints, production.constraints)).toEqual(sorted(d.constraints_only_in_models));
  });

  it('every model column missing from production is owned by a still_needed or manual_review script', () => {
    const owned = new Set<string>();
    for (const s of truth.scripts) {
      if (s.class !== 'still_needed' && s.class !== 'manual_review') continue;
      for (const e of s.effects) {
        if (e.kind === 'add_column') owned.add(`${e.table}.${e.column}`);
        if (e.kind === 'rename_column') owned.add(`${e.table}.${e.to}`);
        if (e.kind === 'create_table') for (const k of models.columns.keys()) if (k.startsWith(`${e.table}.`)) owned.add(k);
      }
    }
    for (const k of minus(models.columns, production.columns)) expect(owned.has(k), k).toBe(true);
  });
});
