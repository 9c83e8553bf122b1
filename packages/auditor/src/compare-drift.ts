// The vocabulary of a comparison: the Difference it reports and the builder that words it.
import type { CompositeTypeDef } from './snapshot.js';
import { byCodePoint } from './snapshot.js';

/** How serious a difference is. */
export type Severity = 'error' | 'warning' | 'info';

/** The kind of object a difference is about. */
export type ObjectType =
  | 'schema'
  | 'extension'
  | 'collation'
  | 'enum'
  | 'domain'
  | 'composite type'
  | 'range type'
  | 'sequence'
  | 'table'
  | 'column'
  | 'constraint'
  | 'index'
  | 'view'
  | 'materialized view'
  | 'function'
  | 'aggregate'
  | 'text search dictionary'
  | 'text search configuration'
  | 'text search parser'
  | 'text search template'
  | 'operator'
  | 'operator family'
  | 'operator class'
  | 'trigger'
  | 'policy'
  | 'privilege'
  | 'event trigger'
  | 'publication'
  | 'default privileges'
  | 'owner'
  | 'rule'
  | 'statistics object'
  | 'cast'
  | 'conversion'
  | 'foreign-data wrapper'
  | 'server'
  | 'user mapping'
  | 'foreign table'
  | 'language'
  | 'access method'
  | 'not handled';

/**
 * One difference between two Snapshots, seen from the left side:
 * `missing` exists only on the right, `extra` only on the left, `different`
 * exists on both with an attribute that differs (`from` left, `to` right).
 */
export interface Difference {
  kind: 'missing' | 'extra' | 'different';
  objectType: ObjectType;
  /** Display name: `users`, `users.email`, `app.orders`, `users.users_email_key`. */
  name: string;
  attribute?: string;
  from?: unknown;
  to?: unknown;
  severity: Severity;
  /** A sentence a person understands. */
  message: string;
}

/** The differences between two Snapshots; empty when they are equal. */
export type Drift = Difference[];

/** Options of {@link compare}. */
export interface CompareOptions {
  /** Name of the left side in messages. Default `'the database'`. */
  left?: string;
  /** Name of the right side in messages. Default `'the models'`. */
  right?: string;
  /**
   * Compare privileges (GRANT/REVOKE on schemas, tables, views, sequences,
   * functions) too. Default `false`, as migra's `--with-privileges`:
   * production grants to its application roles, which models rarely describe,
   * so a default-on check would report drift on every real database.
   */
  privileges?: boolean;
  /**
   * Compare owners too (`ALTER ... OWNER TO`; needs Snapshots introspected
   * with `owners`). Default `false`, like privileges: who owns what depends on
   * the role that ran the migrations.
   */
  owners?: boolean;
  /**
   * List objects of kinds Strata does not handle that both sides have (as
   * warnings: they were not compared). Default `true`. Objects on one side
   * only are always errors. Set false where two sides Strata built are
   * checked for equality (autogenerate, create_all's check, stamp --verify).
   */
  uncompared?: boolean;
}

/** A schema-qualified name as people write it: unqualified in `public`. */
export function displayName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

/** A `format_type` name in the short form people write (`varchar(255)`, `timestamptz`). */
export function prettyType(type: string): string {
  return type
    .replace(/\bcharacter varying\b/g, 'varchar')
    .replace(/\btimestamp(\(\d+\))? without time zone\b/g, 'timestamp$1')
    .replace(/\btimestamp(\(\d+\))? with time zone\b/g, 'timestamptz$1')
    .replace(/\btime(\(\d+\))? without time zone\b/g, 'time$1')
    .replace(/\btime(\(\d+\))? with time zone\b/g, 'timetz$1')
    .replace(/\bcharacter\b/g, 'char');
}

/** `the models` -> plural verb; `production` -> singular. */
function verb(side: string, singular: string, plural: string): string {
  return /^the .*s$/i.test(side) ? plural : singular;
}

export class DriftBuilder {
  readonly out: Difference[] = [];
  constructor(
    readonly left: string,
    readonly right: string,
  ) {}

  extra(objectType: ObjectType, name: string, severity: Severity): void {
    this.out.push({
      kind: 'extra',
      objectType,
      name,
      severity,
      message:
        `${this.left} ${verb(this.left, 'has', 'have')} an extra ${objectType} ${name} that ` +
        `${this.right} ${verb(this.right, 'does', 'do')} not define`,
    });
  }

  missing(objectType: ObjectType, name: string, severity: Severity): void {
    this.out.push({
      kind: 'missing',
      objectType,
      name,
      severity,
      message:
        `${this.left} ${verb(this.left, 'is', 'are')} missing the ${objectType} ${name} that ` +
        `${this.right} ${verb(this.right, 'defines', 'define')}`,
    });
  }

  different(
    objectType: ObjectType,
    name: string,
    attribute: string,
    from: unknown,
    to: unknown,
    severity: Severity,
    message?: string,
  ): void {
    this.out.push({
      kind: 'different',
      objectType,
      name,
      attribute,
      from,
      to,
      severity,
      message:
        message ?? `${objectType} ${name} has a different ${attribute} in ${this.left} (${show(from)}) than in ${this.right} (${show(to)})`,
    });
  }

  /** "column users.email is varchar(255) in production but text in the models" */
  isVs(
    objectType: ObjectType,
    name: string,
    attribute: string,
    from: unknown,
    to: unknown,
    severity: Severity,
    fromText: string,
    toText: string,
  ): void {
    this.different(
      objectType,
      name,
      attribute,
      from,
      to,
      severity,
      `${objectType} ${name} ${fromText} in ${this.left} but ${toText} in ${this.right}`,
    );
  }
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'string') return v.length > 80 ? `${v.slice(0, 77).replace(/\s+/g, ' ')}...` : v.replace(/\s+/g, ' ');
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  return JSON.stringify(v);
}

const has = (a: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(a, k);

/** A composite type's attributes without their comments: what its shape is. */
export function attributeShape(attrs: CompositeTypeDef['attributes']): { name: string; type: string; collation: string | null }[] {
  return attrs.map((at) => ({ name: at.name, type: at.type, collation: at.collation }));
}

export function dn(x: { schema: string; name: string }): string {
  return displayName(x.schema, x.name);
}

export function comment(d: DriftBuilder, type: ObjectType, name: string, x: string | null, y: string | null): void {
  if (x === y) return;
  const msg =
    x === null
      ? `${type} ${name} has no comment in ${d.left} but has one in ${d.right}`
      : y === null
        ? `${type} ${name} has a comment in ${d.left} but none in ${d.right}`
        : `${type} ${name} has a different comment in ${d.left} than in ${d.right}`;
  d.different(type, name, 'comment', x, y, 'info', msg);
}

export function keyed<T>(
  d: DriftBuilder,
  a: Record<string, T>,
  b: Record<string, T>,
  type: ObjectType,
  name: (x: T) => string,
  severity: Severity,
  both: (name: string, x: T, y: T) => void,
): void {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(byCodePoint);
  for (const k of keys) {
    const inA = has(a, k);
    const inB = has(b, k);
    if (inA && inB) both(name(a[k] as T), a[k] as T, b[k] as T);
    else if (inA) d.extra(type, name(a[k] as T), severity);
    else d.missing(type, name(b[k] as T), severity);
  }
}
