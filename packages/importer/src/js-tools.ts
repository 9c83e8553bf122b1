import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StrataError } from '@pg-strata/core';
import { listFiles, readText, stripTransactionControl, words } from './files.js';
import type { ReportItem, SourceMigration, SourceSet } from './types.js';

const JS_EXT_RE = /\.(js|ts|cjs|mjs|cts|mts)$/;

/** Order of node-pg-migrate: by the numeric prefix (a timestamp or an index), then by name. */
function byPrefixThenName(a: string, b: string): number {
  const na = /^(\d+)/.exec(a)?.[1];
  const nb = /^(\d+)/.exec(b)?.[1];
  if (na !== undefined && nb !== undefined && na !== nb) {
    const x = BigInt(na);
    const y = BigInt(nb);
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.localeCompare(b, 'en', { numeric: true });
}

const NPM_UP_RE = /^\s*--[\s-]*up\s+migration/im;
const NPM_DOWN_RE = /^\s*--[\s-]*down\s+migration/im;

/** node-pg-migrate's SQL file: `-- Up Migration` / `-- Down Migration` sections (no marker: all of it is up, no down). */
function npmSqlSections(text: string): { up: string; down?: string } {
  const u = text.search(NPM_UP_RE);
  const d = text.search(NPM_DOWN_RE);
  const up = u >= 0 ? text.slice(u, d < u ? undefined : d) : text;
  const down = d >= 0 ? text.slice(d, u < d ? undefined : u) : undefined;
  const strip = (s: string) => s.replace(/^[^\n]*\n?/, '');
  return down === undefined ? { up: u >= 0 ? strip(up) : up } : { up: u >= 0 ? strip(up) : up, down: strip(down) };
}

interface Builder {
  getSql(): string;
  enableReverseMode(): unknown;
  isUsingTransaction(): boolean;
}
type BuilderClass = new (db: unknown, shorthands: unknown, decamelize: boolean, logger: unknown) => Builder;

/** node-pg-migrate's MigrationBuilder: from the imported project when it has the package, else the one beside Strata. */
async function migrationBuilder(dir: string): Promise<BuilderClass | undefined> {
  for (const from of [join(resolve(dir), 'package.json'), join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      const path = createRequire(from).resolve('node-pg-migrate');
      const mod = (await import(pathToFileURL(path).href)) as { MigrationBuilder?: BuilderClass };
      if (mod.MigrationBuilder) return mod.MigrationBuilder;
    } catch {
      // not there: try the next place
    }
  }
  return undefined;
}

/** A database handle for the builder that refuses every query: a migration that reads the database cannot be turned into a file. */
const noDb = new Proxy(
  {},
  {
    get(_t, key) {
      if (key === 'then') return undefined;
      return () => {
        throw new Error(`the migration uses pgm.db.${String(key)} (reads or writes the database while it runs)`);
      };
    },
  },
);
const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

type Action = ((pgm: Builder, run?: () => void) => unknown) | false | undefined;

/** Run one action of a JS/TS migration against a fresh builder and return its SQL. */
async function builderSql(
  Builder: BuilderClass,
  action: (pgm: Builder, run?: () => void) => unknown,
  reverse: boolean,
): Promise<{ sql: string; transactional: boolean }> {
  const pgm = new Builder(noDb, undefined, false, quietLogger);
  if (reverse) pgm.enableReverseMode();
  if (action.length >= 2) {
    // Callback style: up(pgm, run).
    await new Promise<void>((res, rej) => {
      try {
        const r = action(pgm, () => res());
        if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(() => res(), rej);
      } catch (e) {
        rej(e);
      }
    });
  } else await action(pgm);
  return { sql: pgm.getSql(), transactional: pgm.isUsingTransaction() };
}

/**
 * node-pg-migrate: `<prefix>_<name>.sql` (`-- Up Migration` / `-- Down
 * Migration`), `.up.sql` / `.down.sql` pairs, and JS/TS modules, whose
 * `up(pgm)` / `down(pgm)` are run against node-pg-migrate's own
 * MigrationBuilder (no database) to get their SQL. The history key is the
 * file name without its extension.
 */
export async function readNodePgMigrate(dir: string): Promise<SourceSet> {
  const report: ReportItem[] = [];
  const files = listFiles(dir);
  const units = new Map<string, { file: string; kind: 'sql' | 'js' | 'pair'; up?: string; down?: string }>();
  for (const file of files) {
    let m: RegExpExecArray | null;
    if ((m = /^(.*)\.(up|down)\.sql$/.exec(file))) {
      const u = units.get(m[1]!) ?? { file, kind: 'pair' as const };
      u[m[2] as 'up' | 'down'] = file;
      if (m[2] === 'up') u.file = file;
      units.set(m[1]!, u);
    } else if ((m = /^(.*)\.sql$/.exec(file))) units.set(m[1]!, { file, kind: 'sql' });
    else if ((m = /^(.*)\.(js|ts|cjs|mjs|cts|mts)$/.exec(file)) && !file.endsWith('.d.ts')) units.set(m[1]!, { file, kind: 'js' });
    else
      report.push({
        file,
        kind: 'unsupported-file',
        severity: 'warning',
        message: 'not a node-pg-migrate migration (.sql, .js, .ts...): ignored.',
      });
  }
  let Builder: BuilderClass | undefined;
  const migrations: SourceMigration[] = [];
  for (const name of [...units.keys()].sort(byPrefixThenName)) {
    const u = units.get(name)!;
    const message = words(name.replace(/^\d+_?/, '')) || name;
    if (u.kind === 'sql') {
      const s = npmSqlSections(readText(dir, u.file));
      const m: SourceMigration = { id: name, file: u.file, message, up: stripTransactionControl(s.up, u.file, report) };
      if (s.down !== undefined) m.down = stripTransactionControl(s.down, u.file, report);
      else
        report.push({
          file: u.file,
          kind: 'no-down',
          severity: 'warning',
          message: "no '-- Down Migration' section: the revision has no down section, so `strata down` past it is refused.",
        });
      migrations.push(m);
      continue;
    }
    if (u.kind === 'pair') {
      const m: SourceMigration = {
        id: name,
        file: u.up ?? u.down!,
        message,
        up: u.up ? stripTransactionControl(readText(dir, u.up), u.up, report) : '',
      };
      if (u.down) {
        m.down = stripTransactionControl(readText(dir, u.down), u.down, report);
        if (u.up) m.otherFiles = [u.down];
      } else
        report.push({ file: m.file, kind: 'no-down', severity: 'warning', message: 'no .down.sql: the revision has no down section.' });
      migrations.push(m);
      continue;
    }
    Builder ??= await migrationBuilder(dir);
    if (!Builder)
      throw new StrataError(
        'USAGE',
        `node-pg-migrate: ${u.file} is a JavaScript/TypeScript migration, and reading it needs the ` +
          `node-pg-migrate package (its MigrationBuilder turns pgm calls into SQL). Install it in the ` +
          `project (npm install node-pg-migrate) and import again.`,
        { meta: { file: u.file } },
      );
    migrations.push(await jsMigration(dir, u.file, name, message, Builder, report));
  }
  return { tool: 'node-pg-migrate', dir, migrations, report };
}

async function jsMigration(
  dir: string,
  file: string,
  name: string,
  message: string,
  Builder: BuilderClass,
  report: ReportItem[],
): Promise<SourceMigration> {
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false });
  let mod: { up?: Action; down?: Action; default?: { up?: Action; down?: Action }; shorthands?: unknown };
  const untranslated = (why: string): SourceMigration => {
    report.push({
      file,
      kind: 'untranslated',
      severity: 'error',
      message: `not carried over (${why}): its revision is empty; write its SQL there.`,
    });
    return { id: name, file, message, up: `-- (import) ${file} could not be translated: ${why.replace(/\n/g, ' ')}\n`, down: '' };
  };
  try {
    mod = (await jiti.import(join(resolve(dir), file))) as typeof mod;
  } catch (e) {
    return untranslated(`loading it failed: ${(e as Error).message}`);
  }
  const up = mod.up ?? mod.default?.up;
  const down = mod.down !== undefined ? mod.down : mod.default?.down;
  if (typeof up !== 'function') return untranslated('it exports no up function');
  if (mod.shorthands)
    report.push({
      file,
      kind: 'shorthands',
      severity: 'warning',
      message:
        'exports shorthands: they apply to later migrations in node-pg-migrate, which Strata does not ' +
        'do (each migration was translated with its own).',
    });
  try {
    const u = await builderSql(Builder, up, false);
    const m: SourceMigration = { id: name, file, message, up: u.sql };
    if (!u.transactional) m.transactional = false;
    if (down === false)
      report.push({
        file,
        kind: 'no-down',
        severity: 'warning',
        message: 'exports down = false (irreversible): the revision has no down section.',
      });
    else if (typeof down === 'function') m.down = (await builderSql(Builder, down, false)).sql;
    else m.down = (await builderSql(Builder, up, true)).sql;
    return m;
  } catch (e) {
    return untranslated((e as Error).message);
  }
}

