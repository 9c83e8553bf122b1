import { LineIndex } from '@pg-strata/sql';
import { dedupeIterations } from './fragments.js';
import { lexShell, type Segment, type ShellRedirect, type ShellToken, type ShellWord } from './shell-words.js';
import type { ExtractionWarning, SqlFragment } from './types.js';

/** psql options that take a value (short and long forms). */
const PSQL_VALUE_OPTS = new Set(['-c', '-f', '-d', '-h', '-p', '-U', '-v', '-o', '-L', '-F', '-R', '-P', '-T']);
const PSQL_LONG_VALUE_OPTS = new Set([
  '--command',
  '--file',
  '--dbname',
  '--host',
  '--port',
  '--username',
  '--set',
  '--variable',
  '--output',
  '--log-file',
  '--field-separator',
  '--record-separator',
  '--pset',
  '--table-attr',
]);
const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const DECLARERS = new Set(['export', 'readonly', 'local', 'declare', 'typeset']);

interface Command {
  words: ShellWord[];
  redirects: ShellRedirect[];
}

/** A value built from segments: resolved text plus what could not be resolved. */
interface Built {
  text: string;
  dynamic: boolean;
  reasons: string[];
  from: number | null;
  to: number | null;
  exact: boolean;
}

type Env = Map<string, string | null>;

function build(segments: readonly Segment[], env: Env): Built {
  let text = '';
  let dynamic = false;
  const reasons: string[] = [];
  let from: number | null = null;
  let to: number | null = null;
  let exact = true;
  let textSegs = 0;
  for (const s of segments) {
    if (s.kind === 'text') {
      if (from === null) from = s.start;
      to = s.end;
      if (!s.verbatim) exact = false;
      if (++textSegs > 1) exact = false;
      text += s.text;
      continue;
    }
    exact = false;
    const v = s.name !== undefined ? env.get(s.name) : undefined;
    if (typeof v === 'string') {
      text += v;
    } else {
      text += s.raw;
      dynamic = true;
      reasons.push(
        s.name !== undefined
          ? `shell variable $${s.name} is not assigned a literal earlier in the script`
          : `${s.raw.length > 40 ? `${s.raw.slice(0, 40)}…` : s.raw} is computed at run time`,
      );
    }
  }
  return { text, dynamic, reasons, from, to, exact };
}

function literal(word: ShellWord, env: Env): string | null {
  const b = build(word.segments, env);
  return b.dynamic ? null : b.text;
}

function splitCommands(tokens: ShellToken[]): { pipelines: Command[][] } {
  const pipelines: Command[][] = [];
  let pipeline: Command[] = [];
  let cmd: Command = { words: [], redirects: [] };
  const endCmd = () => {
    if (cmd.words.length || cmd.redirects.length) pipeline.push(cmd);
    cmd = { words: [], redirects: [] };
  };
  const endPipeline = () => {
    endCmd();
    if (pipeline.length) pipelines.push(pipeline);
    pipeline = [];
  };
  for (const t of tokens) {
    if (t.kind === 'word') cmd.words.push(t);
    else if (t.kind === 'redirect') cmd.redirects.push(t);
    else if (t.op === '|') endCmd();
    else endPipeline();
  }
  endPipeline();
  return { pipelines };
}

