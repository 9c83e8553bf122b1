import type { FunctionDef, Snapshot } from '../snapshot.js';

/**
 * Which functions a text calls, found by name: an identifier (quoted or not,
 * optionally after a schema) followed by `(` that names a function of `snap`.
 * Used for order only: a function whose body calls another is created after it,
 * and the other is dropped after it. A name in a string or a comment only adds
 * an edge that changes nothing (the sort leaves out an edge that closes a cycle),
 * so a body no parser would read never blocks a plan. The text is scanned once;
 * functions are looked up by name.
 */
export function calledFunctions(text: string, snap: Snapshot, self?: string): string[] {
  const index = byName(snap);
  const found = new Set<string>();
  for (const m of text.matchAll(CALL)) {
    const name = unquote(m[2]!);
    const schema = m[1] === undefined ? undefined : unquote(m[1]);
    for (const [k, f] of index.get(name) ?? []) {
      if (k !== self && (schema === undefined || schema === f.schema)) found.add(k);
    }
  }
  return [...found].sort();
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)`;
const CALL = new RegExp(String.raw`(?<![\w$."])(?:(${IDENT})\s*\.\s*)?(${IDENT})\s*\(`, 'g');

function unquote(id: string): string {
  return id.startsWith('"') ? id.slice(1, -1).replace(/""/g, '"') : id.toLowerCase();
}

const indexes = new WeakMap<Snapshot, Map<string, [string, FunctionDef][]>>();

function byName(snap: Snapshot): Map<string, [string, FunctionDef][]> {
  let index = indexes.get(snap);
  if (!index) {
    index = new Map();
    for (const [k, f] of Object.entries(snap.functions)) {
      const list = index.get(f.name) ?? [];
      list.push([k, f]);
      index.set(f.name, list);
    }
    indexes.set(snap, index);
  }
  return index;
}

/** A function's definition without its header line (which names the function itself and its argument types). */
export function functionBody(f: FunctionDef): string {
  const d = f.definition ?? '';
  const nl = d.indexOf('\n');
  return nl < 0 ? '' : d.slice(nl + 1);
}

/** For each function of `snap`, the functions its body calls (computed once per Snapshot). */
export function callGraph(snap: Snapshot): Map<string, string[]> {
  let g = graphs.get(snap);
  if (!g) {
    g = new Map();
    for (const [k, f] of Object.entries(snap.functions)) if (!f.aggregate) g.set(k, calledFunctions(functionBody(f), snap, k));
    graphs.set(snap, g);
  }
  return g;
}

const graphs = new WeakMap<Snapshot, Map<string, string[]>>();