/**
 * Kysely: every `.ts`/`.js`/`.mts`/`.mjs` module of the folder (Kysely's
 * FileMigrationProvider), in name order. Strata runs TypeScript migrations
 * with the same `up(db: Kysely<any>)` / `down(db)` shape, so each module is
 * kept as it is, with Strata's `revision` / `parents` exports appended.
 */
export function readKysely(dir: string): SourceSet {
  const report: ReportItem[] = [];
  const migrations: SourceMigration[] = [];
  const files = listFiles(dir).filter((f) => {
    if (JS_EXT_RE.test(f) && !f.endsWith('.d.ts') && !/\.(cjs|cts)$/.test(f)) return true;
    report.push({
      file: f,
      kind: 'unsupported-file',
      severity: 'warning',
      message: 'not a Kysely migration module (.ts, .js, .mts, .mjs): ignored, as Kysely ignores it.',
    });
    return false;
  });
  const keys = files
    .map((f) => ({ file: f, name: f.replace(/\.(ts|js|mts|mjs)$/, '') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { file, name } of keys) {
    const text = readText(dir, file);
    const hasUp = /export\s+(async\s+)?function\s+up\b|export\s+(const|let)\s+up\b|exports\.up\s*=/.test(text);
    const hasDown = /export\s+(async\s+)?function\s+down\b|export\s+(const|let)\s+down\b|exports\.down\s*=/.test(text);
    if (!hasUp)
      report.push({ file, kind: 'untranslated', severity: 'error', message: 'no exported up function found: check the module by hand.' });
    if (/module\.exports|exports\.(up|down)\s*=/.test(text))
      report.push({
        file,
        kind: 'commonjs',
        severity: 'error',
        message: 'CommonJS exports: Strata reads `export async function up(db)`; rewrite the exports as ES module exports.',
      });
    if (!hasDown)
      report.push({
        file,
        kind: 'no-down',
        severity: 'warning',
        message: 'exports no down function: `strata down` past this revision is refused.',
      });
    for (const m of text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      report.push({
        file,
        line: text.slice(0, m.index).split('\n').length,
        kind: 'import',
        severity: 'warning',
        message:
          `imports ${m[1]} relative to the old folder: copy that module next to the imported migrations ` +
          `(with a name starting with _ so Strata does not take it for a migration) and fix the path.`,
      });
    }
    if (/export\s+(const|let|var)\s+(revision|parents|message)\b/.test(text))
      throw new StrataError('USAGE', `Kysely: ${file} already exports revision, parents or message, which Strata's header uses.`, {
        meta: { file },
      });
    migrations.push({ id: name, file, message: words(name.replace(/^[\d_-]+/, '')) || name, ts: { text, hasDown } });
  }
  return { tool: 'kysely', dir, migrations, report };
}
