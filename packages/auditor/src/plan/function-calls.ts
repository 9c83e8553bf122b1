import { parseScriptSync } from '@pg-strata/sql';
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

/** The string body of a `LANGUAGE sql` function (`AS $function$...$function$` in pg_get_functiondef), undefined for any other. */
export function sqlStringBody(f: FunctionDef): string | undefined {
  if (f.language !== 'sql' || f.sqlBody || !f.definition) return undefined;
  const m = /\nAS (\$[^$\s]*\$)([\s\S]*)\1\s*$/.exec(f.definition);
  return m?.[2];
}

type AnyNode = Record<string, unknown>;

/**
 * The functions of `snap` an SQL text calls, from its parse tree (packages/sql):
 * every `FuncCall`, matched by name and, when qualified, schema. Names in
 * strings and comments are not calls. Undefined when the text does not parse
 * (or the parser is not loaded: `loadParser`, which introspect awaits when a
 * Snapshot has such functions); callers then fall back to {@link calledFunctions}.
 */
export function parsedCalls(text: string, snap: Snapshot, self?: string): string[] | undefined {
  let asts: unknown[];
  try {
    asts = parseScriptSync(text).statements.map((st) => st.ast);
  } catch {
    return undefined;
  }
  const index = byName(snap);
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const call = (node as AnyNode).FuncCall as AnyNode | undefined;
    if (call) {
      const parts = ((call.funcname as AnyNode[] | undefined) ?? []).map((n) => (n.String as AnyNode | undefined)?.sval as string);
      const name = parts[parts.length - 1];
      const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
      for (const [k, f] of index.get(name ?? '') ?? []) if (k !== self && (schema === undefined || schema === f.schema)) found.add(k);
    }
    for (const v of Object.values(node)) visit(v);
  };
  visit(asts);
  return [...found].sort();
}

/**
 * For each `LANGUAGE sql` function of `snap` with a string body, the functions
 * the body calls: PostgreSQL parses and checks such a body when the function
 * is created (with check_function_bodies on), so they must exist first.
 * PL/pgSQL bodies are not checked then, and are left out.
 */
export function sqlStringCallGraph(snap: Snapshot): Map<string, string[]> {
  let g = stringGraphs.get(snap);
  if (!g) {
    g = new Map();
    for (const [k, f] of Object.entries(snap.functions)) {
      const body = sqlStringBody(f);
      if (body !== undefined) g.set(k, parsedCalls(body, snap, k) ?? calledFunctions(body, snap, k));
    }
    stringGraphs.set(snap, g);
  }
  return g;
}

const stringGraphs = new WeakMap<Snapshot, Map<string, string[]>>();
