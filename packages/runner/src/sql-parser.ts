import { StrataError } from '@pg-strata/core';

/** The parts of `@pg-strata/sql`'s SqlStatement the runner relies on. */
export interface ParsedStatement {
  text: string;
  range: { start: number; end: number; line: number; column: number; endLine: number; endColumn: number };
  kind: string;
  tag: string;
  transactional: boolean;
  transactionControl: boolean;
  dataLoss: { code: string; message: string; object?: string }[];
  destructive: boolean;
}

type ParseOptions = { file?: string; startLine?: number; startColumn?: number };

/** The parts of `@pg-strata/sql` the runner relies on. */
export interface SqlModule {
  parseScript(source: string, options: ParseOptions): Promise<{ statements: ParsedStatement[] }> | { statements: ParsedStatement[] };
  /** Statements one at a time, parsed in bounded batches (memory follows the batch, not the file). */
  eachStatement(
    source: string,
    options: ParseOptions & { syntaxOnly?: (firstWord: string) => boolean },
    visit: (statement: ParsedStatement) => void,
  ): { count: number };
  codeFrame(source: string, line: number, column: number, options?: { file?: string }): string;
}

let loaded: Promise<SqlModule> | undefined;

/**
 * `@pg-strata/sql` (libpg-query, WebAssembly) is loaded on first use only: a
 * no-op `up` or `status` never pays for it (loading it and compiling its
 * WebAssembly took ~220 ms here, more than such a whole run).
 */
export function sqlModule(): Promise<SqlModule> {
  loaded ??= (async () => {
    const mod = (await import('@pg-strata/sql')) as unknown as Partial<SqlModule> & { loadParser?: () => Promise<unknown> };
    if (typeof mod.parseScript !== 'function' || typeof mod.eachStatement !== 'function')
      throw new StrataError('INTERNAL', '@pg-strata/sql does not export parseScript and eachStatement.');
    if (typeof mod.loadParser === 'function') await mod.loadParser();
    return mod as SqlModule;
  })();
  return loaded;
}

/** A statement of a prepared migration: where it is and what it is (no parse tree). */
export interface ListedStatement {
  text: string;
  range: { start: number; end: number; line: number; column: number; endLine: number; endColumn: number };
  kind: string;
  tag: string;
  transactional: boolean;
}

/**
 * The statements of a migration section, kept compactly: a few numbers each
 * in typed arrays, the text sliced from the section only when asked for. A
 * 50 MB migration of 500,000 statements holds ~14 MB here instead of the
 * parse trees (20x the text) or even plain objects (~250 bytes each).
 */
export class StatementList implements Iterable<ListedStatement> {
  #n = 0;
  #pos = new Int32Array(6 * 16);
  #meta = new Uint16Array(2 * 16);
  #tx = new Uint8Array(16);
  readonly #names: string[] = [];
  readonly #nameIds = new Map<string, number>();
  readonly kinds = new Set<string>();
  /**
   * Statements after which the next must start a new message: the server
   * lexes a whole multi-statement message before running any of it, so a
   * `SET standard_conforming_strings` only affects the messages after its own
   * (psql sends one statement per message and so never meets this).
   */
  readonly cutsAfter = new Set<number>();

  constructor(readonly source: string) {}

  get length(): number {
    return this.#n;
  }

  #id(name: string): number {
    let id = this.#nameIds.get(name);
    if (id === undefined) {
      id = this.#names.length;
      this.#names.push(name);
      this.#nameIds.set(name, id);
    }
    return id;
  }

  push(s: ParsedStatement): void {
    const i = this.#n++;
    if (i >= this.#tx.length) {
      const grow = <T extends Int32Array | Uint16Array | Uint8Array>(a: T, size: number): T => {
        const b = new (a.constructor as new (n: number) => T)(size);
        b.set(a);
        return b;
      };
      this.#pos = grow(this.#pos, this.#pos.length * 2);
      this.#meta = grow(this.#meta, this.#meta.length * 2);
      this.#tx = grow(this.#tx, this.#tx.length * 2);
    }
    const r = s.range;
    this.#pos.set([r.start, r.end, r.line, r.column, r.endLine, r.endColumn], i * 6);
    this.#meta[i * 2] = this.#id(s.kind);
    this.#meta[i * 2 + 1] = this.#id(s.tag);
    this.#tx[i] = s.transactional ? 1 : 0;
    this.kinds.add(s.kind);
    if (s.kind === 'VariableSetStmt' && /standard_conforming_strings|^\s*reset\s+all\b/i.test(s.text)) this.cutsAfter.add(i);
  }

  at(i: number): ListedStatement | undefined {
    if (i < 0 || i >= this.#n) return undefined;
    const p = this.#pos;
    const o = i * 6;
    const range = { start: p[o]!, end: p[o + 1]!, line: p[o + 2]!, column: p[o + 3]!, endLine: p[o + 4]!, endColumn: p[o + 5]! };
    return {
      text: this.source.slice(range.start, range.end),
      range,
      kind: this.#names[this.#meta[i * 2]!]!,
      tag: this.#names[this.#meta[i * 2 + 1]!]!,
      transactional: this.#tx[i] === 1,
    };
  }

  *[Symbol.iterator](): Iterator<ListedStatement> {
    for (let i = 0; i < this.#n; i++) yield this.at(i)!;
  }
}