/** Extract what a shell script feeds to psql (see {@link extractSql}). */
export function extractShell(text: string): { fragments: SqlFragment[]; warnings: ExtractionWarning[] } {
  const lines = new LineIndex(text);
  const { tokens, problems } = lexShell(text);
  const warnings: ExtractionWarning[] = problems.map((p) => ({ message: p.message, ...lines.locate(p.offset) }));
  const fragments: SqlFragment[] = [];
  const env: Env = new Map();

  const fragmentOf = (b: Built, via: string, anchor: number, extra: Partial<SqlFragment> = {}): SqlFragment => {
    if (iteration) extra = { ...extra, iteration };
    const from = b.from ?? anchor;
    const to = b.exact && b.from !== null ? b.from + b.text.length : (b.to ?? anchor);
    const lineOf = lines.locate(anchor);
    const loc = lines.range(from, to);
    return {
      sql: b.text,
      dynamic: b.dynamic,
      ...(b.dynamic ? { reason: [...new Set(b.reasons)].join('; ') } : {}),
      loc,
      mapping: b.exact ? 'exact' : 'approximate',
      ...(loc.line !== lineOf.line ? { callLoc: lineOf } : {}),
      via,
      ...extra,
    };
  };

  const include = (word: ShellWord, via: string, env: Env): SqlFragment => {
    const b = build(word.segments, env);
    const loc = lines.range(word.start, word.end);
    return {
      sql: null,
      dynamic: b.dynamic,
      ...(b.dynamic ? { reason: [...new Set(b.reasons)].join('; ') } : {}),
      loc,
      mapping: 'approximate',
      via,
      includes: b.text,
      ...(iteration ? { iteration } : {}),
    };
  };

  const blocks = splitCommands(tokens).pipelines;
  let iteration: Record<string, string> | undefined;
  const run = (pipelines: Command[][], env: Env): void => {
    for (let p = 0; p < pipelines.length; p++) {
      const pipeline = pipelines[p]!;
      const head = pipeline[0]?.words ?? [];
      // for NAME in WORDS; do ... done: the body runs once per literal word
      if (pipeline.length === 1 && head[0]?.raw === 'for' && head[1] && head[2]?.raw === 'in') {
        const doneAt = matchingDone(pipelines, p);
        const name = head[1].raw;
        const words = head.slice(3);
        const values = words.map((w) => literal(w, env));
        const inner = pipelines.slice(p + 1, doneAt);
        const saved = iteration;
        if (words.length > 0 && values.every((v) => v !== null) && values.length <= 1000) {
          for (const v of values) {
            const e = new Map(env);
            e.set(name, v);
            iteration = { ...(saved ?? {}), [name]: v! };
            run(inner, e);
          }
        } else {
          const e = new Map(env);
          e.set(name, null);
          run(inner, e);
        }
        iteration = saved;
        p = doneAt;
        continue;
      }
      runPipeline(pipeline, env);
    }
  };
  const runPipeline = (pipeline: Command[], env: Env): void => {
    pipeline.forEach((cmd, stage) => {
      const words = cmd.words;
      // assignments: NAME=value [NAME=value ...] with no command, or export/readonly/local NAME=value
      let k = 0;
      while (k < words.length && ASSIGN.test(words[k]!.raw)) k++;
      const pureAssign = k === words.length && k > 0;
      const declarer = words[0] && DECLARERS.has(words[0].raw);
      if (pureAssign || declarer) {
        for (const w of declarer ? words.slice(1) : words) {
          const m = ASSIGN.exec(w.raw);
          if (!m) continue;
          const name = m[1]!;
          // drop the "NAME=" prefix from the first text segment
          const segs = [...w.segments];
          const first = segs[0];
          if (first?.kind === 'text' && first.text.startsWith(`${name}=`)) {
            segs[0] = { ...first, text: first.text.slice(name.length + 1), start: first.start + name.length + 1 };
          }
          const b = build(segs, env);
          env.set(name, b.dynamic ? null : b.text);
        }
        return;
      }
      const psqlAt = words.findIndex((w) => {
        const v = literal(w, env);
        return v !== null && (v === 'psql' || v.endsWith('/psql'));
      });
      if (psqlAt === -1) {
        // `cmd | psql`: handled from the psql side.
        return;
      }
      const args = words.slice(psqlAt + 1);
      let sawInput = false;
      for (let a = 0; a < args.length; a++) {
        const w = args[a]!;
        const v = literal(w, env) ?? w.raw;
        const valueOf = (name: string): { word: ShellWord; skip: number; offset: number } | null => {
          // -c VALUE, -cVALUE, --command=VALUE, --command VALUE
          if (v === name) return args[a + 1] ? { word: args[a + 1]!, skip: 1, offset: 0 } : null;
          if (name.startsWith('--') && v.startsWith(`${name}=`)) return { word: w, skip: 0, offset: name.length + 1 };
          if (!name.startsWith('--') && v.startsWith(name) && v.length > name.length) return { word: w, skip: 0, offset: name.length };
          return null;
        };
        const cmdArg = valueOf('-c') ?? valueOf('--command');
        if (cmdArg) {
          a += cmdArg.skip;
          sawInput = true;
          const segs = trimPrefix(cmdArg.word.segments, cmdArg.offset);
          const b = build(segs, env);
          if (cmdArg.word.unterminated) {
            b.dynamic = true;
            b.reasons.push('unterminated quote: the SQL runs to the end of the file');
            b.exact = false;
          }
          if (b.text.trimStart().startsWith('\\')) continue; // a psql meta-command, not SQL
          fragments.push(fragmentOf(b, 'psql -c', words[psqlAt]!.start));
          continue;
        }
        const fileArg = valueOf('-f') ?? valueOf('--file');
        if (fileArg) {
          a += fileArg.skip;
          sawInput = true;
          const word = fileArg.offset ? { ...fileArg.word, segments: trimPrefix(fileArg.word.segments, fileArg.offset) } : fileArg.word;
          fragments.push(include(word, 'psql -f', env));
          continue;
        }
        if (PSQL_VALUE_OPTS.has(v) || PSQL_LONG_VALUE_OPTS.has(v)) a++;
      }
      if (sawInput) return;
      for (const r of cmd.redirects) {
        if (r.heredoc) {
          sawInput = true;
          const h = r.heredoc;
          const b = build(h.segments, env);
          const f = fragmentOf(b, 'heredoc', r.start);
          fragments.push(
            h.terminated
              ? f
              : { ...f, dynamic: true, reason: [f.reason, `here-document not terminated by ${h.delimiter}`].filter(Boolean).join('; ') },
          );
        } else if (r.op === '<<<' && r.target) {
          sawInput = true;
          fragments.push(fragmentOf(build(r.target.segments, env), 'here-string', r.start));
        } else if (r.op === '<' && r.target && (r.fd === undefined || r.fd === 0)) {
          sawInput = true;
          fragments.push(include(r.target, 'psql <', env));
        }
      }
      if (sawInput || stage === 0) return;
      // stdin from the previous stage of the pipeline
      const prev = pipeline[stage - 1]!;
      const prog = prev.words[0] ? literal(prev.words[0], env) : null;
      const heredoc = prev.redirects.find((r) => r.heredoc);
      if (heredoc?.heredoc && (prog === 'cat' || prog === null)) {
        fragments.push(fragmentOf(build(heredoc.heredoc.segments, env), 'heredoc', heredoc.start));
      } else if (prog === 'echo' || prog === 'printf') {
        const rest = prev.words.slice(1).filter((w, i) => !(prog === 'echo' && i === 0 && /^-[neE]+$/.test(w.raw)));
        if (rest.length) {
          const parts = prog === 'printf' ? rest.slice(0, 1) : rest;
          const bs = parts.map((w) => build(w.segments, env));
          const joined: Built = {
            text: bs.map((b) => b.text).join(' '),
            dynamic: bs.some((b) => b.dynamic),
            reasons: bs.flatMap((b) => b.reasons),
            from: bs[0]!.from,
            to: bs[bs.length - 1]!.to,
            exact: bs.length === 1 && bs[0]!.exact,
          };
          fragments.push(fragmentOf(joined, 'pipe', prev.words[0]!.start));
        }
      } else if (prog === 'cat' && prev.words[1]) {
        fragments.push(include(prev.words[1], 'pipe', env));
      } else {
        fragments.push({
          sql: null,
          dynamic: true,
          reason: `psql reads its SQL from \`${prev.words
            .map((w) => w.raw)
            .join(' ')
            .slice(0, 60)}\``,
          loc: lines.range(prev.words[0]?.start ?? 0, prev.words[prev.words.length - 1]?.end ?? 0),
          mapping: 'approximate',
          via: 'pipe',
        });
      }
    });
  };
  run(blocks, env);
  return { fragments: dedupeIterations(fragments), warnings };
}

