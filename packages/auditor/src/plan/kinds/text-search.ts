import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { TextSearchConfigurationDef, TextSearchDictionaryDef } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';
import { changedParsers, changedTemplates } from './text-search-parser.js';

/** Edges to the creation of dictionaries the plan creates (they may wait for their template; text-search-parser.ts). */
const afterDicts = (dicts: string[]) => dicts.map((d) => `tsdict:create:${d}`);

/**
 * The options of a dictionary as PostgreSQL keeps them
 * (`language = 'english', stopwords = 'english'`), by name.
 */
export function dictionaryOptions(options: string | null): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z_][\w$]*|"(?:[^"]|"")*")\s*=\s*('(?:[^']|'')*'|[^,]+?)\s*(?:,|$)/gy;
  for (let m = re.exec(options ?? ''); m; m = re.exec(options ?? '')) out.set(m[1]!.toLowerCase(), m[2]!);
  return out;
}

/** Token types grouped by their list of dictionaries: one `ADD/ALTER MAPPING FOR a, b WITH d` per list. */
function byDictionaries(entries: [string, string[]][]): [string[], string[]][] {
  const groups = new Map<string, [string[], string[]]>();
  for (const [token, dicts] of entries) {
    const k = dicts.join(', ');
    if (!groups.has(k)) groups.set(k, [[], dicts]);
    groups.get(k)![0].push(token);
  }
  return [...groups.values()];
}

function createDictionary(d: TextSearchDictionaryDef): string {
  return (
    `CREATE TEXT SEARCH DICTIONARY ${qn(d.schema, d.name)} (\n    TEMPLATE = ${d.template}` + `${d.options ? `,\n    ${d.options}` : ''}\n)`
  );
}

function createConfiguration(ctx: PlanContext, c: TextSearchConfigurationDef): void {
  const name = qn(c.schema, c.name);
  ctx.emit(
    'textSearch',
    { sql: `CREATE TEXT SEARCH CONFIGURATION ${name} (PARSER = ${c.parser})`, destructive: false },
    { after: [`tsparser:create:${c.parser}`] },
  );
  for (const [tokens, dicts] of byDictionaries(sorted(c.mappings))) {
    ctx.emit(
      'textSearch',
      {
        sql: `ALTER TEXT SEARCH CONFIGURATION ${name} ADD MAPPING FOR ${tokens.join(', ')} WITH ${dicts.join(', ')}`,
        destructive: false,
      },
      { after: [`tsparser:create:${c.parser}`, ...afterDicts(dicts)] },
    );
  }
}

/**
 * Text search dictionaries and configurations: created (dictionaries first)
 * right after extensions, so before the types, functions, columns, indexes
 * and views that name them; dropped (configurations first) once all of those
 * are gone. A configuration's mappings change in place (ADD / ALTER / DROP
 * MAPPING); a new parser means dropping it and creating it again (as does a
 * dictionary's new template). A dictionary's options change with ALTER.
 */
