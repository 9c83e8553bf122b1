// Foreign-data wrappers, servers, user mappings, foreign tables, languages and access methods, compared.
// A user mapping's secret options are never read (their value is null): only whether they are set is compared.
import type {
  AccessMethodDef,
  FdwOptions,
  ForeignDataWrapperDef,
  ForeignServerDef,
  LanguageDef,
  Snapshot,
  TableDef,
  UserMappingDef,
} from './snapshot.js';
import { byCodePoint } from './snapshot.js';
import { DriftBuilder, comment, keyed, type ObjectType } from './compare-drift.js';

/** `host 'db1'`, or `password (a secret, not read)`. */
function optionText(name: string, value: string | null): string {
  return value === null ? `${name} (a secret, not read)` : `${name} '${value}'`;
}

/** Each option that differs: one sentence per option, by name. */
export function compareOptions(d: DriftBuilder, type: ObjectType, n: string, x: FdwOptions, y: FdwOptions): void {
  for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort(byCodePoint)) {
    const inX = k in x;
    const inY = k in y;
    if (inX && inY && x[k] === y[k]) continue;
    d.isVs(
      type,
      n,
      `option ${k}`,
      inX ? x[k] : undefined,
      inY ? y[k] : undefined,
      'error',
      inX ? `has option ${optionText(k, x[k]!)}` : `has no option ${k}`,
      inY ? (inX ? `'${y[k]}'` : optionText(k, y[k]!)) : 'none',
    );
  }
}

const fnName = (key: string | null) => (key === null ? 'none' : key.replace(/^public\./, '').replace(/\(.*\)$/, ''));

/** A foreign table on both sides: its server and options (columns, constraints and the rest as a table's). */
export function compareForeignTable(d: DriftBuilder, n: string, x: TableDef, y: TableDef): void {
  if (!x.foreign || !y.foreign) {
    d.isVs(
      'foreign table',
      n,
      'foreign',
      Boolean(x.foreign),
      Boolean(y.foreign),
      'error',
      x.foreign ? 'is a foreign table' : 'is a table',
      y.foreign ? 'a foreign table' : 'a table',
    );
    return;
  }
  if (x.foreign.server !== y.foreign.server)
    d.isVs(
      'foreign table',
      n,
      'server',
      x.foreign.server,
      y.foreign.server,
      'error',
      `is on server ${x.foreign.server}`,
      `on ${y.foreign.server}`,
    );
  compareOptions(d, 'foreign table', n, x.foreign.options, y.foreign.options);
}

/** A table's access method (`USING am`; absent is heap). */
export function compareTableAccessMethod(d: DriftBuilder, n: string, x: TableDef, y: TableDef): void {
  const u = x.accessMethod ?? 'heap';
  const v = y.accessMethod ?? 'heap';
  if (u !== v) d.isVs('table', n, 'accessMethod', u, v, 'error', `uses access method ${u}`, v);
}

/** Wrappers, servers, user mappings, languages and access methods of two Snapshots. */
export function compareForeignKinds(d: DriftBuilder, a: Snapshot, b: Snapshot): void {
  keyed(
    d,
    a.foreignDataWrappers ?? {},
    b.foreignDataWrappers ?? {},
    'foreign-data wrapper',
    (w) => w.name,
    'error',
    (n, x, y) => wrapper(d, n, x, y),
  );
  keyed(
    d,
    a.foreignServers ?? {},
    b.foreignServers ?? {},
    'server',
    (s) => s.name,
    'error',
    (n, x, y) => server(d, n, x, y),
  );
  keyed(
    d,
    a.userMappings ?? {},
    b.userMappings ?? {},
    'user mapping',
    (m) => `for ${m.user === 'public' ? 'PUBLIC' : m.user} on server ${m.server}`,
    'error',
    (n, x, y) => mapping(d, n, x, y),
  );
  keyed(
    d,
    a.languages ?? {},
    b.languages ?? {},
    'language',
    (l) => l.name,
    'error',
    (n, x, y) => language(d, n, x, y),
  );
  keyed(
    d,
    a.accessMethods ?? {},
    b.accessMethods ?? {},
    'access method',
    (m) => m.name,
    'error',
    (n, x, y) => accessMethod(d, n, x, y),
  );
}

function wrapper(d: DriftBuilder, n: string, x: ForeignDataWrapperDef, y: ForeignDataWrapperDef): void {
  for (const k of ['handler', 'validator'] as const) {
    if (x[k] !== y[k])
      d.isVs('foreign-data wrapper', n, k, x[k], y[k], 'error', x[k] ? `has ${k} ${fnName(x[k])}` : `has no ${k}`, fnName(y[k]));
  }
  compareOptions(d, 'foreign-data wrapper', n, x.options, y.options);
  comment(d, 'foreign-data wrapper', n, x.comment, y.comment);
}

function server(d: DriftBuilder, n: string, x: ForeignServerDef, y: ForeignServerDef): void {
  if (x.wrapper !== y.wrapper)
    d.isVs('server', n, 'wrapper', x.wrapper, y.wrapper, 'error', `uses foreign-data wrapper ${x.wrapper}`, y.wrapper);
  for (const k of ['type', 'version'] as const) {
    if (x[k] !== y[k])
      d.isVs(
        'server',
        n,
        k,
        x[k],
        y[k],
        k === 'type' ? 'error' : 'warning',
        x[k] === null ? `has no ${k}` : `has ${k} '${x[k]}'`,
        y[k] === null ? 'none' : `'${y[k]}'`,
      );
  }
  compareOptions(d, 'server', n, x.options, y.options);
  comment(d, 'server', n, x.comment, y.comment);
}

function mapping(d: DriftBuilder, n: string, x: UserMappingDef, y: UserMappingDef): void {
  // Options the introspecting role may not see are not compared.
  if (x.options === null || y.options === null) return;
  compareOptions(d, 'user mapping', n, x.options, y.options);
}

function language(d: DriftBuilder, n: string, x: LanguageDef, y: LanguageDef): void {
  if (x.trusted !== y.trusted)
    d.isVs(
      'language',
      n,
      'trusted',
      x.trusted,
      y.trusted,
      'error',
      x.trusted ? 'is trusted' : 'is not trusted',
      y.trusted ? 'trusted' : 'not',
    );
  for (const k of ['handler', 'inline', 'validator'] as const) {
    const word = k === 'inline' ? 'inline handler' : k;
    if (x[k] !== y[k]) d.isVs('language', n, k, x[k], y[k], 'error', x[k] ? `has ${word} ${fnName(x[k])}` : `has no ${word}`, fnName(y[k]));
  }
  comment(d, 'language', n, x.comment, y.comment);
}

function accessMethod(d: DriftBuilder, n: string, x: AccessMethodDef, y: AccessMethodDef): void {
  if (x.type !== y.type) d.isVs('access method', n, 'type', x.type, y.type, 'error', `is a ${x.type} access method`, `a ${y.type} one`);
  if (x.handler !== y.handler)
    d.isVs('access method', n, 'handler', x.handler, y.handler, 'error', `has handler ${fnName(x.handler)}`, fnName(y.handler));
  comment(d, 'access method', n, x.comment, y.comment);
}
