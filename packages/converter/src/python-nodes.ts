// Small readers of @lezer/python syntax nodes shared by the Python extractor's modules.
import type { SyntaxNode } from '@lezer/common';

export const PUNCT = new Set(['(', ')', '[', ']', '{', '}', ',', ':', 'Comment']);

/** Children of a node without punctuation, comments and error nodes. */
export function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (!PUNCT.has(c.name) && !c.type.isError) out.push(c);
  return out;
}

/** Positional arguments of a call (`star`: a `*args`/`**kw` makes positions unknown), and its keyword arguments. */
export function callArgs(
  text: string,
  argList: SyntaxNode | null,
): { positional: SyntaxNode[]; keywords: Map<string, SyntaxNode>; star: boolean } {
  const out = { positional: [] as SyntaxNode[], keywords: new Map<string, SyntaxNode>(), star: false };
  if (!argList) return out;
  let group: SyntaxNode[] = [];
  const flush = () => {
    if (group.length === 1) out.positional.push(group[0]!);
    else if (group.length === 3 && group[1]!.name === 'AssignOp' && group[0]!.name === 'VariableName')
      out.keywords.set(text.slice(group[0]!.from, group[0]!.to), group[2]!);
    else if (group.length > 0) out.star = true;
    group = [];
  };
  for (let c = argList.firstChild; c; c = c.nextSibling) {
    if (c.name === '(' || c.name === ')' || c.name === 'Comment' || c.type.isError) continue;
    if (c.name === ',') flush();
    else group.push(c);
  }
  flush();
  return out;
}

export const src = (text: string, n: SyntaxNode) => text.slice(n.from, n.to);
export const lastName = (text: string, callee: SyntaxNode) =>
  callee.name === 'MemberExpression' && callee.lastChild ? src(text, callee.lastChild) : src(text, callee).replace(/\s+/g, '');

// ---------- reading a catalogue query ----------
