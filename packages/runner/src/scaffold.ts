import { randomBytes } from 'node:crypto';
// Synchronous file calls: one small file each, and node:fs/promises would be
// loaded (~2 ms) by every `migrate` process, which imports this module.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StrataError } from '@pg-strata/core';
import { loadMigrations } from './migration-file.js';
import { buildGraph, multipleHeadsError } from './revision-graph.js';

/** Options of {@link createMigration}. */
export interface CreateMigrationOptions {
  /** Write a TypeScript (Kysely) migration instead of SQL. Default `false`. */
  ts?: boolean;
  /** Parent revisions (ids or unique prefixes). Default: the single current head (none for the first migration). */
  parents?: string[];
  /** SQL of the up and down sections (SQL migrations only), e.g. from autogenerate. Default: empty sections. */
  body?: { up: string; down: string; comment?: string; transactional?: boolean };
}

/** The file-name part of a migration's message: lower case, `_` between words, at most 48 characters (`migration` when empty). */
export function slugOf(message: string): string {
  const slug = message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 48)
    .replace(/_+$/g, '');
  return slug || 'migration';
}

function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

async function write(
  dir: string,
  message: string,
  parents: string[],
  ts: boolean,
  taken: Set<string>,
  nextNumber: number,
  body?: CreateMigrationOptions['body'],
): Promise<{ path: string; revision: string }> {
  let revision = randomBytes(6).toString('hex');
  while (taken.has(revision)) revision = randomBytes(6).toString('hex');
  const name = `${String(nextNumber).padStart(4, '0')}_${slugOf(message)}.${ts ? 'ts' : 'sql'}`;
  const msg = oneLine(message);
  const text = ts
    ? `import type { Kysely } from 'kysely';
// import { sql } from 'kysely'; // for raw SQL: await sql\`...\`.execute(db)

export const revision = '${revision}';
export const parents: string[] = [${parents.map((p) => `'${p}'`).join(', ')}];
export const message = ${JSON.stringify(msg)};

export async function up(db: Kysely<any>): Promise<void> {
}

export async function down(db: Kysely<any>): Promise<void> {
}
`
    : `-- revision: ${revision}
-- parents: ${parents.length > 0 ? parents.join(', ') : 'none'}
-- message: ${msg}
${body?.transactional === false ? '-- transactional: false\n' : ''}` +
      `${body?.comment ? `${body.comment.replace(/^/gm, '-- ').trimEnd()}\n` : ''}
-- migrate:up
${body ? `${body.up.trimEnd()}\n` : '\n'}
-- migrate:down
${body ? `${body.down.trimEnd()}\n` : ''}`;
  const path = join(resolve(dir), name);
  try {
    writeFileSync(path, text, { flag: 'wx' });
  } catch (err) {
    throw new StrataError('USAGE', `Cannot write ${path}: ${(err as Error).message}`, { cause: err, meta: { path } });
  }
  return { path, revision };
}

/**
 * Write the next `NNNN_slug.sql` (or `.ts`) with a fresh 12-hex revision.
 * Its parent is the single current head; with several heads, pass `parents`
 * or write a merge first (`mergeHeads`).
 */
export async function createMigration(
  dir: string,
  message: string,
  options: CreateMigrationOptions = {},
): Promise<{ path: string; revision: string }> {
  const set = await loadMigrations(dir);
  const graph = buildGraph(set);
  let parents: string[];
  if (options.parents && options.parents.length > 0) parents = options.parents.map((p) => graph.resolve(p).revision);
  else if (graph.heads.length > 1) throw multipleHeadsError(graph, 'Cannot choose a parent for the new migration');
  else parents = [...graph.heads];
  const next = Math.max(0, ...set.migrations.map((m) => (Number.isNaN(m.number) ? 0 : m.number))) + 1;
  if (options.body && options.ts) throw new StrataError('USAGE', 'Generated migrations are SQL: drop --ts.');
  return await write(dir, message, parents, !!options.ts, new Set(set.migrations.map((m) => m.revision)), next, options.body);
}

/** Write a merge revision whose parents are all current heads (an SQL file with empty sections). */
export async function mergeHeads(dir: string, message?: string): Promise<{ path: string; revision: string; parents: string[] }> {
  const set = await loadMigrations(dir);
  const graph = buildGraph(set);
  if (graph.heads.length < 2) {
    throw new StrataError(
      'USAGE',
      `Nothing to merge: the migrations have ${graph.heads.length === 0 ? 'no head' : `a single head (${graph.heads[0]})`}.`,
      { meta: { heads: [...graph.heads] } },
    );
  }
  const parents = [...graph.heads];
  const next = Math.max(0, ...set.migrations.map((m) => (Number.isNaN(m.number) ? 0 : m.number))) + 1;
  const written = await write(
    dir,
    message ?? `merge ${parents.join(', ')}`,
    parents,
    false,
    new Set(set.migrations.map((m) => m.revision)),
    next,
  );
  return { ...written, parents };
}

const README = `# Migrations

One file per migration, applied by Strata (\`strata up\`). Create one with
\`strata new "add users.email_verified"\` (or \`--ts\` for a Kysely migration).

\`\`\`sql
-- revision: 3f2a9c1e7b40
-- parents: 1a2b3c4d5e6f
-- message: add users.email_verified

-- migrate:up
ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false;

-- migrate:down
ALTER TABLE users DROP COLUMN email_verified;
\`\`\`

Do not edit a migration once it has been applied anywhere: write a new one.
`;

/** Create the migrations folder `dir` (the folder itself, not its parent) with a README.md; existing files are kept. */
export async function initProject(dir: string): Promise<{ created: string[] }> {
  const abs = resolve(dir);
  const created: string[] = [];
  const made = mkdirSync(abs, { recursive: true });
  if (made !== undefined) created.push(abs);
  const readme = join(abs, 'README.md');
  try {
    writeFileSync(readme, README, { flag: 'wx' });
    created.push(readme);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new StrataError('USAGE', `Cannot write ${readme}: ${(err as Error).message}`, { cause: err });
  }
  return { created };
}
