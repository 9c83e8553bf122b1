import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverScripts } from './discover.js';
import { extractSql } from './extract.js';

// Mutated and truncated copies of the legacy estate's scripts: the extractor
// must never throw nor fall back to its internal-failure path, and every
// location must lie inside the mutated file.
const legacy = fileURLToPath(new URL('../../../legacy/', import.meta.url));
const NOISE = [
  '"',
  "'",
  '`',
  '$',
  '{',
  '}',
  '(',
  ')',
  '\\',
  '\n',
  '#',
  '<<',
  'EOF',
  '%',
  '%%',
  ':',
  '"""',
  'f"',
  '${',
  '-c ',
  '\t',
  'if x:',
  'for a in [',
  ']',
  '$$',
];

describe('extractSql under mutation', () => {
  it('never crashes on 3,000 mutated or truncated legacy scripts', async () => {
    const scripts = await discoverScripts(legacy, { files: ['backend/main.py'] });
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let runs = 0;
    for (let k = 0; runs < 3000; k++) {
      const s = scripts[k % scripts.length]!;
      let text = readFileSync(s.absolutePath, 'utf8');
      const op = rnd();
      if (op < 0.3) text = text.slice(0, Math.floor(rnd() * text.length));
      else if (op < 0.7) {
        for (let m = 0; m < 3; m++) {
          const i = Math.floor(rnd() * text.length);
          text = text.slice(0, i) + NOISE[Math.floor(rnd() * NOISE.length)] + text.slice(i);
        }
      } else {
        const i = Math.floor(rnd() * text.length);
        text = text.slice(0, i) + text.slice(i + 1 + Math.floor(rnd() * 10));
      }
      runs++;
      const e = extractSql({ path: s.path, text });
      const lines = text.split('\n').length;
      for (const f of e.fragments) {
        expect(f.reason ?? '', `${s.path} (mutation ${runs})`).not.toMatch(/extractor failed/);
        expect(f.loc.line).toBeGreaterThanOrEqual(1);
        expect(f.loc.endLine).toBeLessThanOrEqual(lines);
        expect(f.dynamic || f.sql !== null || f.includes !== undefined).toBe(true);
      }
    }
  });
});
