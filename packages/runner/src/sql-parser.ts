import { StrataError } from '@strata/core';

/** The parts of `@strata/sql`'s SqlStatement the runner relies on. */
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

/** The parts of `@strata/sql` the runner relies on. */
export interface SqlModule {
  parseScript(source: string, options: { file?: string; startLine?: number; startColumn?: number }): Promise<{ statements: ParsedStatement[] }> | { statements: ParsedStatement[] };
  codeFrame(source: string, line: number, column: number, options?: { file?: string }): string;
}

let loaded: Promise<SqlModule> | undefined;

/**
 * `@strata/sql` (libpg-query, WebAssembly) is loaded on first use only: a
 * no-op `up` or `status` never pays for it (loading it and compiling its
 * WebAssembly took ~220 ms here, more than such a whole run).
 */
export function sqlModule(): Promise<SqlModule> {
  loaded ??= (async () => {
    const mod = (await import('@strata/sql')) as unknown as Partial<SqlModule> & { loadParser?: () => Promise<unknown> };
    if (typeof mod.parseScript !== 'function') throw new StrataError('INTERNAL', '@strata/sql does not export parseScript.');
    if (typeof mod.loadParser === 'function') await mod.loadParser();
    return mod as SqlModule;
  })();
  return loaded;
}
