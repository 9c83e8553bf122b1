import { StrataError } from '@pg-strata/core';
import type { MigrationFile, MigrationSet } from './types.js';

/** The validated revision graph of a migration set (Alembic semantics: explicit parents, branches, merges). */
export interface RevisionGraph {
  /** Migrations in execution order: topological, ties broken by file number then name. */
  readonly order: readonly MigrationFile[];
  /** Revisions with no children, in execution order. */
  readonly heads: readonly string[];
  /** Revisions with no parents (at most one). */
  readonly roots: readonly string[];
  /** The migration of an exact revision id. */
  get(revision: string): MigrationFile | undefined;
  /** Position of a revision in {@link RevisionGraph.order}. */
  indexOf(revision: string): number;
  /** Revisions whose parents include `revision`. */
  children(revision: string): readonly string[];
  /** An exact id or a unique prefix; throws MIGRATION_UNKNOWN_REVISION / MIGRATION_AMBIGUOUS_REVISION. */
  resolve(revisionOrPrefix: string): MigrationFile;
  /** Ancestors of `revision`, itself included when `inclusive` (default `true`). */
  ancestors(revision: string, inclusive?: boolean): Set<string>;
  /** Descendants of `revision`, itself included when `inclusive` (default `true`). */
  descendants(revision: string, inclusive?: boolean): Set<string>;
  /** The applied set implied by version-table heads: every ancestor of each head. Unknown heads are returned apart. */
  appliedFrom(heads: readonly string[]): { applied: Set<string>; unknown: string[] };
  /** The maximal elements of an applied set, in execution order. */
  headsOf(applied: ReadonlySet<string>): string[];
}

const fileOf = (m: MigrationFile) => m.file;
const NONE: readonly string[] = Object.freeze([]);

