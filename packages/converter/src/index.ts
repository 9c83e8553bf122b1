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
export { analyzeScript, catalogueCheck } from './effects.js';
export { statementEffects, formatTypeName, defaultObjectName } from './statement-effects.js';
export {
  type Effect,
  type EffectKind,
  type EffectColumn,
  type StatementGuard,
  type AnalyzedStatement,
  type ScriptProblem,
  type ScriptAnalysis,
} from './effect-types.js';
export {
  classifyScript,
  SCRIPT_CLASSES,
  presenceIn,
  isDataEffect,
  neededStatements,
  Timeline,
  type ScriptClass,
  type ReasonCode,
  type Presence,
  type JudgedEffect,
  type DataFixCheck,
  type ScriptClassification,
  type ClassifyInput,
} from './classify.js';
export { deriveDataChecks } from './data-check.js';
export { orderScripts, parseOrderFile, type OrderedScript, type OrderOptions } from './order.js';
export { scriptKind, type ScriptKind, type KindClass } from './script-kind.js';
export { convertEstate, type ConvertOptions, type ConversionPlan, type ScriptPlan, type ScriptTarget } from './convert.js';
export { renderConversionMarkdown, conversionJson, reportOrder, effectSummary } from './report.js';
export { writeConversion, baselineSql, type WriteOptions, type WriteResult } from './write.js';
export { verifyConversion, renderVerify, type VerifyOptions, type VerifyResult, type VerifyRow } from './verify.js';
