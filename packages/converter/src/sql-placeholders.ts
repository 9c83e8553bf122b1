import type { ParamStyle } from './types.js';

/** The result of {@link rewritePlaceholders}. */
export interface Rewritten {
  readonly sql: string;
  readonly count: number;
  /** Whether any placeholder was found. */
  readonly found: boolean;
  /** Whether the text's length changed (so an offset mapping is no longer exact). */
  readonly changed: boolean;
}

const identStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const identPart = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/**
 * Rewrite client-side placeholders into PostgreSQL `$n`, outside string
 * literals, quoted identifiers, dollar quotes and comments (a small SQL
 * scanner, so `'100%'`, `'{"a": 1}'::jsonb`, `-- 50% off` stay intact):
 * - `pyformat`: `%s` and `%(name)s` become `$n`, `%%` becomes `%`;
 * - `named`: `:name` becomes `$n` (`::type` casts are left alone);
 * - `question`: `?` becomes `$n` (`??` and `?|`/`?&` operators are left alone).
 * The same name always gets the same number.
 */
export function rewritePlaceholders(sql: string, style: ParamStyle): Rewritten {
  let out = '';
  let count = 0;
  let found = false;
  const names = new Map<string, number>();
  const numberFor = (name: string | null) => {
    found = true;
    if (name === null) return ++count;
    let n = names.get(name);
    if (n === undefined) {
      n = ++count;
      names.set(name, n);
    }
    return n;
  };
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    // comments
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    // quoted literals and identifiers ('' and "" escape themselves; E'' allows \')
    if (c === "'" || c === '"') {
      const escapes = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]!) && !identPart(sql[i - 2] ?? ' ');
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === '\\') {
          j += 2;
          continue;
        }
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      let chunk = sql.slice(i, Math.min(j + 1, n));
      // psycopg2 also doubles % inside literals: '100%%' reaches the server as '100%'.
      if (style === 'pyformat') chunk = chunk.replaceAll('%%', '%');
      out += chunk;
      i = j + 1;
      continue;
    }
    // dollar quotes
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m && !(i > 0 && identPart(sql[i - 1]!))) {
        const tag = m[0];
        const end = sql.indexOf(tag, i + tag.length);
        const stop = end === -1 ? n : end + tag.length;
        let chunk = sql.slice(i, stop);
        if (style === 'pyformat') chunk = chunk.replaceAll('%%', '%');
        out += chunk;
        i = stop;
        continue;
      }
      if (style === 'dollar' && next !== undefined && /[0-9]/.test(next)) {
        let j = i + 1;
        while (j < n && /[0-9]/.test(sql[j]!)) j++;
        const k = Number(sql.slice(i + 1, j));
        found = true;
        if (k > count) count = k;
        out += sql.slice(i, j);
        i = j;
        continue;
      }
    }
    if (style === 'pyformat' && c === '%') {
      if (next === '%') {
        out += '%';
        i += 2;
        continue;
      }
      if (next === 's') {
        out += `$${numberFor(null)}`;
        i += 2;
        continue;
      }
      if (next === '(') {
        const m = /^%\(([^)]*)\)s/.exec(sql.slice(i, i + 200));
        if (m) {
          out += `$${numberFor(m[1]!)}`;
          i += m[0].length;
          continue;
        }
      }
    }
    if (
      style === 'named' &&
      c === ':' &&
      next !== undefined &&
      identStart(next) &&
      sql[i - 1] !== ':' &&
      !(i > 0 && identPart(sql[i - 1]!))
    ) {
      let j = i + 1;
      while (j < n && identPart(sql[j]!)) j++;
      out += `$${numberFor(sql.slice(i + 1, j))}`;
      i = j;
      continue;
    }
    if (style === 'question' && c === '?') {
      if (next === '?' || next === '|' || next === '&') {
        out += sql.slice(i, i + 2);
        i += 2;
        continue;
      }
      out += `$${numberFor(null)}`;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return { sql: out, count, found, changed: out.length !== sql.length };
}
