import { displayName } from '../../compare.js';
import type { FunctionDef } from '../../snapshot.js';
import { usesRowType, type PlanContext } from '../context.js';
import type { Phase } from '../phases.js';
import { callGraph, sqlStringCallGraph } from '../function-calls.js';
import { fnKindWord, fnRef, qn, sorted, stripSemicolon } from '../sql.js';
import type { PlanKind } from './kind.js';

/**
 * The part of pg_get_functiondef that CREATE OR REPLACE may not change:
 * the header with parameter names, modes and defaults, and the RETURNS line.
 */
export function signatureOf(f: FunctionDef): string {
  if (f.definition === null) return '';
  const lines = f.definition.split('\n');
  const end = lines.findIndex((l, i) => i > 0 && !l.startsWith(' RETURNS '));
  return lines.slice(0, end < 0 ? lines.length : end).join('\n');
}

/**
 * Functions and procedures: `CREATE OR REPLACE` when only the body or
 * attributes change, dropped and created again when the signature does.
 * One over a table's row type (or with an SQL-standard body) waits for the tables.
 */
export const functionKind: PlanKind = {
  name: 'function',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    const recreated = ctx.facts.recreatedFunctions;
    for (const [k, f] of sorted(b.functions)) {
      if (f.aggregate) continue; // kinds/aggregate.ts
      const old = a.functions[k];
      if (old && old.definition === f.definition && !recreated.has(k)) continue;
      if (f.definition === null) {
        // An aggregate of a Snapshot written before aggregates were read: its definition is not known.
        ctx.hints.push({
          kind: 'unsupported',
          message: `aggregate ${displayName(f.schema, f.name)}(${f.identityArguments}) must be created by hand`,
        });
        continue;
      }
      if (old && !recreated.has(k) && (old.kind !== f.kind || old.result !== f.result || signatureOf(old) !== signatureOf(f))) {
        recreated.add(k);
        const why =
          old.kind !== f.kind || old.result !== f.result ? 'the result type changes' : 'parameter names, defaults or OUT parameters change';
        const comment = `${why} (CREATE OR REPLACE cannot do that): the function is created again`;
        const step = { sql: `DROP ${fnKindWord(old)} ${fnRef(old)}`, destructive: false, comment };
        ctx.emit(usesRowType(old, a) ? 'dropRowTypeFunctions' : 'dropFunctions', step, dropEdges(ctx, k));
      }
      // A signature naming a table's row type needs the table; so does an SQL-standard body.
      // An SQL-standard body is bound at creation: it comes after the functions it calls. (Other bodies are
      // not checked then, and one a column default or a domain needs must stay early.)
      // A LANGUAGE sql string body is checked at creation too: it comes after the functions it calls that are created
      // in the same phase (not after late ones, which would hold it back past tables whose defaults may call it).
      const late = (g: string) => Boolean(b.functions[g]!.aggregate) || b.functions[g]!.sqlBody || usesRowType(b.functions[g]!, b);
      const after = f.sqlBody
        ? (callGraph(b).get(k) ?? []).map((g) => `function:create:${g}`)
        : (sqlStringCallGraph(b).get(k) ?? []).filter((g) => !late(g)).map((g) => `function:create:${g}`);
      const step = { sql: stripSemicolon(f.definition), destructive: false };
      ctx.emit(f.sqlBody || usesRowType(f, b) ? 'lateFunctions' : 'functions', step, { id: `function:create:${k}`, after });
    }
    // A function over a table's row type goes before the table can.
    // ... and one that a domain's CHECK calls goes after the domain.
    const calledByDomain = (f: FunctionDef) =>
      Object.values(a.domains).some((d) => d.checks.some((c) => c.definition.includes(`${qn(f.schema, f.name)}(`)));
    for (const [k, f] of sorted(a.functions)) {
      if (k in b.functions || f.aggregate) continue;
      const phase: Phase = usesRowType(f, a) ? 'dropRowTypeFunctions' : calledByDomain(f) ? 'dropFunctionsUsedByTypes' : 'dropFunctions';
      ctx.emit(phase, { sql: `DROP ${fnKindWord(f)} ${fnRef(f)}`, destructive: false }, dropEdges(ctx, k));
    }
  },
};

/**
 * A function is dropped after the functions whose SQL-standard body calls it (and
 * so depends on it) are dropped, or replaced by a body that no longer calls it.
 */
function dropEdges(ctx: PlanContext, key: string): { id: string; after: string[] } {
  const after: string[] = [];
  for (const [k, calls] of callGraph(ctx.a)) {
    if (!ctx.a.functions[k]!.sqlBody || !calls.includes(key)) continue;
    after.push(`function:drop:${k}`);
    if (k in ctx.b.functions && !(callGraph(ctx.b).get(k) ?? []).includes(key)) after.push(`function:create:${k}`);
  }
  return { id: `function:drop:${key}`, after };
}
