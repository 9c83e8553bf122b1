import type { ColumnType } from './column-types.js';

/**
 * What the migrations so far have built, as far as the linter needs it:
 * column types (for type changes) and which columns a validated
 * `CHECK (col IS NOT NULL)` covers (for SET NOT NULL). Tables are keyed as
 * written, with the schema only when it is not `public`. Per-table maps keep
 * every operation proportional to one table, not to the whole chain.
 */
export class SchemaState {
  readonly #types = new Map<string, Map<string, ColumnType>>();
  readonly #checked = new Map<string, Set<string>>();
  /** NOT VALID checks on `col IS NOT NULL`, by `table` + NUL + constraint name, waiting for VALIDATE. */
  readonly pendingChecks = new Map<string, string[]>();

  typeOf(table: string, column: string): ColumnType | undefined {
    return this.#types.get(table)?.get(column);
  }

  setType(table: string, column: string, type: ColumnType): void {
    let t = this.#types.get(table);
    if (!t) this.#types.set(table, (t = new Map()));
    t.set(column, type);
  }

  /** Whether a validated CHECK (column IS NOT NULL) covers the column. */
  hasNotNullCheck(table: string, column: string): boolean {
    return this.#checked.get(table)?.has(column) ?? false;
  }

  addNotNullCheck(table: string, column: string): void {
    let s = this.#checked.get(table);
    if (!s) this.#checked.set(table, (s = new Set()));
    s.add(column);
  }

  renameTable(from: string, to: string): void {
    for (const map of [this.#types, this.#checked] as Map<string, unknown>[]) {
      const v = map.get(from);
      map.delete(from);
      if (v !== undefined) map.set(to, v);
    }
  }

  renameColumn(table: string, from: string, to: string): void {
    const types = this.#types.get(table);
    const t = types?.get(from);
    if (types && t) {
      types.delete(from);
      types.set(to, t);
    }
    const checked = this.#checked.get(table);
    if (checked?.delete(from)) checked.add(to);
  }

  dropTable(table: string): void {
    this.#types.delete(table);
    this.#checked.delete(table);
  }

  dropColumn(table: string, column: string): void {
    this.#types.get(table)?.delete(column);
    this.#checked.get(table)?.delete(column);
  }
}
