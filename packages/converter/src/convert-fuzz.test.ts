// Mutated and truncated legacy scripts never crash the analysis or the
// classification, and each still gets one of the four classes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emptySnapshot, type Snapshot } from '@pg-strata/auditor';
import { classifyScript, isDataEffect } from './classify.js';
import { deriveDataChecks } from './data-check.js';
import { analyzeScript } from './effects.js';
import { extractSql } from './extract.js';

const legacyDir = fileURLToPath(new URL('../../../legacy/backend/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(py|sql|sh|js|ts)$/.test(n) ? [p] : [];
  });
}

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  "'",
  '"',
  '"""',
  '$$',
  '$x$',
  ';',
  '(',
  ')',
  '\\',
  '\n',
  '{',
  '}',
  '%s',
  '%%',
  '`',
  '${',
  '--',
  '/*',
  '*/',
  'DO $$ BEGIN',
  'IF NOT EXISTS (',
  'ALTER TABLE ',
  'DROP COLUMN ',
  '\u0000',
  '😀',
  '<<EOF\n',
  'psql -c "',
  'execute(',
  'sql`',
];

function mutate(text: string, r: () => number): string {
  const ops = 1 + Math.floor(r() * 4);
  let out = text;
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(r() * (out.length + 1));
    const kind = r();
    if (kind < 0.25) out = out.slice(0, at);
    else if (kind < 0.5) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(r() * 20));
    else if (kind < 0.85) out = out.slice(0, at) + NASTY[Math.floor(r() * NASTY.length)]! + out.slice(at);
    else {
      const from = Math.floor(r() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(r() * 40)) + out.slice(at);
    }
  }
  return out;
}

const CLASSES = ['obsolete', 'still_needed', 'data_fix', 'manual_review'];
const snapshots: [string, Snapshot][] = [['an empty database', emptySnapshot(17)]];

describe('fuzzing the analysis and classification', () => {
  const all = files(legacyDir);
  it('has scripts to fuzz', () => expect(all.length).toBeGreaterThan(30));

  it.each(all.map((f) => [relative(legacyDir, f), f] as const))('%s: 40 mutations, each classified', async (name, file) => {
    const text = readFileSync(file, 'utf8');
    const r = rng([...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7));
    for (let i = 0; i < 40; i++) {
      const mutated = i === 0 ? text.slice(0, Math.floor(text.length / 2)) : mutate(text, r);
      for (const [, production] of snapshots) {
        const analysis = await analyzeScript(extractSql({ path: name, text: mutated }));
        // Data-fix checks are derived from whatever DML survived the mutation.
        for (const st of analysis.statements) if (st.effects.some(isDataEffect)) expect(deriveDataChecks(st)).toBeTypeOf('object');
        const c = classifyScript({ analysis, production, models: production });
        expect(CLASSES, `${name} mutation ${i}`).toContain(c.class);
        expect(c.reason.length, `${name} mutation ${i}`).toBeGreaterThan(0);
      }
    }
  });
});
