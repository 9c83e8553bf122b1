/** The migration tools a folder can be imported from. */
export const IMPORT_TOOLS = ['alembic', 'flyway', 'dbmate', 'golang-migrate', 'goose', 'node-pg-migrate', 'prisma', 'kysely'] as const;
export type ImportTool = (typeof IMPORT_TOOLS)[number];

/** Something of the source that was not carried over as it was (never dropped without one). */
export interface ReportItem {
  /** Source file, relative to the imported folder. */
  file: string;
  line?: number;
  /** `placeholder`, `callback`, `go-migration`, `no-down`, `untranslated`, `transaction-control`, `repeatable`, `java-migration`,
   * `env-substitution`, `unsupported-file`, `import`, ... */
  kind: string;
  /** `error`: the imported revision does not do what the source did (a person must finish it); `warning`: carried over with a difference
   * worth knowing. */
  severity: 'error' | 'warning';
  message: string;
}

/** One migration of the source tool, read from its folder. */
export interface SourceMigration {
  /** The tool's own key for it, as its history table holds it (Flyway's version, dbmate's version, Alembic's revision, Prisma's folder
   * name...). */
  id: string;
  /** The main source file, relative to the folder. */
  file: string;
  /** Other files it came from (golang-migrate's `.down.sql`, Flyway's `U` file). */
  otherFiles?: string[];
  message: string;
  /** Source ids of its parents (Alembic); undefined: the previous migration in the list. */
  parents?: string[];
  /** The SQL of the up section (SQL migrations). */
  up?: string;
  /** The SQL of the down section; undefined when the source has no down. */
  down?: string;
  /** A TypeScript (Kysely) migration: the module text, kept as it is. */
  ts?: { text: string; hasDown: boolean };
  /** false: run outside a transaction (the source said so). */
  transactional?: boolean;
}

/** What a source folder holds. */
export interface SourceSet {
  tool: ImportTool;
  /** The folder, absolute. */
  dir: string;
  /** In the order the tool applies them (parents before children). */
  migrations: SourceMigration[];
  report: ReportItem[];
}

/** Options of {@link readSource}. */
export interface ReadSourceOptions {
  /** Flyway placeholders (`${name}`) to substitute; others are reported and left as written. */
  placeholders?: Record<string, string>;
  /** Alembic: `'offline'` (Alembic's own `--sql` mode, needs `python`), `'static'` (the op.* calls read without Python), or `'auto'`
   * (offline when Alembic imports, else static). Default `'auto'`. */
  alembicMode?: 'auto' | 'offline' | 'static';
  /** Alembic: the Python interpreter(s) to try, in order. Default `['python3', '/usr/bin/python3']`. */
  python?: string[];
  /** Alembic: the `alembic.ini` to use with the offline mode. Default: the first `alembic.ini` in the folder or its parent. */
  alembicIni?: string;
  /** Environment for the Python process (the CLI passes its own). Default: empty apart from PATH-less defaults. */
  env?: Record<string, string | undefined>;
}
