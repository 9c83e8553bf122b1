import { quoteIdent } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { AccessMethodDef, LanguageDef } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { sorted } from '../sql.js';
import { addAfter, functionByKey, put } from './foreign.js';
import type { PlanKind } from './kind.js';

const languageFunctions = (l: LanguageDef) => [l.handler, l.inline, l.validator].filter((f): f is string => f !== null);

/**
 * Procedural languages (not from extensions) and access methods, each tied to
 * its functions by edges of the statement graph: a language is created after its
 * handler, inline handler and validator and before the functions written in it,
 * and dropped after them and before its handler; an access method is created
 * after its handler, before the indexes (and operator classes) that use it, and
 * dropped once they are gone. A language changes with CREATE OR REPLACE LANGUAGE;
 * an access method, which has no ALTER, is dropped and created again.
 */
export const languageKind: PlanKind = {
  name: 'language and access method',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    const la = a.languages ?? {};
    const lb = b.languages ?? {};
    for (const [k, l] of sorted(la)) {
      if (k in lb) continue;
      const id = `language:drop:${k}`;
      const after = sorted(a.functions)
        .filter(([, f]) => f.language === l.name)
        .map(([fk]) => `function:drop:${fk}`);
      ctx.emit('dropLanguages', { sql: `DROP LANGUAGE ${quoteIdent(l.name)}`, destructive: false }, { id, after });
      for (const f of languageFunctions(l)) addAfter(ctx, `function:drop:${f}`, id);
    }
    for (const [k, l] of sorted(lb)) {
      const o = la[k];
      if (o && deepEqual({ ...o, comment: null }, { ...l, comment: null })) {
        put(ctx, `LANGUAGE ${quoteIdent(l.name)}`, o.comment, l.comment);
        continue;
      }
      const id = `language:create:${k}`;
      const fn = (f: string) => functionByKey(f, b);
      const sql =
        `CREATE ${o ? 'OR REPLACE ' : ''}${l.trusted ? 'TRUSTED ' : ''}LANGUAGE ${quoteIdent(l.name)}` +
        `${l.handler ? ` HANDLER ${fn(l.handler)}` : ''}${l.inline ? ` INLINE ${fn(l.inline)}` : ''}` +
        `${l.validator ? ` VALIDATOR ${fn(l.validator)}` : ''}`;
      ctx.emit('languages', { sql, destructive: false }, { id, after: languageFunctions(l).map((f) => `function:create:${f}`) });
      // The functions written in it come after it; a handler it no longer uses is dropped after it.
      for (const [fk, f] of sorted(b.functions)) if (f.language === l.name) addAfter(ctx, `function:create:${fk}`, id);
      for (const f of o ? languageFunctions(o) : []) if (!languageFunctions(l).includes(f)) addAfter(ctx, `function:drop:${f}`, id);
      put(ctx, `LANGUAGE ${quoteIdent(l.name)}`, o?.comment ?? null, l.comment);
    }

    const aa = a.accessMethods ?? {};
    const ab = b.accessMethods ?? {};
    const changed = (x: AccessMethodDef, y: AccessMethodDef) => x.type !== y.type || x.handler !== y.handler;
    for (const [k, m] of sorted(aa)) {
      const n = ab[k];
      if (n && !changed(m, n)) continue;
      const id = `access method:drop:${k}`;
      const comment = 'its type or handler changes (there is no ALTER ACCESS METHOD): it is created again';
      // After the tables that used it have moved to another one.
      const after = sorted(a.tables)
        .filter(([, t]) => t.accessMethod === m.name)
        .map(([tk]) => `table:am:${tk}`);
      ctx.emit(
        'dropAccessMethods',
        { sql: `DROP ACCESS METHOD ${quoteIdent(m.name)}`, destructive: false, ...(n ? { comment } : {}) },
        { id, after },
      );
      addAfter(ctx, `function:drop:${m.handler}`, id);
    }
    for (const [k, m] of sorted(ab)) {
      const o = aa[k];
      const fresh = !o || changed(o, m);
      // What is built on it stays in the way of its drop: said, not done (rebuilding tables and indexes twice is a decision).
      const users = [
        ...sorted(a.tables).filter(([, t]) => t.accessMethod === m.name),
        ...sorted(a.indexes).filter(([, i]) => i.method === m.name),
      ].map(([uk]) => uk.replace(/^public\./, ''));
      if (o && fresh && users.length)
        ctx.hints.push({
          kind: 'unsupported',
          message:
            `access method ${m.name} is dropped and created again (its type or handler changes), but ${users.join(', ')} ` +
            `${users.length > 1 ? 'use' : 'uses'} it and PostgreSQL refuses the drop: first move what uses it to another access ` +
            'method (or drop it, and its operator classes), by hand',
        });
      if (fresh) {
        const sql = `CREATE ACCESS METHOD ${quoteIdent(m.name)} TYPE ${m.type.toUpperCase()} HANDLER ${functionByKey(m.handler, b)}`;
        ctx.emit('accessMethods', { sql, destructive: false }, { after: [`function:create:${m.handler}`] });
      }
      put(ctx, `ACCESS METHOD ${quoteIdent(m.name)}`, fresh ? null : o.comment, m.comment);
    }
  },
};
