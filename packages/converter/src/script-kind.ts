import { posix } from 'node:path';
import { locationOf } from '@pg-strata/sql';
import type { ScriptAnalysis } from './effect-types.js';
import type { SqlFragment } from './types.js';

/** Classes decided by what a script is rather than by what its SQL does to production. */
export type KindClass = 'not_postgresql' | 'read_only' | 'not_database';

/** The verdict of {@link scriptKind}. */
export interface ScriptKind {
  readonly class: KindClass;
  readonly reason: 'sqlite' | 'read_only' | 'no_database_access';
  /** A sentence a person can check, with the line that shows it. */
  readonly sentence: string;
}

/** Names of scripts written to look at a database, not to change it. */
const READ_ONLY_NAME = /^(check|inspect|verify|debug|diagnose)_/i;

/** SQLite drivers and URLs, in any of the estate's languages. */
const SQLITE_CONNECT = /\b(?:sqlite3|aiosqlite)\.connect\s*\(|['"]sqlite(?:\+\w+)?:\/\/|better-sqlite3|\bsqlite3\s+\S+\.(?:db|sqlite3?)\b/;
const SQLITE_IMPORT = /\bimport\s+(?:sqlite3|aiosqlite)\b|\bfrom\s+(?:sqlite3|aiosqlite)\s+import\b/;
/** PostgreSQL drivers, URLs and tools. */
const PG_CLIENT =
  /\bpsycopg2?\b|\basyncpg\b|\bpg8000\b|postgres(?:ql)?(?:\+\w+)?:\/\/|\bpsql\b|\bpg_dump\b|from\s+['"]pg['"]|require\(\s*['"]pg['"]\s*\)/;
/** SQL only SQLite accepts (or only SQLite's catalogue has). */
const SQLITE_SQL = /\bPRAGMA\s+\w+|\bAUTOINCREMENT\b|\bsqlite_master\b|\bsqlite_sequence\b|\bINSERT\s+OR\s+(?:REPLACE|IGNORE)\b/i;
/** Anything that reaches a database from code. */
const DB_WORDS = [
  'execute',
  'executemany',
  'executescript',
  'cursor',
  'psycopg2?',
  'asyncpg',
  'sqlalchemy',
  'create_engine',
  'SessionLocal',
  'get_db',
  'create_all',
  'drop_all',
  'psql',
  'sqlite3',
  'knex',
  'prisma',
  'sequelize',
  'typeorm',
  'pg_dump',
  'alembic',
  'supabase',
];
const DB_ACCESS = new RegExp(`\\b(?:${DB_WORDS.join('|')})\\b|${/\.query\s*\(|\bop\.\w+\s*\(/.source}`, 'i');
/** Statements that only read. */
const READ_VERB = /^(?:SELECT|WITH|SHOW|EXPLAIN|VALUES|TABLE|\\d)\b/i;

/**
 * Where the script opens SQLite: a connect call or a `sqlite://` URL, else an
 * import. A URL that is only the fallback of an environment variable
 * (`os.getenv("DATABASE_URL", "sqlite:///./app.db")`) is a development
 * default, not what production runs: the script talks to whatever the variable says.
 */
function sqliteClient(text: string): RegExpExecArray | null {
  const re = new RegExp(SQLITE_CONNECT.source, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const before = text.slice(lineStart, m.index);
    if (/\b(?:getenv|environ\.get|environ\[|get_env|config\(|Field\(|default\s*=)/.test(before)) continue;
    return m;
  }
  return SQLITE_IMPORT.exec(text);
}

function stripComments(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .trim();
}

/** Does this fragment only read? Its text, statement by statement (a rough split: it is only asked of scripts named to read). */
function readsOnly(f: SqlFragment): boolean {
  if (f.sql === null) return false;
  return stripComments(f.sql)
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .every(
      (s) =>
        READ_VERB.test(s) && !/\b(?:INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|ALTER\s+TABLE|CREATE\s+|DROP\s+|TRUNCATE\b)/i.test(s),
    );
}

/**
 * What a script is, before what its SQL does: a SQLite script (its own class,
 * "not PostgreSQL"), a read-only tool (`check_*`, `inspect_*`, `verify_*`,
 * `debug_*` whose SQL only reads), or code that touches no database at all.
 * Undefined for a PostgreSQL script that may change something: that one is
 * classified against production.
 */
export function scriptKind(input: {
  readonly path: string;
  readonly text: string;
  readonly fragments: readonly SqlFragment[];
  readonly analysis: ScriptAnalysis;
}): ScriptKind | undefined {
  const { path, text, fragments, analysis } = input;
  const base = posix.basename(path.split('\\').join('/'));
  const client = sqliteClient(text);
  const pg = PG_CLIENT.test(text);
  const sqliteFragment = fragments.find((f) => f.sql !== null && SQLITE_SQL.test(f.sql));
  const fragmentLine = (f: SqlFragment): number => f.loc.line + (f.sql!.slice(0, SQLITE_SQL.exec(f.sql!)!.index).match(/\n/g)?.length ?? 0);
  if (client !== null && pg && sqliteFragment !== undefined) {
    return {
      class: 'not_postgresql',
      reason: 'sqlite',
      sentence:
        `line ${fragmentLine(sqliteFragment)}: its SQL is SQLite's (\`` +
        `${SQLITE_SQL.exec(sqliteFragment.sql!)![0]}\`), run through \`${client[0].trim()}\`: none of it ` +
        `belongs in PostgreSQL migrations.`,
    };
  }
  if (client !== null && !pg) {
    return {
      class: 'not_postgresql',
      reason: 'sqlite',
      sentence:
        `line ${locationOf(text, client.index).line}: it talks to SQLite (\`${client[0].trim()}\`), not ` +
        `PostgreSQL: none of it belongs in PostgreSQL migrations.`,
    };
  }
  if (sqliteFragment !== undefined && !pg) {
    const m = SQLITE_SQL.exec(sqliteFragment.sql!)!;
    return {
      class: 'not_postgresql',
      reason: 'sqlite',
      sentence:
        `line ${fragmentLine(sqliteFragment)}: its SQL is SQLite's (\`${m[0]}\`), not PostgreSQL's: ` +
        `none of it belongs in PostgreSQL migrations.`,
    };
  }
  if (READ_ONLY_NAME.test(base)) {
    const changes = analysis.statements.some((s) => s.effects.length > 0);
    const unread = fragments.filter((f) => !readsOnly(f));
    if (!changes && unread.length === 0 && analysis.includes.length === 0) {
      return {
        class: 'read_only',
        reason: 'read_only',
        sentence:
          fragments.length === 0
            ? 'A read-only tool by its name, with no SQL that changes anything: it stays where it is.'
            : `A read-only tool: its ${fragments.length} quer` +
              `${fragments.length === 1 ? 'y only reads' : 'ies only read'} (first at line ` +
              `${fragments[0]!.loc.line}); it stays where it is.`,
      };
    }
  }
  if (fragments.length === 0 && analysis.includes.length === 0 && !DB_ACCESS.test(text)) {
    return {
      class: 'not_database',
      reason: 'no_database_access',
      sentence: 'Not a database script: no SQL, no database driver, connection or ORM call in it; it stays where it is.',
    };
  }
  return undefined;
}
