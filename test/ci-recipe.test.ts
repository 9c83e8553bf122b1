import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI } from './support/cli.js';

const docs = resolve(import.meta.dirname, '../docs');

const helpCache = new Map<string, string>();

/** The built CLI's help text (`strata --help`, `strata <verb> --help`), once per verb. */
function help(...args: string[]): string {
  const key = args.join(' ');
  const cached = helpCache.get(key);
  if (cached !== undefined) return cached;
  const text = helpText(args);
  helpCache.set(key, text);
  return text;
}

function helpText(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args, '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1' } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Verbs (and aliases) listed under "Commands:" in `strata --help`. */
function cliVerbs(): Set<string> {
  const text = help();
  const commands = text.slice(text.indexOf('Commands:'));
  const verbs = new Set<string>();
  for (const m of commands.matchAll(/^ {2}([a-z][a-z-]*)((?:\|[a-z-]+)*)/gm)) {
    verbs.add(m[1]!);
    for (const alias of m[2]!.split('|').filter(Boolean)) verbs.add(alias);
  }
  return verbs;
}

/** Long options a verb accepts: its own and the global ones. */
function cliOptions(verb: string): Set<string> {
  return new Set([...`${help(verb)}\n${help()}`.matchAll(/(--[a-z][a-z-]*)/g)].map((m) => m[1]!));
}

/** A `strata` invocation in a shell script: verb and long options, shell continuations joined. */
interface Invocation {
  verb: string;
  options: string[];
  line: string;
}

function invocations(script: string): Invocation[] {
  const joined = script.replace(/\\\n\s*/g, ' ');
  const out: Invocation[] = [];
  for (const line of joined.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const m of line.matchAll(/(?:^|[\s;&|(=])(?:pnpm exec |npx |pnpm )?strata\s+([a-z][a-z-]*)([^;&|)\n]*)/g)) {
      const options = [...(m[2] ?? '').matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((o) => o[1]!);
      out.push({ verb: m[1]!, options, line: line.trim() });
    }
  }
  return out;
}

interface Step {
  name?: string;
  run?: string;
  uses?: string;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, { 'runs-on': string; steps: Step[]; if?: string }>;
}

describe('docs/github-actions.yml', () => {
  const workflow = parse(readFileSync(resolve(docs, 'github-actions.yml'), 'utf8')) as Workflow;
  const runs = Object.values(workflow.jobs)
    .flatMap((j) => j.steps.map((s) => s.run ?? ''))
    .join('\n');
  const calls = invocations(runs);

  it('is a workflow with a pull-request job and a deploy job, every step a `run` or a `uses`', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(Object.keys(workflow.jobs).sort()).toEqual(['deploy', 'migrations']);
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect(job['runs-on'], name).toBe('ubuntu-latest');
      for (const step of job.steps) expect(Boolean(step.run) !== Boolean(step.uses), JSON.stringify(step)).toBe(true);
    }
  });

  it('runs lint, test, check and audit --format markdown on pull requests, and up --backup on deploy', () => {
    const pr = invocations(workflow.jobs.migrations!.steps.map((s) => s.run ?? '').join('\n'));
    expect(pr.map((c) => c.verb)).toEqual(['lint', 'test', 'check', 'audit']);
    expect(pr.find((c) => c.verb === 'audit')!.line).toContain('--format markdown');
    const deploy = invocations(workflow.jobs.deploy!.steps.map((s) => s.run ?? '').join('\n'));
    expect(deploy.find((c) => c.verb === 'up')?.options).toEqual(expect.arrayContaining(['--backup', '--pg-dump', '--check-after']));
  });

  it('every `strata <verb>` it runs exists in the built CLI, with every option it passes', () => {
    const verbs = cliVerbs();
    const missing = calls.filter((c) => !verbs.has(c.verb)).map((c) => c.verb);
    expect(missing, `verbs the workflow runs that \`strata --help\` does not list (have: ${[...verbs].join(', ')})`).toEqual([]);
    for (const c of calls) {
      const known = cliOptions(c.verb);
      expect(
        c.options.filter((o) => !known.has(o)),
        `${c.line}`,
      ).toEqual([]);
    }
  });
});

describe('docs/entrypoint.sh', () => {
  const script = readFileSync(resolve(docs, 'entrypoint.sh'), 'utf8');

  it('is valid POSIX sh and ends by exec-ing the container command', () => {
    const r = spawnSync('sh', ['-n', resolve(docs, 'entrypoint.sh')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(script.trimEnd().endsWith('exec "$@"')).toBe(true);
  });

  it('runs `strata ensure --mode` or `strata up --backup`, both existing with their options', () => {
    const calls = invocations(script);
    expect(calls.map((c) => c.verb)).toEqual(['ensure', 'up']);
    expect(calls[0]!.options).toContain('--mode');
    expect(calls[1]!.options).toContain('--backup');
    const verbs = cliVerbs();
    for (const c of calls) {
      expect(verbs.has(c.verb), c.verb).toBe(true);
      const known = cliOptions(c.verb);
      expect(
        c.options.filter((o) => !known.has(o)),
        c.line,
      ).toEqual([]);
    }
  });
});
