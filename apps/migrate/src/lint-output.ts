// The linter's options from the config and its findings as text: shared by
// `lint` and the lint gate of `up` (lint-gate.ts).
import type { Finding } from '@pg-strata/lint';
import type { CliContext, Resolved } from './context.js';
import { timeoutOptions } from './runner-options.js';

/** The lint options the config file gives (`lint.rules`, and `lockTimeout` for no-lock-timeout). */
export function lintOptions(
  ctx: CliContext,
  r: Resolved,
): { rules: Record<string, 'off' | 'warning' | 'error'>; lockTimeout: string; cwd: string } {
  return { rules: { ...(r.config.lint?.rules ?? {}) }, lockTimeout: timeoutOptions(r).lockTimeout ?? '10s', cwd: ctx.io.cwd };
}

/** `file:line:column  severity  rule` then the message and the hint, indented. */
export function printFindings(ctx: CliContext, findings: readonly Finding[], write: (line: string) => void): void {
  for (const f of findings) {
    const sev = f.severity === 'error' ? ctx.paint('31', 'error') : ctx.paint('33', 'warning');
    write(`${f.file}:${f.line}:${f.column}  ${sev}  ${f.rule}`);
    write(`  ${f.message}.`);
    write(`  hint: ${f.hint}`);
  }
}

/** `3 errors, 1 warning` */
export function countFindings(findings: readonly Finding[]): string {
  const e = findings.filter((f) => f.severity === 'error').length;
  const w = findings.length - e;
  return `${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}`;
}
