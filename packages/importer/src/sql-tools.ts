import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError } from '@pg-strata/core';
import { locationOf } from '@pg-strata/sql';
import { compareNumeric, compareVersions, listFiles, readText, stripTransactionControl, words } from './files.js';
import type { ReadSourceOptions, ReportItem, SourceMigration, SourceSet } from './types.js';

const FLYWAY_RE = /^(?:.*\/)?([VUB])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const FLYWAY_R_RE = /^(?:.*\/)?R__(.+)\.sql$/;
const FLYWAY_CALLBACK_RE = /^(?:.*\/)?(before|after)[A-Z][A-Za-z]*(__.*)?\.sql$/;
const FLYWAY_BUILTIN = new Set([
  'flyway:defaultSchema',
  'flyway:user',
  'flyway:database',
  'flyway:timestamp',
  'flyway:filename',
  'flyway:workingDirectory',
  'flyway:table',
  'flyway:environment',
]);

/** Flyway's `${name}` placeholders: substituted from `values`, `${flyway:filename}` from the file, the rest reported. */
function flywayPlaceholders(sql: string, file: string, values: Record<string, string>, report: ReportItem[]): string {
  const base = file.split('/').pop()!;
  return sql.replace(/\$\{([A-Za-z0-9_.:-]+)\}/g, (whole, name: string, offset: number) => {
    if (name in values) return values[name]!;
    if (name === 'flyway:filename') return base;
    const { line } = locationOf(sql, offset);
    report.push({
      file,
      line,
      kind: 'placeholder',
      severity: 'error',
      message:
        `placeholder ${whole}${FLYWAY_BUILTIN.has(name) ? ' (a Flyway built-in)' : ''} has no value: ` +
        `left as written, so the migration fails until it is replaced (give it with --placeholder ${name}` +
        `=VALUE, or edit the file).`,
    });
    return whole;
  });
}

/** Flyway's per-script `.sql.conf`: `executeInTransaction=false` is carried over; other keys are reported. */
function flywayScriptConfig(dir: string, file: string, report: ReportItem[]): { transactional?: boolean } {
  const conf = `${file}.conf`;
  if (!existsSync(join(dir, conf))) return {};
  const out: { transactional?: boolean } = {};
  readText(dir, conf)
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const m = /^([A-Za-z.]+)\s*=\s*(.*)$/.exec(line);
      if (m && m[1] === 'executeInTransaction') out.transactional = m[2]!.trim().toLowerCase() !== 'false';
      else
        report.push({
          file: conf,
          line: i + 1,
          kind: 'script-config',
          severity: 'warning',
          message: `'${line}' is not carried over (only executeInTransaction is).`,
        });
    });
  return out;
}

/**
 * Flyway: `V<version>__<description>.sql` (versioned, in version order),
 * `U<version>__...sql` (undo: the down section), `R__<description>.sql`
 * (repeatable: after every versioned migration, by description), `B<version>__`
 * (baseline: the versioned migrations it replaces are still imported). Folders
 * are read recursively, as Flyway scans its locations.
 */
