import { describe, expect, it } from 'vitest';
import { migrationFromSource } from './migration-file.js';
import { buildGraph } from './revision-graph.js';
import { headsChange, planDowngrade, planUpgrade } from './planner.js';
import type { MigrationSet } from './types.js';

/** `spec`: [file, revision, parents] */
function set(spec: [string, string, string[]][]): MigrationSet {
  return {
    dir: '/m',
    migrations: spec.map(([file, revision, parents]) =>
      migrationFromSource(
        file,
        `/m/${file}`,
        `-- revision: ${revision}\n-- parents: ${parents.length ? parents.join(', ') : 'none'}\n\n-- migrate:up\n\n-- migrate:down\n`,
      ),
    ),
  };
}

const linear = set([
  ['0001_a.sql', 'aaa111', []],
  ['0002_b.sql', 'bbb222', ['aaa111']],
  ['0003_c.sql', 'bbb333', ['bbb222']],
]);
// 1 -> 2 -> 4(merge of 2 and 3); 1 -> 3
const diamond = set([
  ['0001_root.sql', 'r1', []],
  ['0002_left.sql', 'l2', ['r1']],
  ['0003_right.sql', 'x3', ['r1']],
  ['0004_merge.sql', 'm4', ['l2', 'x3']],
]);
const twoHeads = set([
  ['0001_root.sql', 'r1', []],
  ['0002_left.sql', 'l2', ['r1']],
  ['0003_right.sql', 'x3', ['r1']],
]);

describe('buildGraph errors name the files', () => {
  it.each<[string, MigrationSet, string, string]>([
    [
      'duplicate revision',
      set([
        ['0001_a.sql', 'dup', []],
        ['0002_b.sql', 'dup', []],
      ]),
      'MIGRATION_DUPLICATE_REVISION',
      'Revision dup is defined twice: in 0001_a.sql and in 0002_b.sql. Give one of them a new ' +
        'revision id (and update the parents that point at it).',
    ],
    [
      'missing parent',
      set([
        ['0001_a.sql', 'a', []],
        ['0002_b.sql', 'b', ['zzz']],
      ]),
      'MIGRATION_MISSING_PARENT',
      '0002_b.sql (revision b) names parent zzz, but no migration file has that revision. Fix the ' +
        'parents header or restore the missing file.',
    ],
    [
      'two roots',
      set([
        ['0001_a.sql', 'a', []],
        ['0002_b.sql', 'b', []],
      ]),
      'MIGRATION_MULTIPLE_ROOTS',
      'More than one migration has no parent: 0001_a.sql (a), 0002_b.sql (b). Only the first ' +
        "migration may have 'parents: none'; give the others the revision they follow.",
    ],
    [
      'cycle',
      set([
        ['0001_a.sql', 'a', []],
        ['0002_b.sql', 'b', ['a', 'c']],
        ['0003_c.sql', 'c', ['b']],
      ]),
      'MIGRATION_CYCLE',
      'The parents of these migrations form a cycle: 0003_c.sql (c) -> 0002_b.sql (b) -> 0003_c.sql ' +
        "(c). A migration's parents must be older migrations.",
    ],
  ])('%s', (_name, s, code, message) => {
    expect(() => buildGraph(s)).toThrow(expect.objectContaining({ code, message }));
  });
});

describe('graph queries', () => {
  it('orders topologically, by file number among independent branches', () => {
    const g = buildGraph(diamond);
    expect(g.order.map((m) => m.revision)).toEqual(['r1', 'l2', 'x3', 'm4']);
    expect(g.heads).toEqual(['m4']);
    expect(g.roots).toEqual(['r1']);
    expect([...g.ancestors('m4')].sort()).toEqual(['l2', 'm4', 'r1', 'x3']);
    expect([...g.descendants('l2', false)]).toEqual(['m4']);
    expect(buildGraph(twoHeads).heads).toEqual(['l2', 'x3']);
  });

  it.each<[string, string, string?]>([
    ['aaa111', 'aaa111'],
    ['aa', 'aaa111'],
    ['bbb2', 'bbb222'],
    ['bbb', '', "Revision prefix 'bbb' is ambiguous: it matches bbb222 (0002_b.sql), bbb333 (0003_c.sql). Give more characters."],
    ['zz', '', "No migration has revision 'zz' (nor a revision starting with it)."],
  ])('resolve(%s)', (ref, expected, error) => {
    const g = buildGraph(linear);
    if (error) expect(() => g.resolve(ref)).toThrow(error);
    else expect(g.resolve(ref).revision).toBe(expected);
  });

  it('derives the applied set from the version heads (set membership, not a high-water mark)', () => {
    const g = buildGraph(diamond);
    expect([...g.appliedFrom(['l2']).applied].sort()).toEqual(['l2', 'r1']);
    expect(g.appliedFrom(['l2', 'gone'])).toEqual({ applied: new Set(['l2', 'r1']), unknown: ['gone'] });
    expect(g.headsOf(new Set(['r1', 'l2', 'x3']))).toEqual(['l2', 'x3']);
  });
});

