import picomatch from 'picomatch';

/**
 * The converter's globs over `/`-separated relative paths, matched by
 * picomatch: `**` (any number of directories), `*` and `?` (within one
 * segment), `[abc]` / `[!abc]` classes and `{a,b}` alternatives; dot files
 * match like any other. A pattern without a `/` matches the basename at any
 * depth, as in .gitignore; a leading `./` or `/` is dropped. Parentheses are
 * literal (no extglobs) and a leading `!` does not negate.
 */
export function globMatcher(globs: readonly string[]): (relativePath: string) => boolean {
  if (globs.length === 0) return () => false;
  return picomatch(globs.map(toPicomatch), { dot: true, strictSlashes: true, noextglob: true, nonegate: true });
}

function toPicomatch(glob: string): string {
  const rooted = glob.includes('/') ? glob.replace(/^\.\//, '').replace(/^\//, '') : `**/${glob}`;
  // picomatch reads `[^...]`, not `[!...]`, as a negated class, and would pass parentheses on as regex groups.
  return rooted.replace(/\[!/g, '[^').replace(/[()]/g, '\\$&');
}
