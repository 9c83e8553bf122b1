// The token view of a shell script that lexShell (shell-words.ts) builds from mvdan-sh's syntax tree.

/** Literal text of a word, with the file offset of its first character. */
export interface LiteralSegment {
  readonly kind: 'text';
  readonly text: string;
  readonly start: number;
  /** File offset just past the segment's last source character. */
  readonly end: number;
  /** True when `text` is the source between `start` and `start + text.length` exactly. */
  readonly verbatim: boolean;
}

/** A `$NAME`, `${...}`, `$(...)`, `` `...` `` or `$((...))` expansion, as written. */
export interface ExpansionSegment {
  readonly kind: 'expansion';
  /** The expansion as written, e.g. `${TABLE}`. */
  readonly raw: string;
  /** The variable name for `$NAME` / `${NAME}` / `${NAME:-x}`; undefined for command substitutions. */
  readonly name?: string;
  /** For `${NAME:-word}` / `${NAME-word}`: the default word (literal only). */
  readonly fallback?: string;
  readonly start: number;
  /** Inside double quotes (no field splitting). */
  readonly quoted: boolean;
}

export type Segment = LiteralSegment | ExpansionSegment;

/** A shell word. */
export interface ShellWord {
  readonly kind: 'word';
  readonly segments: readonly Segment[];
  readonly start: number;
  readonly end: number;
  /** The word as written. */
  readonly raw: string;
  /** Some quoting was involved (so `EOF` vs `'EOF'` can be told apart). */
  readonly quoted: boolean;
  /** A quote in it is not closed before the end of the file. */
  readonly unterminated?: true;
}

/** A here-document body, attached to its `<<` redirection. */
export interface HereDoc {
  readonly delimiter: string;
  /** `<<-`: leading tabs stripped. */
  readonly stripTabs: boolean;
  /** Quoted delimiter: no expansion in the body. */
  readonly literal: boolean;
  readonly segments: readonly Segment[];
  /** Offset of the body's first character. */
  readonly start: number;
  readonly terminated: boolean;
}

/** A redirection: `< file`, `> file`, `2>&1`, `<<EOF`, `<<< word`. */
export interface ShellRedirect {
  readonly kind: 'redirect';
  readonly op: string;
  readonly fd?: number;
  readonly target?: ShellWord;
  readonly heredoc?: HereDoc;
  readonly start: number;
}

/** An operator: `;`, `&`, `&&`, `||`, `|`, `;;`, `(`, `)`, or a newline. */
export interface ShellOperator {
  readonly kind: 'op';
  readonly op: string;
  readonly start: number;
}

export type ShellToken = ShellWord | ShellRedirect | ShellOperator;

/** The result of {@link lexShell}. */
export interface ShellLex {
  readonly tokens: ShellToken[];
  readonly problems: { readonly message: string; readonly offset: number }[];
}
