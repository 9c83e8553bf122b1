/**
 * PostgreSQL does not print every expression in a form that reads back to
 * the same text. The common case: `role IN ('a', 'b')` on a varchar column is
 * stored and printed as
 *
 *   ((role)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))
 *
 * but that printed text, executed again (which is what a plan, a baseline or
 * a pg_dump restore does), is stored and printed as
 *
 *   ((role)::text = ANY (ARRAY[('a'::character varying)::text, ('b'::character varying)::text]))
 *
 * Both mean the same. Snapshots keep the second form, the fixed point, so a
 * database and its re-creation compare equal and plans do not churn.
 * Only arrays whose every element is a quoted literal with a cast are
 * rewritten: that is the shape PostgreSQL produces here, and the one whose
 * re-printed form is known.
 */
export function canonicalExpression(text: string): string {
  if (!text.includes('(ARRAY[')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('(ARRAY[', i);
    if (at < 0) break;
    const rewritten = rewriteAt(text, at);
    if (rewritten) {
      out += text.slice(i, at) + rewritten.text;
      i = rewritten.end;
    } else {
      out += text.slice(i, at + 1);
      i = at + 1;
    }
  }
  return out + text.slice(i);
}

const LITERAL_WITH_CAST = /^'(?:[^']|'')*'::[a-z][a-z0-9_ ."]*(?:\(\d+(?:,\s*\d+)?\))?$/;

function rewriteAt(text: string, at: number): { text: string; end: number } | undefined {
  // text[at..] = "(ARRAY[" items "])::" type "[]"
  const start = at + '(ARRAY['.length;
  const items: string[] = [];
  let depth = 0;
  let itemStart = start;
  let i = start;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      const close = skipQuoted(text, i);
      if (close < 0) return undefined;
      i = close;
      continue;
    }
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || (ch === ']' && depth > 0)) depth--;
    else if (ch === ']' && depth === 0) break;
    else if (ch === ',' && depth === 0) {
      items.push(text.slice(itemStart, i).trim());
      itemStart = i + 1;
    }
  }
  if (i >= text.length) return undefined;
  items.push(text.slice(itemStart, i).trim());
  if (text.slice(i, i + 4) !== '])::') return undefined;
  const typeStart = i + 4;
  const m = /^([a-z][a-z0-9_ ."]*(?:\(\d+(?:,\s*\d+)?\))?)\[\]/.exec(text.slice(typeStart));
  if (!m) return undefined;
  const type = m[1]!;
  if (items.length === 0 || !items.every((it) => LITERAL_WITH_CAST.test(it))) return undefined;
  return { text: `ARRAY[${items.map((it) => `(${it})::${type}`).join(', ')}]`, end: typeStart + m[0].length };
}

function skipQuoted(text: string, open: number): number {
  const q = text[open];
  for (let j = open + 1; j < text.length; j++) {
    if (text[j] === q) {
      if (text[j + 1] === q) {
        j++;
        continue;
      }
      return j;
    }
  }
  return -1;
}
