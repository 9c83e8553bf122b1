import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { StrataError } from '@pg-strata/core';
import { splitStatements } from '@pg-strata/sql';
import { listFiles, readText } from './files.js';
import { translateBody } from './alembic-static.js';
import { evalPy, kids, str, type PyVal } from './python-values.js';
import type { ReadSourceOptions, ReportItem, SourceMigration, SourceSet } from './types.js';

/** One Alembic revision file as read statically. */
interface AlembicFile {
  file: string;
  text: string;
  revision: string;
  downRevisions: string[];
  dependsOn: string[];
  message: string;
  upgrade?: SyntaxNode;
  downgrade?: SyntaxNode;
  names: Map<string, PyVal>;
}

function strings(v: PyVal | undefined): string[] {
  if (!v || v.kind === 'none') return [];
  if (v.kind === 'str') return [v.value];
  if (v.kind === 'list') return v.items.flatMap((i) => (i.kind === 'str' ? [i.value] : []));
  return [];
}

function readRevisionFile(file: string, text: string): AlembicFile | undefined {
  const tree = parser.parse(text);
  const names = new Map<string, PyVal>();
  const out: Partial<AlembicFile> = { file, text, names };
  let docstring: string | undefined;
  for (let n = tree.topNode.firstChild; n; n = n.nextSibling) {
    if (n.name === 'ExpressionStatement' && docstring === undefined && n.firstChild?.name === 'String') {
      docstring = str(evalPy(text, n.firstChild)) ?? '';
    } else if (n.name === 'AssignStatement') {
      const k = kids(n);
      if (k.length === 3 && k[0]!.name === 'VariableName' && k[1]!.name === 'AssignOp') {
        names.set(text.slice(k[0]!.from, k[0]!.to), evalPy(text, k[2]!, names));
      } else if (k.length === 4 && k[0]!.name === 'VariableName' && k[1]!.name === 'TypeDef' && k[2]!.name === 'AssignOp') {
        names.set(text.slice(k[0]!.from, k[0]!.to), evalPy(text, k[3]!, names));
      }
    } else if (n.name === 'FunctionDefinition') {
      const fname = kids(n).find((c) => c.name === 'VariableName');
      const body = kids(n).find((c) => c.name === 'Body');
      const name = fname ? text.slice(fname.from, fname.to) : '';
      if (name === 'upgrade' && body) out.upgrade = body;
      if (name === 'downgrade' && body) out.downgrade = body;
    }
    if (docstring === undefined && n.name !== 'Comment') docstring = docstring ?? undefined;
  }
  const revision = str(names.get('revision'));
  if (revision === undefined) return undefined;
  out.revision = revision;
  out.downRevisions = strings(names.get('down_revision'));
  out.dependsOn = strings(names.get('depends_on'));
  const first = (docstring ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  out.message =
    first ??
    file
      .replace(/^.*\//, '')
      .replace(/\.py$/, '')
      .replace(/^[0-9a-f]+_/, '')
      .replace(/_/g, ' ');
  return out as AlembicFile;
}

/** The Alembic project folder (`script_location`) and its versions folder, from the folder given. */
function alembicFolders(dir: string): { scriptDir: string; versionsDir: string } {
  if (existsSync(join(dir, 'versions')) && statSync(join(dir, 'versions')).isDirectory())
    return { scriptDir: dir, versionsDir: join(dir, 'versions') };
  return { scriptDir: dirname(dir), versionsDir: dir };
}

/**
 * Alembic: the revisions of a `versions/` folder (or of the project folder
 * holding one), parents from `down_revision` (merges kept), `depends_on` added
 * as parents. SQL from Alembic's offline mode when it imports, else from the
 * `op.*` calls read statically.
 */
export async function readAlembic(dir: string, options: ReadSourceOptions): Promise<SourceSet> {
  const report: ReportItem[] = [];
  const { scriptDir, versionsDir } = alembicFolders(dir);
  const files: AlembicFile[] = [];
  for (const f of listFiles(versionsDir, true)) {
    const rel = relative(dir, join(versionsDir, f)).split('\\').join('/');
    if (!f.endsWith('.py')) {
      if (!f.endsWith('.pyc'))
        report.push({ file: rel, kind: 'unsupported-file', severity: 'warning', message: 'not a Python revision file: ignored.' });
      continue;
    }
    if (f.endsWith('__init__.py')) continue;
    const r = readRevisionFile(rel, readText(versionsDir, f));
    if (!r) {
      report.push({
        file: rel,
        kind: 'unsupported-file',
        severity: 'warning',
        message: "no `revision = '...'` string at module level: not an Alembic revision, ignored.",
      });
      continue;
    }
    files.push(r);
  }
  const byRev = new Map<string, AlembicFile>();
  for (const f of files) {
    const dup = byRev.get(f.revision);
    if (dup)
      throw new StrataError('USAGE', `Alembic: revision ${f.revision} is defined by ${dup.file} and ${f.file}.`, {
        meta: { revision: f.revision },
      });
    byRev.set(f.revision, f);
  }
  // Parents before children; among ready revisions, file name order.
  const ordered: AlembicFile[] = [];
  const done = new Set<string>();
  const parentsOf = (f: AlembicFile) => [...f.downRevisions, ...f.dependsOn.filter((d) => !f.downRevisions.includes(d))];
  for (const f of files) {
    for (const p of parentsOf(f))
      if (!byRev.has(p))
        throw new StrataError('USAGE', `Alembic: ${f.file} follows ${p}, which no revision file defines.`, {
          meta: { file: f.file, parent: p },
        });
    if (f.dependsOn.length)
      report.push({
        file: f.file,
        kind: 'depends-on',
        severity: 'warning',
        message: `depends_on ${f.dependsOn.join(', ')}: kept as extra parent(s) in Strata's graph.`,
      });
  }
  const pending = [...files].sort((a, b) => (a.file < b.file ? -1 : 1));
  while (pending.length) {
    const i = pending.findIndex((f) => parentsOf(f).every((p) => done.has(p)));
    if (i < 0) throw new StrataError('USAGE', `Alembic: the revisions form a cycle (${pending.map((f) => f.revision).join(', ')}).`);
    const [f] = pending.splice(i, 1);
    ordered.push(f!);
    done.add(f!.revision);
  }
  const mode = options.alembicMode ?? 'auto';
  let offline: Map<string, { up: string; down?: string }> | undefined;
  if (mode !== 'static') {
    const python = alembicAvailable(options.python, options.env);
    if (python) offline = runOffline(python, scriptDir, ordered, options, report);
    else if (mode === 'offline')
      throw new StrataError(
        'USAGE',
        `Alembic's offline mode needs Python with Alembic installed (tried ` +
          `${(options.python ?? DEFAULT_PYTHONS).join(', ')}): install it (pip install alembic, or apt-get ` +
          `install python3-alembic) or use --alembic-mode static.`,
      );
  }
  const migrations = ordered.map((f): SourceMigration => {
    const m: SourceMigration = { id: f.revision, file: f.file, message: f.message, parents: parentsOf(f) };
    if (offline) {
      const o = offline.get(f.revision);
      m.up = o?.up ?? '';
      m.down = o?.down ?? '';
    } else {
      m.up = f.upgrade ? translateBody(f, f.upgrade, report) : '';
      if (f.downgrade) m.down = translateBody(f, f.downgrade, report);
      else
        report.push({ file: f.file, kind: 'no-down', severity: 'warning', message: 'no downgrade(): the revision has no down section.' });
    }
    return m;
  });
  if (!offline)
    report.unshift({
      file: relative(dir, versionsDir) || '.',
      kind: 'static',
      severity: 'warning',
      message: 'translated statically from the op.* calls (Alembic was not available or --alembic-mode static).',
    });
  return { tool: 'alembic', dir, migrations, report };
}

const DEFAULT_PYTHONS = ['python3', '/usr/bin/python3'];

/** The first Python that imports Alembic, or undefined. */
export function alembicAvailable(pythons: string[] = DEFAULT_PYTHONS, env?: Record<string, string | undefined>): string | undefined {
  for (const py of pythons) {
    const r = spawnSync(py, ['-c', 'import alembic, sqlalchemy'], {
      stdio: 'ignore',
      ...(env ? { env: env as NodeJS.ProcessEnv } : {}),
      timeout: 20_000,
    });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** Split Alembic's `--sql` output into revisions at its `-- Running upgrade a -> b` comments, dropping its own bookkeeping. */
function splitOffline(out: string, direction: 'upgrade' | 'downgrade'): Map<string, string> {
  const re = new RegExp(`^-- Running ${direction} (.*?) -> (.*?)\\s*$`, 'gm');
  const marks = [...out.matchAll(re)];
  const chunks = new Map<string, string>();
  marks.forEach((m, i) => {
    const rev = (direction === 'upgrade' ? m[2]! : m[1]!).trim();
    const body = out.slice(m.index! + m[0].length, marks[i + 1]?.index ?? out.length);
    const kept: string[] = [];
    for (const s of splitStatements(body).statements) {
      const t = body.slice(s.start, s.end).trim();
      if (/\balembic_version\b/.test(t) || /^(BEGIN|COMMIT)\s*;?$/i.test(t)) continue;
      kept.push(t.endsWith(';') ? t : `${t};`);
    }
    if (!chunks.has(rev)) chunks.set(rev, kept.join('\n\n'));
  });
  return chunks;
}

function runOffline(
  python: string,
  scriptDir: string,
  ordered: AlembicFile[],
  options: ReadSourceOptions,
  report: ReportItem[],
): Map<string, { up: string; down?: string }> {
  const ini = options.alembicIni ?? [join(scriptDir, 'alembic.ini'), join(dirname(scriptDir), 'alembic.ini')].find((p) => existsSync(p));
  if (!ini)
    throw new StrataError(
      'USAGE',
      `Alembic's offline mode needs an alembic.ini (none in ${scriptDir} or its parent): pass ` +
        `--alembic-ini FILE, or --alembic-mode static.`,
    );
  const run = (args: string[]): string => {
    // No __pycache__ left in the imported project (the import reads it, nothing more).
    const env = options.env ? { env: { ...options.env, PYTHONDONTWRITEBYTECODE: '1' } as NodeJS.ProcessEnv } : {};
    const r = spawnSync(python, ['-m', 'alembic', '-c', ini, ...args, '--sql'], {
      cwd: dirname(ini),
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      ...env,
      timeout: 300_000,
    });
    if (r.status !== 0) {
      const err = (r.stderr || r.error?.message || '').trim().split('\n').slice(-6).join('\n');
      throw new StrataError(
        'USAGE',
        `alembic ${args.join(' ')} --sql failed (exit ${r.status}):\n${err}\nFix the project's offline ` +
          `mode (env.py's run_migrations_offline), or use --alembic-mode static.`,
        { meta: { args } },
      );
    }
    return r.stdout;
  };
  const up = splitOffline(run(['upgrade', 'heads']), 'upgrade');
  const heads = ordered.filter((f) => !ordered.some((g) => g.downRevisions.includes(f.revision) || g.dependsOn.includes(f.revision)));
  const down = new Map<string, string>();
  for (const h of heads)
    for (const [k, v] of splitOffline(run(['downgrade', `${h.revision}:base`]), 'downgrade')) if (!down.has(k)) down.set(k, v);
  const out = new Map<string, { up: string; down?: string }>();
  for (const f of ordered) {
    if (!up.has(f.revision))
      report.push({
        file: f.file,
        kind: 'offline',
        severity: 'error',
        message: "Alembic's offline upgrade printed nothing for this revision: check it by hand.",
      });
    out.set(f.revision, { up: up.get(f.revision) ?? '', down: down.get(f.revision) ?? '' });
  }
  return out;
}

/** Translate one Alembic revision file's upgrade() and downgrade() statically (for tests and previews). */
export function translateAlembicStatic(file: string, text: string): { up: string; down?: string; report: ReportItem[] } {
  const report: ReportItem[] = [];
  const f = readRevisionFile(file, text);
  if (!f) throw new StrataError('USAGE', `${file}: no \`revision = '...'\` at module level.`);
  const r: { up: string; down?: string; report: ReportItem[] } = { up: f.upgrade ? translateBody(f, f.upgrade, report) : '', report };
  if (f.downgrade) r.down = translateBody(f, f.downgrade, report);
  return r;
}
