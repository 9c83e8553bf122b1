import { quoteIdent } from '@pg-strata/core';
import { loadParser, parseScriptSync } from '@pg-strata/sql';

/**
 * PostgreSQL does not print every view in a form that reads back to the same
 * text (issue 20 point 3). In a set operation inside a subquery,
 *
 *   SELECT ... FROM (SELECT a, country FROM x UNION ALL SELECT a, NULL FROM y) q
 *
 * the second branch's column has no name (`?column?`), and pg_get_viewdef
 * prints it as `NULL::integer`. That text, executed again (a plan, a baseline,
 * a pg_dump restore), names the column after the cast's type, and is printed
 * `NULL::integer AS int4` from then on: the fixed point. pg_dump's own dump and
 * restore has the same difference.
 *
 * Snapshots keep the fixed point, so a database and its re-creation compare
 * equal and a plan does not rebuild the view again and again: a cast of a
 * constant with no alias, in any branch of a set operation but the first, gets
 * `AS <its type's name>`, quoted as PostgreSQL quotes it. Only casts of
 * constants are rewritten: that is the shape PostgreSQL prints this way, and
 * the one whose re-printed name is known (the type name's last part).
 */
export function needsViewCanon(definition: string): boolean {
  return /\b(?:UNION|INTERSECT|EXCEPT)\b/.test(definition) && definition.includes('::');
}

/** Load what {@link canonicalViewDefinition} needs (the SQL parser), when a definition needs it. */
export async function prepareViewCanon(definitions: Iterable<string>): Promise<void> {
  for (const d of definitions) {
    if (needsViewCanon(d)) {
      await loadParser();
      return;
    }
  }
}

type AnyNode = Record<string, unknown>;

export function canonicalViewDefinition(definition: string): string {
  if (!needsViewCanon(definition)) return definition;
  let ast: unknown;
  try {
    const script = parseScriptSync(definition);
    if (script.statements.length !== 1) return definition;
    ast = script.statements[0]!.ast;
  } catch {
    return definition;
  }
  const bytes = Buffer.from(definition, 'utf8');
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const sel = (node as AnyNode).SelectStmt as AnyNode | undefined;
    if (sel && sel.op !== undefined && sel.op !== 'SETOP_NONE') {
      for (const leaf of leaves(sel).slice(1)) {
        for (const t of (leaf.targetList as AnyNode[] | undefined) ?? []) {
          const rt = t.ResTarget as AnyNode | undefined;
          if (!rt || rt.name !== undefined || typeof rt.location !== 'number') continue;
          const cast = (rt.val as AnyNode | undefined)?.TypeCast as AnyNode | undefined;
          if (!cast || !(cast.arg as AnyNode | undefined)?.A_Const) continue;
          const names = ((cast.typeName as AnyNode | undefined)?.names as AnyNode[] | undefined) ?? [];
          const last = (names[names.length - 1]?.String as AnyNode | undefined)?.sval;
          if (typeof last !== 'string') continue;
          const start = bytes.subarray(0, rt.location).toString('utf8').length;
          const end = targetEnd(definition, start);
          if (end !== undefined) inserts.push({ at: end, text: ` AS ${quoteIdent(last)}` });
        }
      }
    }
    for (const v of Object.values(node)) visit(v);
  };
  visit(ast);
  if (inserts.length === 0) return definition;
  let out = definition;
  for (const i of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, i.at) + i.text + out.slice(i.at);
  return out;
}

/** The SELECTs of a set operation, left to right. */
function leaves(sel: AnyNode): AnyNode[] {
  if (sel.op === undefined || sel.op === 'SETOP_NONE') return [sel];
  const side = (k: 'larg' | 'rarg') => leaves((sel[k] as AnyNode | undefined) ?? {});
  return [...side('larg'), ...side('rarg')];
}

const CLAUSE = /^\s+(?:FROM|UNION|INTERSECT|EXCEPT|WHERE|GROUP|HAVING|ORDER|LIMIT|OFFSET|WINDOW)\b/i;

/** Where a printed target (`NULL::integer`, `'a'::text`, `(1)::numeric(10,2)`) ends: before a `,`, a line break or the next clause at depth
 * 0. */
function targetEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let i = start;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      i++;
      while (i < text.length && !(text[i] === "'" && text[i + 1] !== "'")) i += text[i] === "'" ? 2 : 1;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (c === ',' || c === ';' || c === '\n' || (/\s/.test(c) && CLAUSE.test(text.slice(i, i + 12))))) break;
  }
  const end = text.slice(0, i).trimEnd().length;
  return /\bAS\s+\S+$/i.test(text.slice(start, end)) ? undefined : end;
}
