/** The Snapshot's text search and operator kinds: dictionaries, configurations, parsers, templates, operators, classes and families. */

/** A text search dictionary (`CREATE TEXT SEARCH DICTIONARY`). */
export interface TextSearchDictionaryDef {
  schema: string;
  name: string;
  /** Its template, schema-qualified and quoted: `pg_catalog.snowball`. */
  template: string;
  /** Its options as PostgreSQL keeps them (`language = 'english', stopwords = 'english'`), or null. */
  options: string | null;
  comment: string | null;
}

/** A text search configuration (`CREATE TEXT SEARCH CONFIGURATION`). */
export interface TextSearchConfigurationDef {
  schema: string;
  name: string;
  /** Its parser, schema-qualified and quoted: `pg_catalog."default"`. */
  parser: string;
  /** Token type (the parser's alias, `asciiword`) -> its dictionaries in the order they are tried, schema-qualified and quoted; keys
   * sorted. */
  mappings: Record<string, string[]>;
  comment: string | null;
}

/**
 * An operator (`CREATE OPERATOR`). Operators and functions are named as SQL
 * takes them, schema-qualified and quoted where needed: an operator
 * `public.===(integer, text)` (`NONE` for a prefix operator's missing left
 * argument), a function `public.int_eq_text(integer, text)`.
 */
export interface OperatorDef {
  schema: string;
  name: string;
  /** `format_type` of the left argument; null for a prefix operator. */
  left: string | null;
  right: string;
  /** The function it calls, with its identity arguments. */
  function: string;
  /** Its commutator and negator operators, or null. */
  commutator: string | null;
  negator: string | null;
  /** Restriction and join selectivity estimators (`pg_catalog.eqsel`), or null. */
  restrict: string | null;
  join: string | null;
  hashes: boolean;
  merges: boolean;
  comment: string | null;
}

/** An operator of an operator class or family: `OPERATOR strategy op(left, right) [FOR ORDER BY family]`. */
export interface OpclassOperatorDef {
  strategy: number;
  /** The operator, as {@link OperatorDef} names operators. */
  operator: string;
  /** `FOR ORDER BY` with this btree family (qualified), or null for a search operator. */
  orderBy: string | null;
}

/** A support function of an operator class or family: `FUNCTION number (left, right) fn(args)`. */
export interface OpclassFunctionDef {
  number: number;
  left: string;
  right: string;
  /** The function with its identity arguments, qualified. */
  function: string;
}

/** An operator family (`CREATE OPERATOR FAMILY`); a class created without `FAMILY` makes one of its own name. */
export interface OperatorFamilyDef {
  schema: string;
  name: string;
  method: string;
  /** Members that belong to the family itself (`ALTER OPERATOR FAMILY ... ADD`), not to one of its classes; sorted. */
  operators: OpclassOperatorDef[];
  functions: OpclassFunctionDef[];
  comment: string | null;
}

/** An operator class (`CREATE OPERATOR CLASS`). */
export interface OperatorClassDef {
  schema: string;
  name: string;
  method: string;
  /** `FOR TYPE`, as `format_type` gives it. */
  type: string;
  default: boolean;
  /** Key of its family (`schema.name USING method`). */
  family: string;
  /** `STORAGE` type, or null when it is the indexed type. */
  storage: string | null;
  /** Its own members (not those of its family), sorted. */
  operators: OpclassOperatorDef[];
  functions: OpclassFunctionDef[];
  comment: string | null;
}

/** A text search parser (`CREATE TEXT SEARCH PARSER`); its functions qualified (`pg_catalog.prsd_start`). */
export interface TextSearchParserDef {
  schema: string;
  name: string;
  start: string;
  gettoken: string;
  end: string;
  lextypes: string;
  headline: string | null;
  comment: string | null;
}

/** A text search template (`CREATE TEXT SEARCH TEMPLATE`); its functions qualified. */
export interface TextSearchTemplateDef {
  schema: string;
  name: string;
  init: string | null;
  lexize: string;
  comment: string | null;
}
