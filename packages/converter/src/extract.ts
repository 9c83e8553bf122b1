import { extname } from 'node:path';
import { extractJavaScript } from './js-strings.js';
import { extractPython } from './python-extract.js';
import { extractShell } from './shell-extract.js';
import type { ExtractOptions, Extraction, ExtractionWarning, ScriptFile, ScriptLanguage, SqlFragment } from './types.js';
import { splitStatements, LineIndex } from '@pg-strata/sql';

const BY_EXTENSION: Record<string, ScriptLanguage> = {
  '.py': 'python',
  '.sql': 'sql',
  '.psql': 'sql',
  '.sh': 'shell',
  '.bash': 'shell',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'typescript',
};

/**
 * The language of a script: from its extension, else from a `#!` line
 * (`python`, `sh`/`bash`, `node`). `undefined` when neither says.
 */
export function detectLanguage(path: string, text = ''): ScriptLanguage | undefined {
  const byExt = BY_EXTENSION[extname(path).toLowerCase()];
  if (byExt) return byExt;
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text);
  if (!shebang) return undefined;
  const prog = (shebang[1]!.endsWith('/env') ? (shebang[2] ?? '') : shebang[1]!).split('/').pop() ?? '';
  if (/^python/.test(prog)) return 'python';
  if (/^(ba|da|z|k)?sh$/.test(prog)) return 'shell';
  if (/^(node|deno|bun)$/.test(prog)) return 'javascript';
  return undefined;
}

/**
 * Extract the SQL a legacy script runs, with real parsers for each language
 * (never regular expressions over source text): `@lezer/python` for Python,
 * `oxc-parser` for JavaScript/TypeScript, a shell word and heredoc lexer for
 * shell, and the whole file for SQL. Never throws on bad input: what cannot
 * be read becomes a warning, and SQL that cannot be resolved statically is
 * kept as a `dynamic` fragment with its reason and location.
 */
export function extractSql(file: ScriptFile, options: ExtractOptions = {}): Extraction {
  try {
    return extractUnchecked(file, options);
  } catch (err) {
    // A bug of ours must not stop a whole conversion: the script lands in manual review.
    const language = file.language ?? detectLanguage(file.path, file.text) ?? 'sql';
    const message = `the extractor failed on this file (${(err as Error).message}); please report it`;
    return {
      path: file.path,
      language,
      fragments: [
        {
          sql: null,
          dynamic: true,
          reason: message,
          loc: { line: 1, column: 1, endLine: 1, endColumn: 1 },
          mapping: 'approximate',
          via: 'unparsed',
        },
      ],
      warnings: [{ message, line: 1, column: 1 }],
    };
  }
}

function extractUnchecked(file: ScriptFile, options: ExtractOptions): Extraction {
  const language = file.language ?? detectLanguage(file.path, file.text) ?? 'sql';
  const calls = new Set(options.calls ?? []);
  const text = file.text.startsWith('\uFEFF') ? file.text.slice(1) : file.text;
  switch (language) {
    case 'python': {
      const r = extractPython(text, calls, { path: file.path, ...(options.root !== undefined ? { root: options.root } : {}) });
      return { path: file.path, language, fragments: r.fragments, warnings: r.warnings };
    }
    case 'shell': {
      const r = extractShell(text);
      return { path: file.path, language, fragments: r.fragments, warnings: r.warnings };
    }
    case 'javascript':
    case 'typescript': {
      const r = extractJavaScript(file.path, text, language, calls);
      return { path: file.path, language, fragments: r.fragments, warnings: r.warnings };
    }
    case 'sql':
      return extractSqlFile(file.path, text);
  }
}

/** psql meta-commands that only talk to the terminal or set psql's own options: dropped without a word. */
const HARMLESS_META = new Set([
  '\\echo',
  '\\qecho',
  '\\warn',
  '\\set',
  '\\unset',
  '\\timing',
  '\\pset',
  '\\a',
  '\\t',
  '\\x',
  '\\o',
  '\\out',
  '\\encoding',
  '\\quit',
  '\\q',
  '\\prompt',
  '\\conninfo',
  '\\d',
  '\\dt',
  '\\di',
  '\\dn',
  '\\l',
]);
const INCLUDE_META = new Set(['\\i', '\\ir', '\\include', '\\include_relative']);

/**
 * A legacy `.sql` file: the SQL as one fragment with exact positions. psql
 * meta-commands are not SQL: each is blanked (offsets stay the file's);
 * `\\i file` is an include like `psql -f`; one that changes what runs
 * (`\\c`, `\\copy`, `\\gexec`...) is a warning, which sends the script to a person.
 */
function extractSqlFile(path: string, text: string): Extraction {
  if (!text.trim()) return { path, language: 'sql', fragments: [], warnings: [] };
  const lines = new LineIndex(text);
  const { metaCommands } = splitStatements(text);
  const fragments: SqlFragment[] = [];
  const warnings: ExtractionWarning[] = [];
  let sql = text;
  for (const m of metaCommands) {
    sql = sql.slice(0, m.start) + ' '.repeat(m.end - m.start) + sql.slice(m.end);
    const at = lines.range(m.start, m.end);
    if (INCLUDE_META.has(m.command)) {
      const target = m.text
        .slice(m.command.length)
        .trim()
        .replace(/^'(.*)'$/, '$1');
      fragments.push({ sql: null, dynamic: false, loc: at, mapping: 'exact', via: 'file', includes: target });
    } else if (!HARMLESS_META.has(m.command)) {
      warnings.push({
        message: `psql meta-command ${m.command} (${m.text.slice(0, 60)}) is not SQL and is not converted`,
        line: at.line,
        column: at.column,
      });
    }
  }
  if (sql.trim()) fragments.unshift({ sql, dynamic: false, loc: lines.range(0, text.length), mapping: 'exact', via: 'file' });
  return { path, language: 'sql', fragments, warnings };
}
