// Comparisons of operators, operator classes and families, and text search parsers and templates.
import { isDeepStrictEqual } from 'node:util';
import { DriftBuilder, comment, displayName, keyed, prettyType } from './compare-drift.js';
import type { OpclassFunctionDef, OpclassOperatorDef, OperatorClassDef, OperatorDef, OperatorFamilyDef, Snapshot } from './snapshot.js';
import { byCodePoint } from './snapshot.js';

/** An operator or function reference as people write it: `public.` left out. */
export function shortRef(ref: string): string {
  return ref.replace(/^public\./, '').replace(/([(,] ?)public\./g, '$1');
}

/** `===(integer, text)`, `app.<->(point, point)`. */
export function operatorName(o: OperatorDef): string {
  return `${displayName(o.schema, o.name)}(${prettyType(o.left ?? 'NONE')}, ${prettyType(o.right)})`;
}

/** `my_ops USING btree`. */
export function opclassName(c: { schema: string; name: string; method: string }): string {
  return `${displayName(c.schema, c.name)} USING ${c.method}`;
}

/** A member as CREATE OPERATOR CLASS writes it: `OPERATOR 1 <(integer, integer)`, `FUNCTION 1 (integer, integer) f(integer, integer)`. */
export function memberText(m: OpclassOperatorDef | OpclassFunctionDef): string {
  if ('strategy' in m) return `OPERATOR ${m.strategy} ${shortRef(m.operator)}${m.orderBy ? ` FOR ORDER BY ${shortRef(m.orderBy)}` : ''}`;
  return `FUNCTION ${m.number} (${m.left}, ${m.right}) ${shortRef(m.function)}`;
}

/** Members on one side only, one sentence each: "has OPERATOR 3 ... in production but not in the models". */
function members(d: DriftBuilder, type: 'operator class' | 'operator family', n: string, x: OperatorFamilyDef, y: OperatorFamilyDef): void {
  const xs = [...x.operators, ...x.functions].map(memberText);
  const ys = [...y.operators, ...y.functions].map(memberText);
  for (const m of [...new Set([...xs, ...ys])].sort(byCodePoint)) {
    const inX = xs.includes(m);
    if (inX === ys.includes(m)) continue;
    d.isVs(type, n, 'members', inX ? m : null, inX ? null : m, 'error', inX ? `has ${m}` : `does not have ${m}`, inX ? 'not' : 'does');
  }
}

function compareOperator(d: DriftBuilder, n: string, x: OperatorDef, y: OperatorDef): void {
  if (x.function !== y.function)
    d.isVs('operator', n, 'function', x.function, y.function, 'error', `calls ${shortRef(x.function)}`, shortRef(y.function));
  for (const k of ['commutator', 'negator', 'restrict', 'join'] as const) {
    const u = x[k];
    const v = y[k];
    if (u === v) continue;
    const word = k === 'restrict' ? 'restriction estimator' : k === 'join' ? 'join estimator' : k;
    const sev = k === 'restrict' || k === 'join' ? 'warning' : 'error';
    d.isVs('operator', n, k, u, v, sev, u ? `has ${word} ${shortRef(u)}` : `has no ${word}`, v ? shortRef(v) : 'none');
  }
  for (const k of ['hashes', 'merges'] as const) {
    if (x[k] !== y[k])
      d.isVs(
        'operator',
        n,
        k,
        x[k],
        y[k],
        'error',
        x[k] ? `supports ${k.toUpperCase()}` : `does not support ${k.toUpperCase()}`,
        y[k] ? 'does' : 'not',
      );
  }
  comment(d, 'operator', n, x.comment, y.comment);
}

function compareClass(d: DriftBuilder, n: string, x: OperatorClassDef, y: OperatorClassDef, a: Snapshot, b: Snapshot): void {
  if (x.type !== y.type)
    d.isVs('operator class', n, 'type', x.type, y.type, 'error', `is for type ${prettyType(x.type)}`, prettyType(y.type));
  if (x.default !== y.default)
    d.isVs(
      'operator class',
      n,
      'default',
      x.default,
      y.default,
      'error',
      x.default ? 'is the default' : 'is not the default',
      y.default ? 'is' : 'not',
    );
  if (x.family !== y.family) {
    const fam = (s: Snapshot, k: string) => {
      const f = s.operatorFamilies?.[k];
      return f ? opclassName(f) : k;
    };
    d.isVs('operator class', n, 'family', x.family, y.family, 'error', `is in family ${fam(a, x.family)}`, fam(b, y.family));
  }
  if (x.storage !== y.storage)
    d.isVs(
      'operator class',
      n,
      'storage',
      x.storage,
      y.storage,
      'error',
      `stores ${x.storage ?? 'the indexed type'}`,
      y.storage ?? 'the indexed type',
    );
  members(d, 'operator class', n, x, y);
  comment(d, 'operator class', n, x.comment, y.comment);
}

/** Operators, operator families and classes, text search parsers and templates. */
export function compareOperatorKinds(d: DriftBuilder, a: Snapshot, b: Snapshot): void {
  keyed(
    d,
    a.textSearchParsers ?? {},
    b.textSearchParsers ?? {},
    'text search parser',
    (p) => displayName(p.schema, p.name),
    'error',
    (n, x, y) => {
      for (const k of ['start', 'gettoken', 'end', 'lextypes', 'headline'] as const) {
        if (x[k] !== y[k])
          d.isVs(
            'text search parser',
            n,
            k,
            x[k],
            y[k],
            'error',
            x[k] ? `has ${k.toUpperCase()} ${x[k]}` : `has no ${k.toUpperCase()}`,
            y[k] ?? 'none',
          );
      }
      comment(d, 'text search parser', n, x.comment, y.comment);
    },
  );
  keyed(
    d,
    a.textSearchTemplates ?? {},
    b.textSearchTemplates ?? {},
    'text search template',
    (t) => displayName(t.schema, t.name),
    'error',
    (n, x, y) => {
      for (const k of ['init', 'lexize'] as const) {
        if (x[k] !== y[k])
          d.isVs(
            'text search template',
            n,
            k,
            x[k],
            y[k],
            'error',
            x[k] ? `has ${k.toUpperCase()} ${x[k]}` : `has no ${k.toUpperCase()}`,
            y[k] ?? 'none',
          );
      }
      comment(d, 'text search template', n, x.comment, y.comment);
    },
  );
  keyed(d, a.operators ?? {}, b.operators ?? {}, 'operator', operatorName, 'error', (n, x, y) => compareOperator(d, n, x, y));
  // A family made by (and named like) a class on the same side, holding nothing of its own, is said with the class.
  const own = (s: Snapshot, t: Snapshot) =>
    Object.fromEntries(
      Object.entries(s.operatorFamilies ?? {}).filter(
        ([k, f]) =>
          k in (t.operatorFamilies ?? {}) ||
          !(k in (s.operatorClasses ?? {})) ||
          f.operators.length + f.functions.length > 0 ||
          f.comment !== null,
      ),
    );
  keyed(d, own(a, b), own(b, a), 'operator family', opclassName, 'error', (n, x, y) => {
    if (!isDeepStrictEqual([x.operators, x.functions], [y.operators, y.functions])) members(d, 'operator family', n, x, y);
    comment(d, 'operator family', n, x.comment, y.comment);
  });
  keyed(d, a.operatorClasses ?? {}, b.operatorClasses ?? {}, 'operator class', opclassName, 'error', (n, x, y) =>
    compareClass(d, n, x, y, a, b),
  );
}
