import { describe, expect, it } from 'vitest';
import { emptySnapshot, type FunctionDef } from '../snapshot.js';
import { calledFunctions, callGraph } from './function-calls.js';
import { epochConversion } from './kinds/column.js';
import { planSteps } from './index.js';

function fn(schema: string, name: string, body: string): FunctionDef {
  const q = schema === 'public' ? `public.${name}` : `${schema}.${name}`;
  return {
    schema,
    name,
    kind: 'function',
    identityArguments: 'i integer',
    result: 'integer',
    language: 'sql',
    definition: `CREATE OR REPLACE FUNCTION ${q}(i integer)\n RETURNS integer\n LANGUAGE sql\n${body}\n`,
    sqlBody: true,
    comment: null,
  };
}

describe('function calls', () => {
  const s = emptySnapshot();
  s.functions['public.add(i integer)'] = fn('public', 'add', 'RETURN i');
  s.functions['s1.add(i integer)'] = fn('s1', 'add', 'RETURN i');
  s.functions['public.Weird Name(i integer)'] = fn('public', 'Weird Name', 'RETURN i');
  s.functions['public.caller(i integer)'] = fn('public', 'caller', 'RETURN (s1.add(i) + "Weird Name"(i))');

  it('finds calls by name, qualified or not, quoted or not', () => {
    expect(calledFunctions('RETURN (s1.add(i) + "Weird Name"(i))', s)).toEqual(['public.Weird Name(i integer)', 's1.add(i integer)']);
    expect(calledFunctions('SELECT ADD (1)', s)).toEqual(['public.add(i integer)', 's1.add(i integer)']);
    expect(calledFunctions('SELECT other.add(1), address(2), "weird name"(3)', s)).toEqual([]);
    expect(callGraph(s).get('public.caller(i integer)')).toEqual(['public.Weird Name(i integer)', 's1.add(i integer)']);
  });

  it('creates a function after the function its body calls, whatever their names', () => {
    const a = emptySnapshot();
    const b = emptySnapshot();
    b.functions['public.a_first(i integer)'] = fn('public', 'a_first', 'RETURN z_last(i)');
    b.functions['public.z_last(i integer)'] = fn('public', 'z_last', 'RETURN i');
    expect(planSteps(a, b, {}, []).map((st) => st.sql.split('\n')[0])).toEqual([
      'CREATE OR REPLACE FUNCTION public.z_last(i integer)',
      'CREATE OR REPLACE FUNCTION public.a_first(i integer)',
    ]);
    // ... and drops it first.
    expect(planSteps(b, a, {}, []).map((st) => st.sql)).toEqual(['DROP FUNCTION a_first(i integer)', 'DROP FUNCTION z_last(i integer)']);
  });
});

describe('epochConversion', () => {
  it('converts numbers and times through Unix epoch seconds, where no cast exists', () => {
    expect(epochConversion('bigint', 'timestamp without time zone', 'c')?.using).toBe("(to_timestamp(c) AT TIME ZONE 'UTC')");
    expect(epochConversion('integer', 'timestamp with time zone', 'c')?.using).toBe('to_timestamp(c)');
    expect(epochConversion('bigint', 'date', 'c')?.using).toBe("(to_timestamp(c) AT TIME ZONE 'UTC')::date");
    expect(epochConversion('timestamp without time zone', 'bigint', 'c')?.using).toBe('extract(epoch FROM c)::bigint');
    expect(epochConversion('text', 'timestamp without time zone', 'c')).toBeUndefined();
    expect(epochConversion('bigint[]', 'timestamp without time zone[]', 'c')).toBeUndefined();
  });
});