/** Drop the first `n` characters of a word's text (e.g. the `-c` of `-cSELECT`). */
function trimPrefix(segments: readonly Segment[], n: number): Segment[] {
  if (n === 0) return [...segments];
  const out: Segment[] = [];
  let left = n;
  for (const s of segments) {
    if (left > 0 && s.kind === 'text') {
      if (s.text.length <= left) {
        left -= s.text.length;
        continue;
      }
      out.push({ ...s, text: s.text.slice(left), start: s.verbatim ? s.start + left : s.start });
      left = 0;
      continue;
    }
    out.push(s);
  }
  return out;
}

const OPENERS = new Set(['for', 'while', 'until', 'select']);

/** Index of the `done` closing the loop opened at `from` (nested loops counted); the last index if missing. */
function matchingDone(pipelines: Command[][], from: number): number {
  let depth = 0;
  for (let i = from; i < pipelines.length; i++) {
    for (const cmd of pipelines[i]!) {
      for (const w of cmd.words) {
        if (OPENERS.has(w.raw) && w === cmd.words[0]) depth++;
        if (w.raw === 'done' && (w === cmd.words[0] || w === cmd.words[cmd.words.length - 1])) {
          depth--;
          if (depth === 0) return i;
        }
      }
    }
  }
  return pipelines.length - 1;
}