export function readFlyway(dir: string, options: ReadSourceOptions): SourceSet {
  const report: ReportItem[] = [];
  const placeholders = options.placeholders ?? {};
  const versioned = new Map<string, { file: string; description: string }>();
  const undo = new Map<string, string>();
  const repeatable: { file: string; description: string }[] = [];
  for (const file of listFiles(dir, true)) {
    const v = FLYWAY_RE.exec(file);
    if (v) {
      const version = v[2]!.replace(/_/g, '.');
      const normal = version.replace(/(\.0+)+$/, '') || '0';
      if (v[1] === 'U') undo.set(normal, file);
      else if (v[1] === 'B')
        report.push({
          file,
          kind: 'baseline-migration',
          severity: 'warning',
          message:
            `baseline migration ${version} not imported: the versioned migrations it stands for are (a ` +
            `database baselined by it is stamped from its history row).`,
        });
      else {
        const prev = versioned.get(normal);
        if (prev)
          throw new StrataError('USAGE', `Flyway: two migrations with version ${version}: ${prev.file} and ${file}.`, {
            meta: { files: [prev.file, file] },
          });
        versioned.set(normal, { file, description: words(v[3]!) });
      }
      continue;
    }
    const r = FLYWAY_R_RE.exec(file);
    if (r) {
      repeatable.push({ file, description: words(r[1]!) });
      continue;
    }
    if (file.endsWith('.sql.conf')) continue;
    if (FLYWAY_CALLBACK_RE.test(file)) {
      report.push({
        file,
        kind: 'callback',
        severity: 'error',
        message: 'Flyway callback not carried over: Strata runs no SQL around its migrations; run it yourself or fold it into a migration.',
      });
      continue;
    }
    if (/\.(java|class|kt|scala)$/.test(file)) {
      report.push({
        file,
        kind: 'java-migration',
        severity: 'error',
        message:
          'Java-based migration not carried over: write its SQL into the revision named after it (none ' +
          'was made: Strata cannot tell its version from here unless it follows V<version>__).',
      });
      continue;
    }
    if (/\.(sql)$/.test(file))
      report.push({
        file,
        kind: 'unsupported-file',
        severity: 'warning',
        message: 'not a Flyway migration name (V<version>__<description>.sql, U..., R__...): ignored, as Flyway ignores it.',
      });
  }
  const migrations: SourceMigration[] = [];
  for (const [version, { file, description }] of [...versioned].sort((a, b) => compareVersions(a[0], b[0]))) {
    const cfg = flywayScriptConfig(dir, file, report);
    const undoFile = undo.get(version);
    undo.delete(version);
    const m: SourceMigration = {
      id: version,
      file,
      message: description,
      up: flywayPlaceholders(readText(dir, file), file, placeholders, report),
    };
    if (undoFile) {
      m.down = flywayPlaceholders(readText(dir, undoFile), undoFile, placeholders, report);
      m.otherFiles = [undoFile];
    } else
      report.push({
        file,
        kind: 'no-down',
        severity: 'warning',
        message: 'no undo (U) migration: the revision has no down section, so `strata down` past it is refused.',
      });
    if (cfg.transactional === false) m.transactional = false;
    migrations.push(m);
  }
  for (const [version, file] of undo)
    report.push({
      file,
      kind: 'orphan-undo',
      severity: 'warning',
      message: `undo migration for version ${version}, which has no V file: ignored.`,
    });
  for (const { file, description } of repeatable.sort((a, b) =>
    a.description < b.description ? -1 : a.description > b.description ? 1 : 0,
  )) {
    const cfg = flywayScriptConfig(dir, file, report);
    report.push({
      file,
      kind: 'repeatable',
      severity: 'warning',
      message:
        'repeatable migration: imported once, after the versioned ones (Flyway re-applies it when it ' +
        'changes; with Strata, put a change in a new migration).',
    });
    const m: SourceMigration = {
      id: `R:${description}`,
      file,
      message: description,
      up: flywayPlaceholders(readText(dir, file), file, placeholders, report),
    };
    if (cfg.transactional === false) m.transactional = false;
    migrations.push(m);
  }
  return { tool: 'flyway', dir, migrations, report };
}

/** dbmate's section markers, with its `transaction:false` option. */
const DBMATE_MARKER_RE = /^--\s*migrate:(up|down)\b(.*)$/gim;

/** dbmate: `<version>_<name>.sql` with `-- migrate:up` / `-- migrate:down` sections. */
export function readDbmate(dir: string): SourceSet {
  const report: ReportItem[] = [];
  const found: { version: string; file: string; name: string }[] = [];
  for (const file of listFiles(dir)) {
    const m = /^(\d+)_?(.*)\.sql$/.exec(file);
    if (!m) {
      report.push({
        file,
        kind: 'unsupported-file',
        severity: 'warning',
        message: 'not a dbmate migration name (<version>_<name>.sql): ignored, as dbmate ignores it.',
      });
      continue;
    }
    found.push({ version: m[1]!, file, name: words(m[2]!) });
  }
  found.sort((a, b) => compareNumeric(a.version, b.version) || (a.file < b.file ? -1 : 1));
  const migrations = found.map(({ version, file, name }) => {
    const text = readText(dir, file);
    const marks = [...text.matchAll(DBMATE_MARKER_RE)];
    const up = marks.find((x) => x[1]!.toLowerCase() === 'up');
    if (!up) throw new StrataError('USAGE', `dbmate: ${file} has no '-- migrate:up' line.`, { meta: { file } });
    const section = (dirn: string) => {
      const i = marks.findIndex((x) => x[1]!.toLowerCase() === dirn);
      if (i < 0) return undefined;
      const mk = marks[i]!;
      const start = mk.index! + mk[0].length;
      const end = marks[i + 1]?.index ?? text.length;
      return {
        sql: text.slice(start, end).replace(/^\r?\n/, ''),
        noTx: /transaction\s*:\s*false/i.test(mk[2]!),
        line: locationOf(text, start).line,
      };
    };
    const u = section('up')!;
    const d = section('down');
    const sm: SourceMigration = { id: version, file, message: name, up: stripTransactionControl(u.sql, file, report, u.line) };
    if (d) sm.down = stripTransactionControl(d.sql, file, report, d.line);
    else
      report.push({
        file,
        kind: 'no-down',
        severity: 'warning',
        message: "no '-- migrate:down' section: the revision has none, so `strata down` past it is refused.",
      });
    if (u.noTx || d?.noTx) {
      sm.transactional = false;
      if (u.noTx !== Boolean(d?.noTx) && d)
        report.push({
          file,
          kind: 'transaction',
          severity: 'warning',
          message: 'transaction:false on one section only: Strata marks the whole migration non-transactional.',
        });
    }
    return sm;
  });
  return { tool: 'dbmate', dir, migrations, report };
}

