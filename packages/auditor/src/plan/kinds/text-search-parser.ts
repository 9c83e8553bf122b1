import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { Snapshot, TextSearchParserDef, TextSearchTemplateDef } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/** A parser or template as configurations and dictionaries name it: `public.my_parser`, `pg_catalog."default"`. */
export const tsName = (x: { schema: string; name: string }) => `${quoteIdent(x.schema)}.${quoteIdent(x.name)}`;

/** Parsers of both Snapshots that differ beyond their comment (they are dropped and created again), by name. */
export function changedParsers(a: Snapshot, b: Snapshot): Set<string> {
  const pa = a.textSearchParsers ?? {};
  const pb = b.textSearchParsers ?? {};
  return new Set(
    Object.keys(pb)
      .filter((k) => pa[k] && !deepEqual({ ...pa[k], comment: null }, { ...pb[k]!, comment: null }))
      .map((k) => tsName(pb[k]!)),
  );
}

/** Templates of both Snapshots that differ beyond their comment (they are dropped and created again), by name. */
export function changedTemplates(a: Snapshot, b: Snapshot): Set<string> {
  const ta = a.textSearchTemplates ?? {};
  const tb = b.textSearchTemplates ?? {};
  return new Set(
    Object.keys(tb)
      .filter((k) => ta[k] && !deepEqual({ ...ta[k], comment: null }, { ...tb[k]!, comment: null }))
      .map((k) => tsName(tb[k]!)),
  );
}

function createParser(p: TextSearchParserDef): string {
  const opts = [`START = ${p.start}`, `GETTOKEN = ${p.gettoken}`, `END = ${p.end}`, `LEXTYPES = ${p.lextypes}`];
  if (p.headline) opts.push(`HEADLINE = ${p.headline}`);
  return `CREATE TEXT SEARCH PARSER ${tsName(p)} (\n    ${opts.join(',\n    ')}\n)`;
}

function createTemplate(t: TextSearchTemplateDef): string {
  const opts = [...(t.init ? [`INIT = ${t.init}`] : []), `LEXIZE = ${t.lexize}`];
  return `CREATE TEXT SEARCH TEMPLATE ${tsName(t)} (\n    ${opts.join(',\n    ')}\n)`;
}

/** Keys of the functions of `s` a parser or template names (by qualified name: support functions are not overloaded). */
function functionsNamed(s: Snapshot, names: (string | null)[]): string[] {
  return sorted(s.functions)
    .filter(([, f]) => names.includes(`${quoteIdent(f.schema)}.${quoteIdent(f.name)}`))
    .map(([k]) => k);
}

/**
 * Text search parsers and templates (PostgreSQL has no ALTER for what they
 * are made of): created in the text search phase, after the functions they
 * name when the plan creates those (C functions, as contrib's dict_int makes),
 * before the configurations and dictionaries using them (text-search.ts waits
 * for them); dropped after those, and before their functions. One that changes
 * is dropped and created again, and the configurations or dictionaries using it
 * with it (text-search.ts reads {@link changedParsers} / {@link changedTemplates}).
 */
export const textSearchParserKind: PlanKind = {
  name: 'text search parser and template',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    const kinds = [
      ['PARSER', 'tsparser', a.textSearchParsers ?? {}, b.textSearchParsers ?? {}, changedParsers(a, b)],
      ['TEMPLATE', 'tstemplate', a.textSearchTemplates ?? {}, b.textSearchTemplates ?? {}, changedTemplates(a, b)],
    ] as const;
    for (const [word, id, xa, xb, changed] of kinds) {
      const fns = (x: TextSearchParserDef | TextSearchTemplateDef) =>
        'lexize' in x ? [x.init, x.lexize] : [x.start, x.gettoken, x.end, x.lextypes, x.headline];
      for (const [k, x] of sorted<TextSearchParserDef | TextSearchTemplateDef>(xa)) {
        if (k in xb && !changed.has(tsName(x))) continue;
        const dropId = `${id}:drop:${tsName(x)}`;
        ctx.emit(
          'dropTextSearch',
          {
            sql: `DROP TEXT SEARCH ${word} ${tsName(x)}`,
            destructive: false,
            ...(k in xb ? { comment: `its functions change: the ${word.toLowerCase()} is created again, and what uses it` } : {}),
          },
          { id: dropId },
        );
        // Its functions are dropped after it (the function kind put them in an earlier phase).
        for (const fk of functionsNamed(a, fns(x))) {
          const drop = ctx.changes.find((c) => c.id === `function:drop:${fk}`);
          if (drop) drop.after = [...(drop.after ?? []), dropId];
        }
      }
      for (const [k, x] of sorted<TextSearchParserDef | TextSearchTemplateDef>(xb)) {
        const fresh = !(k in xa) || changed.has(tsName(x));
        if (fresh) {
          const after = functionsNamed(b, fns(x)).map((fk) => `function:create:${fk}`);
          const sql = 'lexize' in x ? createTemplate(x) : createParser(x);
          ctx.emit('textSearch', { sql, destructive: false }, { id: `${id}:create:${tsName(x)}`, after });
        }
        if (x.comment !== (fresh ? null : xa[k]!.comment))
          ctx.emit('comments', {
            sql: `COMMENT ON TEXT SEARCH ${word} ${tsName(x)} IS ${x.comment === null ? 'NULL' : quoteLiteral(x.comment)}`,
            destructive: false,
          });
      }
    }
  },
};