/** Validate a migration set and build its graph; graph errors name the files involved. */
export function buildGraph(set: MigrationSet): RevisionGraph {
  const byRevision = new Map<string, MigrationFile>();
  for (const m of set.migrations) {
    const other = byRevision.get(m.revision);
    if (other) {
      throw new StrataError(
        'MIGRATION_DUPLICATE_REVISION',
        `Revision ${m.revision} is defined twice: in ${other.file} and in ${m.file}. Give one of them a ` +
          `new revision id (and update the parents that point at it).`,
        {
          meta: { revision: m.revision, files: [other.file, m.file] },
        },
      );
    }
    byRevision.set(m.revision, m);
  }
  // A revision's children, in file order; a revision without children has no
  // entry (NONE). Lists start as one-element literals: an empty array that is
  // pushed to grows a 17-slot backing store, for a list that nearly always
  // holds one revision.
  const children = new Map<string, string[]>();
  for (const m of set.migrations) {
    for (let i = 0; i < m.parents.length; i++) {
      const p = m.parents[i]!;
      if (!byRevision.has(p)) {
        throw new StrataError(
          'MIGRATION_MISSING_PARENT',
          `${m.file} (revision ${m.revision}) names parent ${p}, but no migration file has that revision. ` +
            `Fix the parents header or restore the missing file.`,
          {
            meta: { file: m.file, revision: m.revision, parent: p },
          },
        );
      }
      const list = children.get(p);
      if (list) list.push(m.revision);
      else children.set(p, [m.revision]);
    }
  }
  const childrenOf = (r: string): readonly string[] => children.get(r) ?? NONE;
  const roots = set.migrations.filter((m) => m.parents.length === 0);
  if (roots.length > 1) {
    throw new StrataError(
      'MIGRATION_MULTIPLE_ROOTS',
      `More than one migration has no parent: ` +
        `${roots.map((r) => `${r.file} (${r.revision})`).join(', ')}. Only the first migration may have ` +
        `'parents: none'; give the others the revision they follow.`,
      {
        meta: { roots: roots.map((r) => r.revision), files: roots.map(fileOf) },
      },
    );
  }

  // Kahn's algorithm; the ready list is kept sorted by file number then name,
  // so independent branches run in the order people numbered them.
  const rank = (m: MigrationFile) => m;
  const cmp = (a: MigrationFile, b: MigrationFile) =>
    a.number !== b.number && !Number.isNaN(a.number) && !Number.isNaN(b.number)
      ? a.number - b.number
      : a.file < b.file
        ? -1
        : a.file > b.file
          ? 1
          : 0;
  const indegree = new Map<string, number>();
  for (const m of set.migrations) indegree.set(m.revision, m.parents.length);
  const ready = set.migrations
    .filter((m) => m.parents.length === 0)
    .map(rank)
    .sort(cmp);
  const order: MigrationFile[] = [];
  while (ready.length > 0) {
    const m = ready.shift()!;
    order.push(m);
    const next = childrenOf(m.revision);
    for (let k = 0; k < next.length; k++) {
      const c = next[k]!;
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) {
        const cm = byRevision.get(c)!;
        let i = ready.length;
        while (i > 0 && cmp(ready[i - 1]!, cm) > 0) i--;
        if (i === ready.length) ready.push(cm);
        else ready.splice(i, 0, cm);
      }
    }
  }
  if (order.length !== set.migrations.length) {
    const done = new Set(order.map((m) => m.revision));
    const stuck = set.migrations.filter((m) => !done.has(m.revision));
    // Report one actual cycle: walk parents among the stuck nodes until one repeats.
    const stuckSet = new Set(stuck.map((m) => m.revision));
    let cur = stuck[0]!.revision;
    const path: string[] = [];
    const seen = new Map<string, number>();
    while (!seen.has(cur)) {
      seen.set(cur, path.length);
      path.push(cur);
      cur = byRevision.get(cur)!.parents.find((p) => stuckSet.has(p))!;
    }
    const cycle = path.slice(seen.get(cur)!).reverse();
    cycle.push(cycle[0]!);
    const files = [...new Set(cycle)].map((r) => byRevision.get(r)!.file);
    throw new StrataError(
      'MIGRATION_CYCLE',
      `The parents of these migrations form a cycle: ` +
        `${cycle.map((r) => `${byRevision.get(r)!.file} (${r})`).join(' -> ')}. A migration's parents ` +
        `must be older migrations.`,
      {
        meta: { cycle, files },
      },
    );
  }

  const index = new Map<string, number>();
  order.forEach((m, i) => index.set(m.revision, i));
  const heads = order.filter((m) => !children.has(m.revision)).map((m) => m.revision);
  const walk = (start: string, next: (r: string) => readonly string[], inclusive: boolean): Set<string> => {
    const out = new Set<string>();
    const stack = [...next(start)];
    if (inclusive) out.add(start);
    while (stack.length > 0) {
      const r = stack.pop()!;
      if (out.has(r)) continue;
      out.add(r);
      const more = next(r);
      for (let i = 0; i < more.length; i++) stack.push(more[i]!);
    }
    if (!inclusive) out.delete(start);
    return out;
  };
  const parentsOf = (r: string) => byRevision.get(r)?.parents ?? NONE;

  const graph: RevisionGraph = {
    order: Object.freeze(order),
    heads: Object.freeze(heads),
    roots: Object.freeze(roots.map((r) => r.revision)),
    get: (r) => byRevision.get(r),
    indexOf: (r) => index.get(r) ?? -1,
    children: childrenOf,
    resolve(ref) {
      const exact = byRevision.get(ref);
      if (exact) return exact;
      const matches = ref.length > 0 ? order.filter((m) => m.revision.startsWith(ref)) : [];
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) {
        throw new StrataError(
          'MIGRATION_AMBIGUOUS_REVISION',
          `Revision prefix '${ref}' is ambiguous: it matches ` +
            `${matches.map((m) => `${m.revision} (${m.file})`).join(', ')}. Give more characters.`,
          {
            meta: { prefix: ref, matches: matches.map((m) => m.revision), files: matches.map(fileOf) },
          },
        );
      }
      throw new StrataError('MIGRATION_UNKNOWN_REVISION', `No migration has revision '${ref}' (nor a revision starting with it).`, {
        meta: { revision: ref },
      });
    },
    ancestors: (r, inclusive = true) => walk(r, parentsOf, inclusive),
    descendants: (r, inclusive = true) => walk(r, childrenOf, inclusive),
    appliedFrom(versionHeads) {
      // The first head's ancestors are the set itself (a fresh one, the
      // caller's to keep); later heads add theirs.
      let applied: Set<string> | undefined;
      const unknown: string[] = [];
      for (const h of versionHeads) {
        if (!byRevision.has(h)) {
          unknown.push(h);
          continue;
        }
        if (applied?.has(h)) continue;
        const ancestors = walk(h, parentsOf, true);
        if (applied === undefined) applied = ancestors;
        else for (const a of ancestors) applied.add(a);
      }
      return { applied: applied ?? new Set<string>(), unknown };
    },
    headsOf(applied) {
      return order.filter((m) => applied.has(m.revision) && !childrenOf(m.revision).some((c) => applied.has(c))).map((m) => m.revision);
    },
  };
  return Object.freeze(graph);
}

/** Several heads cannot be upgraded to `head`: the message lists them and says how to merge. */
export function multipleHeadsError(graph: RevisionGraph, what = "Cannot upgrade to 'head'"): StrataError {
  const list = graph.heads.map((h) => `${h} (${graph.get(h)!.file})`);
  return new StrataError(
    'MIGRATION_MULTIPLE_HEADS',
    `${what}: the migrations have ${graph.heads.length} heads: ${list.join(', ')}. Run \`strata ` +
      `merge\` to write a merge migration, or name a target (a revision, or 'heads' to apply every ` +
      `branch).`,
    {
      meta: { heads: [...graph.heads], files: graph.heads.map((h) => graph.get(h)!.file) },
    },
  );
}
