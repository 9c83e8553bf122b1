// Guard detection for Python scripts (issue 18 point 2): which existence check a condition or a try/except amounts to.
// Catalogue queries are read in python-catalog.ts, helper functions in python-helpers.ts.
import type { SyntaxNode } from '@lezer/common';
import type { SqlGuard } from './types.js';
import { type Role, type CatalogVal, guardFrom, unqualified } from './python-catalog.js';
import { type GuardHost, type Source, type HelperCheck, type HelperDef, walk, GuardBook } from './python-helpers.js';
import { children, callArgs, src, lastName } from './python-nodes.js';

/**
 * The guard a condition amounts to, possibly under `not`:
 * - a call of a helper whose body is a catalogue check (its name does not
 *   matter), arguments mapped to its parameters by position and keyword;
 * - an SQLAlchemy inspector `has_table('x')`;
 * - `'email' not in cols` where `cols` lists a table's columns (or tables, indexes);
 * - the answer of an existence query (`if not cur.fetchone():` after one);
 * - by name only, when no body can be read: `column_exists`, `index_exists`,
 *   `table_exists`, any other `*exists` / `has_*` as an opaque `if`.
 * An opaque `if` names the condition and sends the statement to a person when
 * production lacks what it creates. Undefined: not a guard.
 */
export function guardOfCondition(book: GuardBook, host: GuardHost, cond: SyntaxNode): SqlGuard | undefined {
  const t = host.text;
  let negated = false;
  let node = cond;
  for (;;) {
    if (node.name === 'UnaryExpression' && node.firstChild && src(t, node.firstChild) === 'not') {
      negated = !negated;
      node = node.lastChild!;
    } else if (node.name === 'ParenthesizedExpression' && children(node).length === 1) node = children(node)[0]!;
    else break;
  }
  const flip = (g: SqlGuard | undefined): SqlGuard | undefined => (g && negated ? { ...g, negated: !g.negated } : g);
  if (node.name === 'BinaryExpression') {
    const k = children(node);
    const inAt = k.findIndex((x) => x.name === 'in');
    if (inAt > 0 && k.length === inAt + 2) {
      const not = k[inAt - 1]?.name === 'not';
      const right = host.catalog(k[inAt + 1]!);
      if (!right?.list) return undefined;
      const item = host.constant(k[0]!);
      const g = item === undefined ? undefined : listGuard(right.list, item, not);
      return flip(g ?? { kind: 'if', negated: false, args: [src(t, node).replace(/\s+/g, ' ')] });
    }
    // `cur.fetchone() is None`, `count == 0`, `exists is not None`
    const op = k.length === 3 ? src(t, k[1]!) : k.length === 4 ? `${src(t, k[1]!)} ${src(t, k[2]!)}` : '';
    const right = k.at(-1);
    const c = host.catalog(k[0]!);
    if (c?.check && right) {
      const r = src(t, right);
      if ((op === 'is' && r === 'None') || (op === '==' && (r === '0' || r === 'False')) || (op === 'is not' && r !== 'None'))
        return flip({ ...c.check, negated: !c.check.negated });
      if (
        (op === 'is not' && r === 'None') ||
        (op === '>' && r === '0') ||
        (op === '!=' && r === '0') ||
        (op === '==' && r === 'True') ||
        (op === '>=' && r === '1')
      )
        return flip(c.check);
      return flip({ kind: 'if', negated: false, args: [src(t, node).replace(/\s+/g, ' ')] });
    }
    if (c) return flip({ kind: 'if', negated: false, args: [src(t, node).replace(/\s+/g, ' ').slice(0, 80)] });
    return undefined;
  }
  const c = host.catalog(node);
  if (c?.check) return flip(c.check);
  // `if not rows:` over a listing, or an answer that names no one object
  if (c) return flip({ kind: 'if', negated: false, args: [src(t, node).replace(/\s+/g, ' ').slice(0, 80)] });
  if (node.name !== 'CallExpression') return undefined;
  const callee = node.firstChild!;
  const last = lastName(t, callee);
  const args = callArgs(t, node.getChild('ArgList'));
  const consts = () => args.positional.map((a) => host.constant(a)).filter((v): v is string => v !== undefined);
  const helper = book.lookup(t, callee);
  if (helper?.check) return flip(fromHelper(host, helper, helper.check, args) ?? { kind: 'if', negated: false, args: [last, ...consts()] });
  if (helper?.check === null) return flip({ kind: 'if', negated: false, args: [last, ...consts()] });
  if (!/exists?$|^has_/i.test(last)) return undefined;
  // os.path.exists(f), Path(f).exists(), sql_file.exists(): a file, not the database
  if (
    callee.name === 'MemberExpression' &&
    /^(os\.path|os|path|posixpath|pathlib\.Path|Path\(.*\)|\w*(file|path|dir)\w*)$/is.test(src(t, callee.firstChild!).replace(/\s+/g, ''))
  )
    return undefined;
  const kind = last === 'column_exists' || last === 'index_exists' || last === 'table_exists' ? last : 'if';
  return flip({ kind, negated: false, args: kind === 'if' ? [last, ...consts()] : consts() });
}

