#!/usr/bin/env node
// Breaks what the formatter cannot: string and template literals, and `//` comments,
// on lines over the width (140, biome.json's lineWidth). Literals are cut at a space
// into `'…' + '…'` (the value is unchanged: only at a plain space, never inside an
// escape or a `${}`; never in types, imports, property names or tagged templates);
// comments are re-wrapped at word boundaries. Run `biome format --write .` after it,
// which lays the pieces out. Usage: node scripts/wrap-long-lines.mjs [--check] [files...]
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';

const WIDTH = 140;
const PIECE = 96;
const args = process.argv.slice(2);
const check = args.includes('--check');
let files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  files = execFileSync('git', ['ls-files', '*.ts', '*.mts', '*.cts', '*.mjs', '*.js'], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !/(^|\/)(fixtures|dist|node_modules)\//.test(f) && !f.endsWith('.d.ts') && !f.startsWith('legacy/'));
}

const kindOf = (f) => (f.endsWith('.ts') || f.endsWith('.mts') || f.endsWith('.cts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);

/** Positions (in the source) after which a literal may be cut: a plain space in its text, never in an escape or a `${}`. */
function cutPoints(text, node) {
  const ranges = [];
  if (ts.isTemplateExpression(node)) {
    ranges.push([node.head.getStart() + 1, node.head.getEnd() - 2]);
    for (const span of node.templateSpans) {
      const lit = span.literal;
      ranges.push([lit.getStart() + 1, lit.getEnd() - (ts.isTemplateTail(lit) ? 1 : 2)]);
    }
  } else ranges.push([node.getStart() + 1, node.getEnd() - 1]);
  const out = [];
  const first = ranges[0][0];
  const last = ranges[ranges.length - 1][1];
  for (const [start, end] of ranges) {
    // Between a text and a `${}` is a cut too: `…` + `${x}…`.
    if (start > first && start < last) out.push(start);
    if (end < last && end > start) out.push(end);
    for (let i = start; i < end; i++) {
      if (text[i] === '\\') {
        i++;
        continue;
      }
      if (text[i] === ' ' && text[i + 1] !== ' ' && i + 1 < end) out.push(i + 1);
    }
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

function splittable(node) {
  const p = node.parent;
  if (!p) return false;
  if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isModuleDeclaration(p) || ts.isExternalModuleReference(p)) return false;
  if (ts.isLiteralTypeNode(p) || ts.isTaggedTemplateExpression(p) || ts.isImportTypeNode?.(p)) return false;
  if (
    (ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)) &&
    p.name === node
  )
    return false;
  if (ts.isEnumMember(p) || ts.isExpressionStatement(p) || ts.isCaseClause(p) || ts.isElementAccessExpression(p)) return false;
  if (ts.isCallExpression(p) && p.expression.kind === ts.SyntaxKind.ImportKeyword) return false;
  return true;
}

/** Whether `a + b` in place of the literal needs parentheses. */
function needsParens(node) {
  const p = node.parent;
  if (ts.isCallExpression(p) || ts.isNewExpression(p)) return p.expression === node;
  if (ts.isBinaryExpression(p))
    return (
      p.operatorToken.kind !== ts.SyntaxKind.PlusToken &&
      p.operatorToken.kind !== ts.SyntaxKind.EqualsToken &&
      !ts.isAssignmentOperator?.(p.operatorToken.kind)
    );
  if (ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p) || ts.isPrefixUnaryExpression(p) || ts.isTypeOfExpression(p))
    return true;
  if (ts.isAsExpression?.(p) || ts.isSatisfiesExpression?.(p) || ts.isNonNullExpression(p)) return true;
  return false;
}

function lineStarts(text) {
  const s = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') s.push(i + 1);
  return s;
}

function wrapLiterals(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kindOf(file));
  const starts = lineStarts(text);
  const lineOf = (pos) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const lineLen = (l) => (l + 1 < starts.length ? starts[l + 1] - 1 : text.length) - starts[l];
  const edits = [];
  const visit = (node) => {
    const k = node.kind;
    if (k === ts.SyntaxKind.StringLiteral || k === ts.SyntaxKind.NoSubstitutionTemplateLiteral || k === ts.SyntaxKind.TemplateExpression) {
      const a = lineOf(node.getStart());
      const b = lineOf(node.getEnd() - 1);
      let long = false;
      for (let l = a; l <= b; l++) if (lineLen(l) > WIDTH) long = true;
      if (long && splittable(node)) {
        const points = cutPoints(text, node);
        const quote = k === ts.SyntaxKind.StringLiteral ? text[node.getStart()] : '`';
        const cuts = [];
        let from = node.getStart();
        let lastLineStart = from;
        for (let i = 0; i < points.length; i++) {
          const nl = text.lastIndexOf('\n', points[i] - 1);
          if (nl >= lastLineStart) lastLineStart = nl + 1;
          // Only the long lines of a literal are cut: the others of a multi-line one stay as written.
          if (lineLen(lineOf(points[i])) <= WIDTH) continue;
          const next = points[i + 1] ?? node.getEnd();
          const segStart = Math.max(from, lastLineStart);
          if (next - segStart > PIECE && points[i] - segStart > 8) {
            cuts.push(points[i]);
            from = points[i];
            lastLineStart = from;
          }
        }
        if (cuts.length > 0) {
          const paren = needsParens(node);
          if (paren) edits.push({ at: node.getStart(), insert: '(' });
          for (const c of cuts) edits.push({ at: c, insert: `${quote} +\n${quote}` });
          if (paren) edits.push({ at: node.getEnd(), insert: ')' });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  edits.sort((x, y) => y.at - x.at);
  let out = text;
  for (const e of edits) out = out.slice(0, e.at) + e.insert + out.slice(e.at);
  return out;
}

function wrapComments(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kindOf(file));
  const inLiteral = [];
  const visit = (node) => {
    if (ts.isStringLiteral(node) || ts.isTemplateLiteral(node) || ts.isRegularExpressionLiteral(node))
      inLiteral.push([node.getStart(), node.getEnd()]);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  let pos = 0;
  return text
    .split('\n')
    .flatMap((line) => {
      const at = pos;
      pos += line.length + 1;
      if (line.length <= WIDTH) return [line];
      if (inLiteral.some(([a, b]) => a < at + line.length && b > at)) return [line];
      const m = /^(\s*)(\/\/ ?|\* ?|\/\*\* ?)(.*)$/.exec(line);
      if (!m) return [line];
      const [, indent, mark, body] = m;
      const prefix = indent + (mark.startsWith('/**') ? ' * ' : mark.startsWith('*') ? '* ' : '// ');
      const first = indent + mark;
      const words = body.split(' ');
      const out = [];
      let cur = first;
      let start = true;
      for (const w of words) {
        if (!start && cur.length + 1 + w.length > WIDTH) {
          out.push(cur);
          cur = prefix + w;
        } else cur = start ? cur + w : `${cur} ${w}`;
        start = false;
      }
      out.push(cur);
      return out;
    })
    .join('\n');
}

let changed = 0;
const left = [];
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  if (check) {
    text.split('\n').forEach((l, i) => {
      if (l.length > WIDTH && !/wrap-long-lines: allow/.test(l)) left.push(`${f}:${i + 1}: ${l.length} characters`);
    });
    continue;
  }
  const next = wrapComments(f, wrapLiterals(f, text));
  if (next !== text) {
    writeFileSync(f, next);
    changed++;
  }
}
if (check) {
  for (const l of left) console.error(l);
  if (left.length > 0) {
    console.error(`${left.length} line(s) over ${WIDTH} characters`);
    process.exit(1);
  }
} else console.log(`wrap-long-lines: ${changed} file(s) changed`);
