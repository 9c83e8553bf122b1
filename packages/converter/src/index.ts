// What other packages and users call (the strata-migrate/converter entry; README.md documents it).
// Everything else in src/ is the converter's own: import it by module inside the package.
export { extractSql } from './extract.js';
export { fragmentPosition } from './fragments.js';
export { discoverScripts, DEFAULT_INCLUDE, type DiscoverOptions, type DiscoveredScript } from './discover.js';
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
export { analyzeScript } from './effects.js';
export type {
  Effect,
  EffectKind,
  EffectColumn,
  StatementGuard,
  AnalyzedStatement,
  ScriptProblem,
  ScriptAnalysis,
} from './effect-types.js';
export { parseOrderFile } from './order.js';
export { convertEstate, type ConvertOptions, type ConversionPlan, type ScriptPlan, type ScriptTarget } from './convert.js';
export { renderConversionMarkdown, conversionJson, reportOrder } from './report.js';
export { writeConversion, type WriteOptions, type WriteResult } from './write.js';
export { verifyConversion, renderVerify, type VerifyOptions, type VerifyResult, type VerifyRow } from './verify.js';