describe('planning', () => {
  const g = buildGraph(diamond);
  const rev = (ms: { revision: string }[]) => ms.map((m) => m.revision);
  it.each<[string, string[], string, string[]]>([
    ['head from base', [], 'head', ['r1', 'l2', 'x3', 'm4']],
    ['late branch is applied', ['r1', 'l2'], 'head', ['x3', 'm4']],
    ['+1', ['r1'], '+1', ['l2']],
    ['+2', ['r1'], '+2', ['l2', 'x3']],
    ['a revision and its ancestors', [], 'x3', ['r1', 'x3']],
    ['base is nothing to apply', [], 'base', []],
    ['at head', ['r1', 'l2', 'x3', 'm4'], 'head', []],
  ])('upgrade: %s', (_n, applied, target, expected) => {
    expect(rev(planUpgrade(g, new Set(applied), target))).toEqual(expected);
  });

  it.each<[string, string[], string, string[]]>([
    ['-1', ['r1', 'l2', 'x3', 'm4'], '-1', ['m4']],
    ['-2 takes the newest head each time', ['r1', 'l2', 'x3', 'm4'], '-2', ['m4', 'x3']],
    ['base', ['r1', 'l2', 'x3', 'm4'], 'base', ['m4', 'x3', 'l2', 'r1']],
    ['to a revision reverts its descendants only', ['r1', 'l2', 'x3', 'm4'], 'l2', ['m4']],
    ['to the root', ['r1', 'l2', 'x3'], 'r1', ['x3', 'l2']],
  ])('downgrade: %s', (_n, applied, target, expected) => {
    expect(rev(planDowngrade(g, new Set(applied), target))).toEqual(expected);
  });

  it.each<[string, () => unknown, string]>([
    [
      'head with two heads',
      () => planUpgrade(buildGraph(twoHeads), new Set(), 'head'),
      "Cannot upgrade to 'head': the migrations have 2 heads: l2 (0002_left.sql), x3 " +
        '(0003_right.sql). Run `strata merge` to write a merge migration, or name a target (a revision, ' +
        "or 'heads' to apply every branch).",
    ],
    ['too many', () => planUpgrade(g, new Set(['r1', 'l2', 'x3']), '+2'), 'Cannot apply 2 migrations: only 1 is pending.'],
    ['backwards', () => planUpgrade(g, new Set(), '-1'), "'-1' goes backwards: use downgrade (strata down -1)."],
    ['nothing applied', () => planDowngrade(g, new Set(), '-1'), 'Cannot revert 1 migrations: only 0 are applied.'],
    [
      'not applied',
      () => planDowngrade(g, new Set(['r1']), 'l2'),
      "Cannot downgrade to l2 (0002_left.sql): it is not applied. Use 'base' to revert everything.",
    ],
  ])('refuses %s', (_n, fn, message) => {
    expect(fn).toThrow(message);
  });

  it('computes version-table changes for merges and reverts', () => {
    expect(headsChange(g, new Set(['r1', 'l2', 'x3']), 'm4', 'up')).toEqual({ remove: ['l2', 'x3'], add: ['m4'] });
    expect(headsChange(g, new Set(['r1', 'l2', 'x3', 'm4']), 'm4', 'down')).toEqual({ remove: ['m4'], add: ['l2', 'x3'] });
    expect(headsChange(g, new Set(['r1', 'l2']), 'x3', 'up')).toEqual({ remove: [], add: ['x3'] });
    expect(headsChange(g, new Set([]), 'r1', 'up')).toEqual({ remove: [], add: ['r1'] });
  });
});