export const textSearchKind: PlanKind = {
  name: 'text search',
  plan(ctx: PlanContext): void {
    const da = ctx.a.textSearchDictionaries ?? {};
    const db = ctx.b.textSearchDictionaries ?? {};
    const ca = ctx.a.textSearchConfigurations ?? {};
    const cb = ctx.b.textSearchConfigurations ?? {};
    const newTemplates = changedTemplates(ctx.a, ctx.b);
    const newParsers = changedParsers(ctx.a, ctx.b);
    const recreatedDicts = new Set(
      Object.keys(db).filter((k) => da[k] && (da[k].template !== db[k]!.template || newTemplates.has(db[k]!.template))),
    );
    // A configuration is created again when its parser changes, or it maps to a dictionary created again.
    const recreatedConfigs = new Set(
      Object.keys(cb).filter(
        (k) =>
          ca[k] &&
          (ca[k].parser !== cb[k]!.parser ||
            newParsers.has(cb[k]!.parser) ||
            Object.values(ca[k].mappings)
              .flat()
              .some((d) => [...recreatedDicts].some((rd) => d === qnQuoted(da[rd]!)))),
      ),
    );

    // Indexes over a configuration created again (`'cfg'::regconfig` names it) go first and are built again after it.
    for (const k of recreatedConfigs) {
      const c = cb[k]!;
      const lit = `'${(c.schema === 'public' ? '' : `${quoteIdent(c.schema)}.`) + quoteIdent(c.name)}'::regconfig`;
      for (const [ik, i] of sorted(ctx.a.indexes)) if (i.definition.includes(lit)) ctx.facts.indexesOverRecreated.add(ik);
    }
    for (const [k, c] of sorted(ca)) {
      if (!(k in cb) || recreatedConfigs.has(k))
        ctx.emit('dropTextSearch', {
          sql: `DROP TEXT SEARCH CONFIGURATION ${qn(c.schema, c.name)}`,
          destructive: false,
          ...(k in cb ? { comment: 'its parser (or a dictionary it maps to) changes: the configuration is created again' } : {}),
        });
    }
    // Mappings of kept configurations: changed before dictionaries they stop using are dropped, after those they start using are created.
    const dropped = new Set(
      Object.entries(da)
        .filter(([k]) => !(k in db) || recreatedDicts.has(k))
        .map(([, d]) => qnQuoted(d)),
    );
    const created = new Set(
      Object.entries(db)
        .filter(([k]) => !(k in da) || recreatedDicts.has(k))
        .map(([, d]) => qnQuoted(d)),
    );
    const late: [string, [string, string[]][], 'ALTER' | 'ADD'][] = [];
    for (const [k, c] of sorted(cb)) {
      const o = ca[k];
      if (!o || recreatedConfigs.has(k) || deepEqual(o.mappings, c.mappings)) continue;
      const name = qn(c.schema, c.name);
      const early: string[] = Object.keys(o.mappings)
        .filter((t) => !(t in c.mappings))
        .sort();
      const changed = sorted(c.mappings).filter(([t, ds]) => t in o.mappings && !deepEqual(o.mappings[t], ds));
      const needsNew = ([, ds]: [string, string[]]) => ds.some((x) => created.has(x));
      const lateAlter = changed.filter((e) => needsNew(e) && !o.mappings[e[0]]!.some((x) => dropped.has(x)));
      const lateAdd = changed.filter((e) => needsNew(e) && o.mappings[e[0]]!.some((x) => dropped.has(x)));
      early.push(...lateAdd.map(([t]) => t));
      if (early.length)
        ctx.emit('dropTextSearch', {
          sql: `ALTER TEXT SEARCH CONFIGURATION ${name} DROP MAPPING FOR ${early.sort().join(', ')}`,
          destructive: false,
        });
      for (const [tokens, dicts] of byDictionaries(changed.filter((e) => !needsNew(e)))) {
        ctx.emit('dropTextSearch', {
          sql: `ALTER TEXT SEARCH CONFIGURATION ${name} ALTER MAPPING FOR ${tokens.join(', ')} WITH ${dicts.join(', ')}`,
          destructive: false,
        });
      }
      late.push(
        [name, lateAlter, 'ALTER'],
        [name, [...lateAdd, ...sorted(c.mappings).filter(([t]) => !(t in o.mappings))].sort(([x], [y]) => (x < y ? -1 : 1)), 'ADD'],
      );
    }
    for (const [k, d] of sorted(da)) {
      if (!(k in db) || recreatedDicts.has(k))
        ctx.emit('dropTextSearch', {
          sql: `DROP TEXT SEARCH DICTIONARY ${qn(d.schema, d.name)}`,
          destructive: false,
          ...(k in db ? { comment: 'its template changes: the dictionary is created again' } : {}),
        });
    }
    for (const [k, d] of sorted(db)) {
      const o = da[k];
      if (!o || recreatedDicts.has(k))
        ctx.emit(
          'textSearch',
          { sql: createDictionary(d), destructive: false },
          { id: `tsdict:create:${qnQuoted(d)}`, after: [`tstemplate:create:${d.template}`] },
        );
      else if (o.options !== d.options) {
        const before = dictionaryOptions(o.options);
        const after = dictionaryOptions(d.options);
        const set = [...after].filter(([n, v]) => before.get(n) !== v).map(([n, v]) => `${n} = ${v}`);
        const reset = [...before.keys()].filter((n) => !after.has(n));
        if (set.length || reset.length)
          ctx.emit('textSearch', {
            sql: `ALTER TEXT SEARCH DICTIONARY ${qn(d.schema, d.name)} (${[...set, ...reset].join(', ')})`,
            destructive: false,
          });
      }
      if (d.comment !== (o && !recreatedDicts.has(k) ? o.comment : null))
        ctx.emit('comments', {
          sql: `COMMENT ON TEXT SEARCH DICTIONARY ${qn(d.schema, d.name)} IS ${d.comment === null ? 'NULL' : quoteLiteral(d.comment)}`,
          destructive: false,
        });
    }
    for (const [k, c] of sorted(cb)) {
      const o = ca[k];
      const fresh = !o || recreatedConfigs.has(k);
      if (fresh) createConfiguration(ctx, c);
      for (const [name, entries, verb] of late.filter(([n]) => n === qn(c.schema, c.name))) {
        for (const [tokens, dicts] of byDictionaries(entries))
          ctx.emit(
            'textSearch',
            {
              sql: `ALTER TEXT SEARCH CONFIGURATION ${name} ${verb} MAPPING FOR ${tokens.join(', ')} WITH ${dicts.join(', ')}`,
              destructive: false,
            },
            { after: afterDicts(dicts) },
          );
      }
      if (c.comment !== (fresh ? null : o!.comment))
        ctx.emit('comments', {
          sql: `COMMENT ON TEXT SEARCH CONFIGURATION ${qn(c.schema, c.name)} IS ${c.comment === null ? 'NULL' : quoteLiteral(c.comment)}`,
          destructive: false,
        });
    }
  },
};

/** A dictionary as a configuration's mappings name it (schema-qualified, quoted). */
function qnQuoted(d: TextSearchDictionaryDef): string {
  return `${quoteIdent(d.schema)}.${quoteIdent(d.name)}`;
}
