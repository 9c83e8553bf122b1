import { isRuleId } from './rules.js';
import type { RuleId } from './types.js';

/** A `-- strata-lint-ignore rule-id[, rule-id]: reason` comment. */
export interface IgnoreDirective {
  /** 1-based line in the file. */
  line: number;
  column: number;
  rules: RuleId[];
  /** Ids that name no rule. */
  unknown: string[];
  reason: string;
}

const DIRECTIVE_RE = /^([ \t]*)--[ \t]*strata-lint-ignore\b(.*)$/;

/**
 * Every ignore directive of a file, by line. Only whole-line comments count:
 * a directive applies to the statement that starts on the line after the
 * run of comment lines it belongs to (see {@link directivesAbove}).
 */
export function scanDirectives(source: string): Map<number, IgnoreDirective> {
  const out = new Map<number, IgnoreDirective>();
  if (!source.includes('strata-lint-ignore')) return out;
  const lines = source.split('\n');
  lines.forEach((text, i) => {
    const m = DIRECTIVE_RE.exec(text);
    if (!m) return;
    const rest = m[2]!;
    const colon = rest.indexOf(':');
    const idsText = colon === -1 ? rest : rest.slice(0, colon);
    const reason = colon === -1 ? '' : rest.slice(colon + 1).trim();
    const ids = idsText.split(/[\s,]+/).filter((s) => s !== '');
    out.set(i + 1, {
      line: i + 1,
      column: m[1]!.length + 1,
      rules: ids.filter(isRuleId),
      unknown: ids.filter((id) => !isRuleId(id)),
      reason,
    });
  });
  return out;
}

/** Lines that are whole-line `--` comments, for walking upwards from a statement. */
export function commentLines(source: string): Set<number> {
  const out = new Set<number>();
  source.split('\n').forEach((text, i) => {
    if (/^[ \t]*--/.test(text)) out.add(i + 1);
  });
  return out;
}

/** The directives in the run of comment lines directly above `line` (no blank line between). */
export function directivesAbove(
  line: number,
  directives: ReadonlyMap<number, IgnoreDirective>,
  comments: ReadonlySet<number>,
): IgnoreDirective[] {
  const out: IgnoreDirective[] = [];
  for (let l = line - 1; l >= 1 && comments.has(l); l--) {
    const d = directives.get(l);
    if (d) out.push(d);
  }
  return out;
}
