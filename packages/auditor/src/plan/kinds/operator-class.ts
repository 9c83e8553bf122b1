import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { objectKey, type OpclassFunctionDef, type OpclassOperatorDef, type OperatorClassDef, type Snapshot } from '../../snapshot.js';
import type { PlanContext } from '../context.js';
import { sorted } from '../sql.js';
import type { PlanKind } from './kind.js';
import { afterFunctions, goneFunctions, splitRef } from './operator.js';

type Member = OpclassOperatorDef | OpclassFunctionDef;

/** `schema.name USING method` as SQL names a class or family. */
function ref(x: { schema: string; name: string; method: string }): string {
  return `${quoteIdent(x.schema)}.${quoteIdent(x.name)} USING ${quoteIdent(x.method)}`;
}

/** A family by key, named from the key when the Snapshot does not hold it. */
function familyRef(s: Snapshot, key: string): string {
  const f = s.operatorFamilies?.[key];
  if (f) return ref(f);
  const m = /^(.*)\.(.*) USING (.*)$/.exec(key)!;
  return ref({ schema: m[1]!, name: m[2]!, method: m[3]! });
}

/** A member as CREATE OPERATOR CLASS and ALTER OPERATOR FAMILY ... ADD write it. */
function item(m: Member): string {
  if ('strategy' in m) return `OPERATOR ${m.strategy} ${m.operator}${m.orderBy ? ` FOR ORDER BY ${m.orderBy}` : ''}`;
  return `FUNCTION ${m.number} (${m.left}, ${m.right}) ${m.function}`;
}

/** A member as ALTER OPERATOR FAMILY ... DROP names it: by number and types. */
function dropItem(m: Member): string {
  if ('strategy' in m) return `OPERATOR ${m.strategy} ${splitRef(m.operator)[1]}`;
  return `FUNCTION ${m.number} (${m.left}, ${m.right})`;
}

function createClass(s: Snapshot, c: OperatorClassDef): string {
  const fam = familyRef(s, c.family).replace(/ USING .*$/, '');
  const items = [...c.operators.map(item), ...c.functions.map(item), ...(c.storage ? [`STORAGE ${c.storage}`] : [])];
  return (
    `CREATE OPERATOR CLASS ${quoteIdent(c.schema)}.${quoteIdent(c.name)}${c.default ? ' DEFAULT' : ''} FOR TYPE ${c.type} ` +
    `USING ${quoteIdent(c.method)} FAMILY ${fam} AS\n    ${items.join(',\n    ')}`
  );
}

/** Indexes of `a` over class `c`: named in their definition, or of its method over a column of its type when it is the default. */
function indexesOver(s: Snapshot, c: OperatorClassDef): string[] {
  const named = new RegExp(`[ ,(]${escape(c.schema === 'public' ? '' : `${quoteIdent(c.schema)}.`)}${escape(quoteIdent(c.name))}[ ,)]`);
  return sorted(s.indexes)
    .filter(([, i]) => {
      if (i.method !== c.method) return false;
      if (named.test(i.definition.replace(/^.*? USING \S+ /, ''))) return true;
      if (!c.default) return false;
      const t = s.tables[i.table] ?? s.materializedViews[i.table];
      const types = new Map((t?.columns ?? []).map((col) => [col.name, col.type]));
      return i.keys.some((kcol) => types.get(kcol) === c.type);
    })
    .map(([, i]) => objectKey(i.schema, i.name));
}

/** Exclusion constraints of `a` (`EXCLUDE USING gist (c WITH &&)`) over one of `ops` or of `classes`: dropped and added again. */
function exclusionsOver(ctx: PlanContext, ops: string[], classes: OperatorClassDef[]): void {
  const opNames = [...new Set(ops.map((o) => splitRef(o)[0].replace(/^.*\./, '')))];
  for (const [k, t] of sorted(ctx.a.tables)) {
    const types = new Map(t.columns.map((col) => [col.name, col.type]));
    for (const c of Object.values(t.constraints)) {
      if (c.type !== 'exclude') continue;
      const byOp = opNames.some((o) => new RegExp(`WITH (OPERATOR\\([^)]*\\.)?${escape(o)}\\)?[,)]`).test(c.definition));
      const byClass = classes.some(
        (cl) =>
          c.definition.includes(` USING ${cl.method} (`) &&
          (new RegExp(`[ ,(]${escape(quoteIdent(cl.name))} WITH `).test(c.definition) ||
            (cl.default && c.columns.some((col) => types.get(col) === cl.type))),
      );
      if (byOp || byClass) ctx.facts.constraintsOverRecreated.add(`${k}\0${c.name}`);
    }
  }
}

const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Operator families and classes. Families are created (empty) first, then the
 * classes in them (`FAMILY` always named, so a class's own family is the one
 * created), then the members a family holds itself (`ALTER OPERATOR FAMILY ...
 * ADD`), all after the operators and functions they list and before the
 * indexes that use them. A family's own members change in place (ADD / DROP);
 * a class that changes in any way but its comment is dropped and created
 * again (PostgreSQL has no ALTER for its members), and so is one listing an
 * operator or function that is dropped or created again. The indexes over a
 * class dropped or created again go first and are built again after it
 * (`indexesOverRecreated`). Dropping a family takes its classes along.
 */