/** golang-migrate: `<version>_<title>.up.sql` and `.down.sql`. */
export function readGolangMigrate(dir: string): SourceSet {
  const report: ReportItem[] = [];
  const byVersion = new Map<string, { up?: string; down?: string; title: string }>();
  for (const file of listFiles(dir)) {
    const m = /^(\d+)_(.*)\.(up|down)\.(\w+)$/.exec(file);
    if (!m) {
      report.push({
        file,
        kind: 'unsupported-file',
        severity: 'warning',
        message: 'not a golang-migrate file name (<version>_<title>.up.sql / .down.sql): ignored, as golang-migrate ignores it.',
      });
      continue;
    }
    if (m[4] !== 'sql') {
      report.push({ file, kind: 'unsupported-file', severity: 'error', message: `a .${m[4]} migration (not SQL) is not carried over.` });
      continue;
    }
    const version = BigInt(m[1]!).toString();
    const e = byVersion.get(version) ?? { title: words(m[2]!) };
    if (e[m[3] as 'up' | 'down'])
      throw new StrataError('USAGE', `golang-migrate: two ${m[3]} files for version ${version}.`, { meta: { file } });
    e[m[3] as 'up' | 'down'] = file;
    byVersion.set(version, e);
  }
  const migrations: SourceMigration[] = [];
  for (const [version, e] of [...byVersion].sort((a, b) => compareNumeric(a[0], b[0]))) {
    const file = e.up ?? e.down!;
    const sm: SourceMigration = {
      id: version,
      file,
      message: e.title,
      up: e.up ? stripTransactionControl(readText(dir, e.up), e.up, report) : '',
    };
    if (!e.up)
      report.push({ file, kind: 'no-up', severity: 'warning', message: 'only a down file: the revision has an empty up section.' });
    if (e.down) {
      sm.down = stripTransactionControl(readText(dir, e.down), e.down, report);
      if (e.up) sm.otherFiles = [e.down];
    } else
      report.push({
        file,
        kind: 'no-down',
        severity: 'warning',
        message: 'no .down.sql: the revision has no down section, so `strata down` past it is refused.',
      });
    migrations.push(sm);
  }
  return { tool: 'golang-migrate', dir, migrations, report };
}

const GOOSE_ANNOTATION_RE = /^\s*--\s*\+goose\s+(.*?)\s*$/i;

