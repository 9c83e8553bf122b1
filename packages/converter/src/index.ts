export { extractSql, detectLanguage } from './extract.js';
export { fragmentPosition } from './fragments.js';
export {
  discoverScripts,
  DEFAULT_INCLUDE,
  DEFAULT_EXCLUDE,
  SCRIPT_EXTENSIONS,
  type DiscoverOptions,
  type DiscoveredScript,
} from './discover.js';
export { globToRegExp, globMatcher } from './glob-match.js';
export { rewritePlaceholders, type Rewritten } from './sql-placeholders.js';
export { lexShell, type ShellToken, type ShellWord, type ShellRedirect, type ShellOperator, type HereDoc, type Segment } from './shell-words.js';
export type {
  ScriptFile,
  ScriptLanguage,
  SqlFragment,
  SqlGuard,
  SourceRange,
  ParamStyle,
  Extraction,
  ExtractionWarning,
  ExtractOptions,
} from './types.js';