export const operatorClassKind: PlanKind = {
  name: 'operator class',
  plan(ctx: PlanContext): void {
    const { a, b, facts } = ctx;
    const fa = a.operatorFamilies ?? {};
    const fb = b.operatorFamilies ?? {};
    const ca = a.operatorClasses ?? {};
    const cb = b.operatorClasses ?? {};
    const goneFns = goneFunctions(ctx);
    const goneOps = new Set(
      [...Object.keys(a.operators ?? {})].filter((k) => !(k in (b.operators ?? {})) || facts.recreatedOperators.has(k)),
    );
    const disturbed = (m: Member) => ('strategy' in m ? goneOps.has(m.operator) : goneFns.has(m.function));
    const droppedFamilies = new Set(Object.keys(fa).filter((k) => !(k in fb)));
    // Classes of both sides created again, and why.
    const recreatedClasses = new Map<string, string>();
    for (const [k, n] of sorted(cb)) {
      const o = ca[k];
      if (!o) continue;
      if (droppedFamilies.has(o.family)) recreatedClasses.set(k, 'its family is dropped');
      else if (!deepEqual({ ...o, comment: null }, { ...n, comment: null }))
        recreatedClasses.set(k, 'it changes (PostgreSQL cannot alter what a class is made of)');
      else if ([...o.operators, ...o.functions].some(disturbed))
        recreatedClasses.set(k, 'an operator or function it lists is created again');
    }
    const goneClasses = Object.keys(ca).filter((k) => !(k in cb) || recreatedClasses.has(k));
    for (const k of goneClasses) for (const i of indexesOver(a, ca[k]!)) facts.indexesOverRecreated.add(i);
    exclusionsOver(
      ctx,
      [...goneOps],
      goneClasses.map((k) => ca[k]!),
    );

    // Drops: a family's own members that go, classes that go (their family staying), families that go.
    const adds: [string, Member[]][] = [];
    for (const [k, f] of sorted(fa)) {
      const n = fb[k];
      if (!n) continue;
      const key = (m: Member) => JSON.stringify(m);
      const now = new Set([...n.operators, ...n.functions].map(key));
      const was = new Set([...f.operators, ...f.functions].map(key));
      const drop = [...f.operators, ...f.functions].filter((m) => !now.has(key(m)) || disturbed(m));
      const add = [...n.operators, ...n.functions].filter((m) => !was.has(key(m)) || drop.some((d) => key(d) === key(m)));
      if (drop.length)
        ctx.emit('dropOperatorClasses', {
          sql: `ALTER OPERATOR FAMILY ${ref(f)} DROP\n    ${drop.map(dropItem).join(',\n    ')}`,
          destructive: false,
        });
      if (add.length) adds.push([k, add]);
    }
    for (const k of goneClasses) {
      const c = ca[k]!;
      if (droppedFamilies.has(c.family)) continue;
      ctx.emit('dropOperatorClasses', {
        sql: `DROP OPERATOR CLASS ${ref(c)}`,
        destructive: false,
        ...(k in cb ? { comment: `${recreatedClasses.get(k)}: the class is created again, and the indexes over it` } : {}),
      });
    }
    for (const [k, f] of sorted(fa)) {
      if (!droppedFamilies.has(k)) continue;
      const classes = sorted(ca).filter(([, c]) => c.family === k);
      ctx.emit('dropOperatorClasses', {
        sql: `DROP OPERATOR FAMILY ${ref(f)}`,
        destructive: false,
        ...(classes.length ? { comment: `takes its classes along (${classes.map(([, c]) => c.name).join(', ')})` } : {}),
      });
    }

    // Creates: families, classes, then the families' own members.
    const memberEdges = (ms: Member[]) => [
      ...ms.flatMap((m) => ('strategy' in m ? [`operator:create:${m.operator}`] : [])),
      ...afterFunctions(
        ctx,
        ms.flatMap((m) => ('strategy' in m ? [] : [m.function])),
      ),
    ];
    for (const [k, f] of sorted(fb)) {
      const o = fa[k];
      if (!o) ctx.emit('operatorClasses', { sql: `CREATE OPERATOR FAMILY ${ref(f)}`, destructive: false }, { id: `opfamily:create:${k}` });
      if (f.comment !== (o ? o.comment : null))
        ctx.emit('comments', { sql: `COMMENT ON OPERATOR FAMILY ${ref(f)} IS ${lit(f.comment)}`, destructive: false });
    }
    for (const [k, c] of sorted(cb)) {
      const o = ca[k];
      const fresh = !o || recreatedClasses.has(k);
      if (fresh)
        ctx.emit(
          'operatorClasses',
          { sql: createClass(b, c), destructive: false },
          {
            after: [`opfamily:create:${c.family}`, ...memberEdges([...c.operators, ...c.functions])],
          },
        );
      if (c.comment !== (fresh ? null : o.comment))
        ctx.emit('comments', { sql: `COMMENT ON OPERATOR CLASS ${ref(c)} IS ${lit(c.comment)}`, destructive: false });
    }
    for (const [k, f] of sorted(fb)) {
      const add = k in fa ? (adds.find(([x]) => x === k)?.[1] ?? []) : [...f.operators, ...f.functions];
      if (add.length)
        ctx.emit(
          'operatorClasses',
          { sql: `ALTER OPERATOR FAMILY ${ref(f)} ADD\n    ${add.map(item).join(',\n    ')}`, destructive: false },
          { after: [`opfamily:create:${k}`, ...memberEdges(add)] },
        );
    }
  },
};

const lit = (s: string | null) => (s === null ? 'NULL' : quoteLiteral(s));