/** goose: `<version>_<name>.sql` with `-- +goose Up` / `-- +goose Down`; `.go` migrations are reported and kept as empty revisions. */
export function readGoose(dir: string): SourceSet {
  const report: ReportItem[] = [];
  const found: { version: string; file: string; name: string; go: boolean }[] = [];
  for (const file of listFiles(dir)) {
    const m = /^(\d+)_(.*)\.(sql|go)$/.exec(file);
    if (!m || file.endsWith('_test.go')) {
      if (!/\.go$/.test(file) || !file.endsWith('_test.go'))
        report.push({
          file,
          kind: 'unsupported-file',
          severity: 'warning',
          message: 'not a goose migration name (<version>_<name>.sql or .go): ignored, as goose ignores it.',
        });
      continue;
    }
    found.push({ version: BigInt(m[1]!).toString(), file, name: words(m[2]!), go: m[3] === 'go' });
  }
  found.sort((a, b) => compareNumeric(a.version, b.version));
  const migrations = found.map(({ version, file, name, go }): SourceMigration => {
    if (go) {
      report.push({
        file,
        kind: 'go-migration',
        severity: 'error',
        message:
          'Go migration not carried over: its revision is empty (up and down) so that the order and the ' +
          'history match; write its SQL there before running it on a database that does not have it yet.',
      });
      return {
        id: version,
        file,
        message: name,
        up: '-- (import) Go migration not carried over: write its SQL here.\n',
        down: '-- (import) Go migration not carried over: write its SQL here.\n',
      };
    }
    const text = readText(dir, file);
    const lines = text.split('\n');
    const sections: Record<'up' | 'down', string[] | undefined> = { up: undefined, down: undefined };
    let cur: 'up' | 'down' | undefined;
    let noTx = false;
    lines.forEach((raw, i) => {
      const a = GOOSE_ANNOTATION_RE.exec(raw);
      if (!a) {
        if (cur) sections[cur]!.push(raw);
        return;
      }
      const what = a[1]!.toLowerCase();
      if (what === 'up' || what === 'down') {
        cur = what;
        sections[cur] = sections[cur] ?? [];
      } else if (what === 'no transaction') noTx = true;
      else if (what === 'statementbegin' || what === 'statementend') {
        // Statement grouping: Strata's splitter already keeps function bodies whole.
      } else if (what.startsWith('envsub')) {
        report.push({
          file,
          line: i + 1,
          kind: 'env-substitution',
          severity: 'error',
          message:
            `'-- +goose ${a[1]}': environment variables are not substituted on import; replace each \${VAR} ` +
            `in the revision by its value.`,
        });
      } else
        report.push({
          file,
          line: i + 1,
          kind: 'annotation',
          severity: 'warning',
          message: `annotation '-- +goose ${a[1]}' is not carried over.`,
        });
    });
    if (!sections.up) throw new StrataError('USAGE', `goose: ${file} has no '-- +goose Up' annotation.`, { meta: { file } });
    const sm: SourceMigration = { id: version, file, message: name, up: stripTransactionControl(sections.up.join('\n'), file, report) };
    if (sections.down) sm.down = stripTransactionControl(sections.down.join('\n'), file, report);
    else
      report.push({
        file,
        kind: 'no-down',
        severity: 'warning',
        message: "no '-- +goose Down' section: the revision has no down section, so `strata down` past it is refused.",
      });
    if (noTx) sm.transactional = false;
    return sm;
  });
  return { tool: 'goose', dir, migrations, report };
}

/**
 * Prisma: `<folder>/migration.sql` per migration, folders in name order. A
 * `down.sql` beside it (a common convention: `prisma migrate diff --script`
 * written there) becomes the down section.
 */
export function readPrisma(dir: string): SourceSet {
  const report: ReportItem[] = [];
  const all = listFiles(dir, true);
  const lock = all.find((f) => f === 'migration_lock.toml');
  if (lock) {
    const provider = /provider\s*=\s*"([^"]+)"/.exec(readText(dir, lock))?.[1];
    if (provider && provider !== 'postgresql' && provider !== 'postgres')
      throw new StrataError(
        'USAGE',
        `Prisma: migration_lock.toml says provider = "${provider}"; Strata imports PostgreSQL migrations only.`,
        { meta: { provider } },
      );
  }
  const folders = [...new Set(all.filter((f) => /^[^/]+\/migration\.sql$/.test(f)).map((f) => f.split('/')[0]!))].sort();
  for (const f of all) {
    if (f === 'migration_lock.toml' || /^[^/]+\/(migration|down)\.sql$/.test(f)) continue;
    report.push({
      file: f,
      kind: 'unsupported-file',
      severity: 'warning',
      message: 'not part of a Prisma migration (<folder>/migration.sql): ignored, as Prisma ignores it.',
    });
  }
  const migrations = folders.map((folder): SourceMigration => {
    const file = `${folder}/migration.sql`;
    const m: SourceMigration = {
      id: folder,
      file,
      message: words(folder.replace(/^\d+_?/, '')) || folder,
      up: stripTransactionControl(readText(dir, file), file, report),
    };
    if (all.includes(`${folder}/down.sql`)) {
      m.down = stripTransactionControl(readText(dir, `${folder}/down.sql`), `${folder}/down.sql`, report);
      m.otherFiles = [`${folder}/down.sql`];
    } else
      report.push({
        file,
        kind: 'no-down',
        severity: 'warning',
        message:
          'Prisma migrations have no down: the revision has no down section, so `strata down` past it is ' +
          'refused (add one by hand, or a down.sql beside migration.sql before importing).',
      });
    return m;
  });
  return { tool: 'prisma', dir, migrations, report };
}
