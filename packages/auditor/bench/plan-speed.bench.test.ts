import { it } from 'vitest';
import { compare, emptySnapshot, plan, type Snapshot } from '../src/index.js';

it('plan speed on a synthetic 2,000-table snapshot', () => {
  const s: Snapshot = emptySnapshot(17);
  s.schemas.public = { name: 'public', comment: null };
  for (let t = 0; t < 2000; t++) {
    const cols = Array.from({ length: 20 }, (_, i) => ({ name: `c${i}`, type: i === 0 ? 'bigint' : 'text', notNull: i === 0, default: null, identity: null, generated: null, collation: null, comment: null }));
    s.tables[`public.t_${t}`] = { schema: 'public', name: `t_${t}`, partitionBy: null, partitionOf: null, inherits: [], unlogged: false, columns: cols, constraints: { [`t_${t}_pkey`]: { name: `t_${t}_pkey`, type: 'primary key', definition: 'PRIMARY KEY (c0)', columns: ['c0'], validated: true, deferrable: false, initiallyDeferred: false, noInherit: false, references: null, nullsNotDistinct: false, comment: null } }, rowSecurity: false, forceRowSecurity: false, comment: null };
    for (let i = 0; i < 3; i++) s.indexes[`public.t_${t}_i${i}`] = { schema: 'public', name: `t_${t}_i${i}`, table: `public.t_${t}`, definition: `CREATE INDEX t_${t}_i${i} ON public.t_${t} USING btree (c${i + 1})`, method: 'btree', unique: false, keys: [`c${i + 1}`], include: [], predicate: null, valid: true, comment: null };
  }
  const o = structuredClone(s);
  for (const t of Object.values(o.tables).slice(0, 50)) t.columns[3]!.type = 'integer';
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    plan(s, o);
    const t1 = performance.now();
    compare(s, o);
    console.log(`plan ${Math.round(t1 - t0)} ms, compare ${Math.round(performance.now() - t1)} ms`);
  }
});