function listGuard(list: NonNullable<CatalogVal['list']>, item: string, not: boolean): SqlGuard | undefined {
  switch (list.what) {
    case 'columns':
      return { kind: 'column_exists', negated: not, args: list.table !== undefined ? [list.table, item] : [item] };
    case 'tables':
      return { kind: 'table_exists', negated: not, args: [unqualified(item)] };
    case 'indexes':
      return { kind: 'index_exists', negated: not, args: [item] };
    case 'constraints':
      return { kind: 'constraint_exists', negated: not, args: list.table !== undefined ? [list.table, item] : [item] };
  }
}

/** Map a call's arguments to the helper's parameters and read the names it checks. */
function fromHelper(host: GuardHost, h: HelperDef, check: HelperCheck, args: ReturnType<typeof callArgs>): SqlGuard | undefined {
  if (args.star) return undefined;
  const byParam = new Map<string, string | undefined>();
  h.params.forEach((p, i) => {
    const a = args.positional[i] ?? args.keywords.get(p.name);
    byParam.set(p.name, a ? host.constant(a) : p.default);
  });
  const names: Partial<Record<Role, string>> = {};
  for (const [role, s] of Object.entries(check.roles) as [Role, Source][]) {
    const v = 'value' in s ? s.value : byParam.get(s.param);
    if (v === undefined) return undefined;
    names[role] = v;
  }
  return guardFrom(check.kind, names, check.inverted);
}

// ---------- try / except ----------

/** Exception types that a failing CREATE/ADD/DROP raises: catching one and going on makes an existence guard. */
const SWALLOWED_NAMES = [
  'Error',
  'DatabaseError',
  'ProgrammingError',
  'OperationalError',
  'DBAPIError',
  'SQLAlchemyError',
  'IntegrityError',
  'PostgresError',
  String.raw`Duplicate\w*`,
  String.raw`\w*AlreadyExists\w*`,
  'UndefinedColumn',
  'UndefinedTable',
  'UndefinedObject',
  'InFailedSqlTransaction',
];
const SWALLOWED = new RegExp(String.raw`^(Exception|BaseException|(\w+\.)*(${SWALLOWED_NAMES.join('|')}))$`);

/**
 * `try: cur.execute("ALTER TABLE ... ADD COLUMN ...") except DuplicateColumn: pass`:
 * the statement runs only where its object does not exist yet (for a DROP:
 * only where it does). Recognised when the except clause catches such an
 * error without re-raising it. The kind is `exception`; which object it guards
 * is read from the statement's own effects.
 */
export function exceptionGuard(text: string, tryStmt: SyntaxNode): SqlGuard | undefined {
  const kids = children(tryStmt);
  for (let i = 0; i < kids.length; i++) {
    if (kids[i]!.name !== 'except') continue;
    let j = i + 1;
    const types: string[] = [];
    if (kids[j] && kids[j]!.name !== 'Body') {
      const e = kids[j]!;
      const items = e.name === 'TupleExpression' || e.name === 'ParenthesizedExpression' ? children(e) : [e];
      // except (A, B), except A | B
      for (const it of items)
        if (it.name !== 'as')
          types.push(
            ...src(text, it)
              .replace(/[\s()]+/g, '')
              .split('|')
              .filter(Boolean),
          );
      j++;
    }
    while (kids[j] && kids[j]!.name !== 'Body') j++;
    const body = kids[j];
    if (!body) continue;
    let raises = false;
    walk(body, (n) => {
      if (n.name === 'RaiseStatement' || (n.name === 'CallExpression' && /^(sys\.)?exit$/.test(src(text, n.firstChild!)))) raises = true;
    });
    if (raises) continue;
    const caught = types.length === 0 ? ['(bare except)'] : types.filter((ty) => SWALLOWED.test(ty));
    if (caught.length > 0) return { kind: 'exception', negated: true, args: caught };
  }
  return undefined;
}
