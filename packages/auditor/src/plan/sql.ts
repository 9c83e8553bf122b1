import { quoteIdent } from '@pg-strata/core';
import { byCodePoint, type FunctionDef } from '../snapshot.js';

/** A name as the plan writes it: unqualified in `public`, like the catalogue output read with search_path=public. */
export function qn(schema: string, name: string): string {
  return schema === 'public' ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** The name `format_type` prints for a type under search_path=public. */
export function typeName(schema: string, name: string): string {
  return qn(schema, name);
}

export function stripSemicolon(def: string): string {
  return def.trim().replace(/;\s*$/, '');
}

export function fnKindWord(f: FunctionDef): string {
  return f.kind === 'procedure' ? 'PROCEDURE' : f.kind === 'aggregate' ? 'AGGREGATE' : 'FUNCTION';
}

export function fnRef(f: FunctionDef): string {
  // An aggregate without arguments is named `agg(*)`.
  return `${qn(f.schema, f.name)}(${f.kind === 'aggregate' && f.identityArguments === '' ? '*' : f.identityArguments})`;
}

/** A record's entries by key, in code-point order. */
export function sorted<T>(r: Record<string, T>): [string, T][] {
  return Object.entries(r).sort(([x], [y]) => byCodePoint(x, y));
}

export function sortedValues<T>(r: Record<string, T>): T[] {
  return sorted(r).map(([, v]) => v);
}

/** Order items so that each comes after the items it depends on (by key); cycles keep their input order. */
export function topo<T extends { key: string }>(items: T[], deps: (t: T) => string[]): T[] {
  const byKey = new Map(items.map((i) => [i.key, i]));
  const out: T[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (i: T) => {
    const s = state.get(i.key);
    if (s) return;
    state.set(i.key, 1);
    for (const d of deps(i).sort(byCodePoint)) {
      const dep = byKey.get(d);
      if (dep) visit(dep);
    }
    state.set(i.key, 2);
    out.push(i);
  };
  for (const i of [...items].sort((x, y) => byCodePoint(x.key, y.key))) visit(i);
  return out;
}
