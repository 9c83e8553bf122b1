import { describe, expect, it } from 'vitest';
import { orderChanges, type Change } from './graph.js';
import type { Phase } from './phases.js';

const change = (phase: Phase, sql: string, seq: number, extra: Partial<Change> = {}): Change => ({
  phase,
  step: { sql, destructive: false },
  seq,
  ...extra,
});

describe('orderChanges (the topological sort of the statement graph)', () => {
  it('puts changes in phase order and keeps the emitted order within a phase', () => {
    const changes = [
      change('views', 'CREATE VIEW v', 0),
      change('tables', 'CREATE TABLE t', 1),
      change('dropViews', 'DROP VIEW w', 2),
      change('tables', 'CREATE TABLE u', 3),
    ];
    expect(orderChanges(changes).map((s) => s.sql)).toEqual(['DROP VIEW w', 'CREATE TABLE t', 'CREATE TABLE u', 'CREATE VIEW v']);
  });

  it('follows an explicit edge across phases, and the phases elsewhere', () => {
    // f calls g; g is emitted later on an earlier-placed phase, f must still come after it.
    const changes = [
      change('functions', 'CREATE FUNCTION f', 0, { id: 'f', after: ['g'] }),
      change('lateFunctions', 'CREATE FUNCTION g', 1, { id: 'g' }),
      change('tables', 'CREATE TABLE t', 2),
      change('views', 'CREATE VIEW v', 3),
    ];
    expect(orderChanges(changes).map((s) => s.sql)).toEqual(['CREATE TABLE t', 'CREATE FUNCTION g', 'CREATE FUNCTION f', 'CREATE VIEW v']);
  });

  it('loses no statement on a cycle or an edge to nothing', () => {
    const changes = [
      change('functions', 'a', 0, { id: 'a', after: ['b'] }),
      change('functions', 'b', 1, { id: 'b', after: ['a', 'missing'] }),
      change('pre', 'p', 2),
    ];
    const out = orderChanges(changes).map((s) => s.sql);
    expect(out[0]).toBe('p');
    expect([...out].sort()).toEqual(['a', 'b', 'p']);
  });
});
