import type { ColumnType } from './column-types.js';

/**
 * What the migrations so far have built, as far as the linter needs it:
 * column types (for type changes) and which columns a validated
 * `CHECK (col IS NOT NULL)` covers (for SET NOT NULL). Keys are `table` and
 * `table.column`, with the schema only when it is not `public`.
 */
export class SchemaState {
  readonly columnTypes = new Map<string, ColumnType>();
  /** `table.column` covered by a validated CHECK (column IS NOT NULL). */
  readonly notNullChecks = new Set<string>();
  /** NOT VALID checks on `col IS NOT NULL`, by `table` + NUL + constraint name, waiting for VALIDATE. */
  readonly pendingChecks = new Map<string, string[]>();

  renameTable(from: string, to: string): void {
    for (const map of [this.columnTypes] as Map<string, unknown>[]) {
      for (const [k, v] of [...map]) {
        if (k.startsWith(`${from}.`)) {
          map.delete(k);
          map.set(`${to}${k.slice(from.length)}`, v);
        }
      }
    }
    for (const k of [...this.notNullChecks]) {
      if (k.startsWith(`${from}.`)) {
        this.notNullChecks.delete(k);
        this.notNullChecks.add(`${to}${k.slice(from.length)}`);
      }
    }
  }

  renameColumn(table: string, from: string, to: string): void {
    const t = this.columnTypes.get(`${table}.${from}`);
    this.columnTypes.delete(`${table}.${from}`);
    if (t) this.columnTypes.set(`${table}.${to}`, t);
    if (this.notNullChecks.delete(`${table}.${from}`)) this.notNullChecks.add(`${table}.${to}`);
  }

  dropTable(table: string): void {
    for (const k of [...this.columnTypes.keys()]) if (k.startsWith(`${table}.`)) this.columnTypes.delete(k);
    for (const k of [...this.notNullChecks]) if (k.startsWith(`${table}.`)) this.notNullChecks.delete(k);
  }

  dropColumn(table: string, column: string): void {
    this.columnTypes.delete(`${table}.${column}`);
    this.notNullChecks.delete(`${table}.${column}`);
  }
}
