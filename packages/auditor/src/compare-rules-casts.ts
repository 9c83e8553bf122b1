// Comparisons of rules, extended statistics objects, casts and conversions (issue 20).
import type { CastDef, ConversionDef, RuleDef, Snapshot, StatisticsDef } from './snapshot.js';
import { DriftBuilder, comment, displayName, dn, keyed, prettyType } from './compare-drift.js';

const ENABLED: Record<RuleDef['enabled'], string> = {
  O: 'enabled',
  D: 'disabled',
  R: 'enabled on replicas only',
  A: 'enabled always',
};

const CONTEXT: Record<CastDef['context'], string> = {
  explicit: 'explicit only',
  assignment: 'applied in assignments (AS ASSIGNMENT)',
  implicit: 'implicit (AS IMPLICIT)',
};

/** A rule's definition after `CREATE RULE name AS`, on one line: `ON INSERT TO t DO INSTEAD NOTHING`. */
export function ruleBody(r: RuleDef): string {
  return r.definition
    .replace(/^CREATE RULE (?:"(?:[^"]|"")+"|\S+) AS\s+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A statistics object's definition after its name: `(ndistinct) ON a, b FROM t`. */
export function statisticsBody(s: StatisticsDef): string {
  return s.definition.replace(/^CREATE STATISTICS (?:"(?:[^"]|"")+"|[^\s"]+)+ /, '');
}

/** `(numeric AS money2)`: a cast as people write it. */
export function castName(c: CastDef): string {
  return `(${prettyType(c.source)} AS ${prettyType(c.target)})`;
}

/** How a cast converts: `WITH FUNCTION m2(numeric)`, `WITHOUT FUNCTION`, `WITH INOUT`. */
function castMethod(c: CastDef, s: Snapshot): string {
  if (c.method === 'binary') return 'WITHOUT FUNCTION';
  if (c.method === 'inout') return 'WITH INOUT';
  const f = c.function ? s.functions[c.function] : undefined;
  return `WITH FUNCTION ${f ? `${displayName(f.schema, f.name)}(${f.identityArguments})` : (c.function ?? '?').replace(/^public\./, '')}`;
}

export function compareRulesAndCasts(d: DriftBuilder, a: Snapshot, b: Snapshot): void {
  keyed(
    d,
    a.rules ?? {},
    b.rules ?? {},
    'rule',
    (r) => `${displayName(r.schema, r.table)}.${r.name}`,
    'error',
    (n, x, y) => {
      if (x.definition !== y.definition)
        d.isVs('rule', n, 'definition', x.definition, y.definition, 'error', `is "${ruleBody(x)}"`, `"${ruleBody(y)}"`);
      if (x.enabled !== y.enabled)
        d.isVs('rule', n, 'enabled', x.enabled, y.enabled, 'warning', `is ${ENABLED[x.enabled]}`, ENABLED[y.enabled]);
      comment(d, 'rule', n, x.comment, y.comment);
    },
  );
  keyed(d, a.statistics ?? {}, b.statistics ?? {}, 'statistics object', dn, 'warning', (n, x, y) => {
    if (x.definition !== y.definition)
      d.isVs(
        'statistics object',
        n,
        'definition',
        x.definition,
        y.definition,
        'warning',
        `is defined as ${statisticsBody(x)}`,
        `as ${statisticsBody(y)}`,
      );
    if (x.target !== y.target) {
      const t = (v: number | null) => (v === null ? 'the default statistics target' : `statistics target ${v}`);
      d.isVs('statistics object', n, 'target', x.target, y.target, 'warning', `has ${t(x.target)}`, t(y.target));
    }
    comment(d, 'statistics object', n, x.comment, y.comment);
  });
  keyed(d, a.casts ?? {}, b.casts ?? {}, 'cast', castName, 'error', (n, x, y) => compareCast(d, n, x, y, a, b));
  keyed(d, a.conversions ?? {}, b.conversions ?? {}, 'conversion', dn, 'error', (n, x, y) => compareConversion(d, n, x, y));
}

function compareCast(d: DriftBuilder, n: string, x: CastDef, y: CastDef, sa: Snapshot, sb: Snapshot): void {
  if (x.method !== y.method || x.function !== y.function)
    d.isVs('cast', n, 'method', castMethod(x, sa), castMethod(y, sb), 'error', `is made ${castMethod(x, sa)}`, castMethod(y, sb));
  if (x.context !== y.context) d.isVs('cast', n, 'context', x.context, y.context, 'error', `is ${CONTEXT[x.context]}`, CONTEXT[y.context]);
  comment(d, 'cast', n, x.comment, y.comment);
}

function compareConversion(d: DriftBuilder, n: string, x: ConversionDef, y: ConversionDef): void {
  if (x.from !== y.from || x.to !== y.to)
    d.isVs(
      'conversion',
      n,
      'encodings',
      `${x.from} to ${x.to}`,
      `${y.from} to ${y.to}`,
      'error',
      `converts ${x.from} to ${x.to}`,
      `${y.from} to ${y.to}`,
    );
  if (x.function !== y.function) {
    const fn = (f: string) => f.replace(/^public\./, '');
    d.isVs('conversion', n, 'function', x.function, y.function, 'error', `uses function ${fn(x.function)}`, fn(y.function));
  }
  if (x.default !== y.default)
    d.isVs(
      'conversion',
      n,
      'default',
      x.default,
      y.default,
      'error',
      `is ${x.default ? '' : 'not '}the default conversion from ${x.from} to ${x.to}`,
      y.default ? 'is' : 'not',
    );
  comment(d, 'conversion', n, x.comment, y.comment);
}
