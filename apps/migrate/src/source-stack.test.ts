import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceMappedStack } from './source-stack.js';

const dir = mkdtempSync(join(tmpdir(), 'strata-stack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A minified script with its map beside it, a banner above the code as the
 * bundle has, compiled through node:vm (where Node never maps a stack) and
 * called; returns the stack it throws.
 */
function thrownBy(source: string, sourcefile: string): { stack: string; bundle: string } {
  const bundle = join(dir, 'main.cjs');
  const out = transformSync(source, {
    loader: 'ts',
    minify: true,
    sourcemap: 'external',
    sourcefile,
    banner: '(function (exports, require, module) {\nconst x = 1;',
    footer: '})',
  });
  writeFileSync(bundle, out.code);
  writeFileSync(`${bundle}.map`, out.map);
  const run = runInThisContext(out.code, { filename: bundle }) as () => void;
  try {
    run();
  } catch (err) {
    return { stack: (err as Error).stack ?? '', bundle };
  }
  throw new Error('the script did not throw');
}

describe('sourceMappedStack', () => {
  it("puts the original file, line and column in place of the bundle's frames", () => {
    const source = [
      'function outer(): never {',
      '  return inner();',
      '}',
      'function inner(): never {',
      "  throw new Error('deep');",
      '}',
      'outer();',
      '',
    ].join('\n');
    const { stack, bundle } = thrownBy(source, join(dir, 'src', 'thing.ts'));
    expect(stack).toMatch(new RegExp(`${bundle}:\\d+:\\d+`));
    const mapped = sourceMappedStack(stack, bundle).split('\n');
    expect(mapped[0]).toBe('Error: deep');
    expect(mapped[1]).toBe(`    at ${join(dir, 'src', 'thing.ts')}:5:9`);
    expect(mapped[2]).toBe(`    at ${join(dir, 'src', 'thing.ts')}:2:10`);
    expect(mapped.join('\n')).not.toContain('main.cjs');
  });

  it('leaves other frames, and a bundle without a map, as they are', () => {
    const stack = `Error: x\n    at f (${join(dir, 'other.js')}:3:4)\n    at node:internal/main:1:1`;
    expect(sourceMappedStack(stack, join(dir, 'main.cjs'))).toBe(stack);
    expect(sourceMappedStack(`Error: y\n    at ${join(dir, 'nomap.cjs')}:1:5`, join(dir, 'nomap.cjs'))).toBe(
      `Error: y\n    at ${join(dir, 'nomap.cjs')}:1:5`,
    );
  });
});
