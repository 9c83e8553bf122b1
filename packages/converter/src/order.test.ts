import { describe, expect, it } from 'vitest';
import { orderScripts, parseOrderFile } from './order.js';

const paths = (xs: { path: string }[]) => xs.map((x) => x.path);

describe('orderScripts', () => {
  it('numeric prefixes order files of one directory numerically (10 after 9)', () => {
    const o = orderScripts(['m/10_c.sql', 'm/9_b.sql', 'm/001_a.sql']);
    expect(paths(o)).toEqual(['m/001_a.sql', 'm/9_b.sql', 'm/10_c.sql']);
    expect(o[2]!.reason).toBe('its numeric prefix 10 among the files of m/');
  });

  it('dates in names order across directories', () => {
    const o = orderScripts(['b/fix_2024-05-02_x.py', 'a/fix_20240501_y.py', 'c/migrate_2023_12_31.sql']);
    expect(paths(o)).toEqual(['c/migrate_2023_12_31.sql', 'a/fix_20240501_y.py', 'b/fix_2024-05-02_x.py']);
    expect(o[1]!.reason).toBe('the date 2024-05-01 in its name');
  });

  it('first-commit dates order names without a date or a number; numbered files keep their sequence', () => {
    const committed = new Map([
      ['fix_b.py', '2024-01-01'],
      ['fix_a.py', '2024-03-01'],
      ['m/002_x.sql', '2023-01-01'],
      ['m/001_y.sql', '2024-06-01'],
    ]);
    const o = orderScripts(['fix_a.py', 'fix_b.py', 'm/001_y.sql', 'm/002_x.sql'], { committed });
    expect(paths(o).filter((p) => p.startsWith('fix_'))).toEqual(['fix_b.py', 'fix_a.py']);
    expect(paths(o).filter((p) => p.startsWith('m/'))).toEqual(['m/001_y.sql', 'm/002_x.sql']);
    expect(o.find((x) => x.path === 'fix_b.py')!.reason).toBe('first committed on 2024-01-01 (git history)');
  });

  it('a runner keeps the order it applies its files in', () => {
    const o = orderScripts(['a.sql', 'b.sql', 'run.sh'], { runs: new Map([['run.sh', ['b.sql', 'a.sql']]]) });
    expect(paths(o)).toEqual(['b.sql', 'a.sql', 'run.sh']);
    expect(o[0]!.reason).toBe('no order in its name: by directory and name; run by run.sh (1 of 2)');
  });

  it('an override file comes first, in its order; unknown paths in it are ignored', () => {
    const o = orderScripts(['x.sql', 'y.sql', 'z.sql'], {
      override: parseOrderFile('# run order\nz.sql\n\nmissing.sql\nx.sql  # then x\n'),
    });
    expect(paths(o)).toEqual(['z.sql', 'x.sql', 'y.sql']);
    expect(o[0]!.reason).toBe('listed at line 1 of the order file');
    expect(o.map((x) => x.position)).toEqual([1, 2, 3]);
  });
});
