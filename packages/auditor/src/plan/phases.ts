/**
 * The places a statement can take in a plan, in order. A change is put on one
 * phase; the sort (graph.ts) keeps phases in this order. Roughly: drop what
 * depends on something that goes or changes, create in dependency order, drop
 * what is left of removed types, extensions and schemas, then comments,
 * privileges and event triggers.
 */
export const PHASES = [
  'pre',
  'dropEventTriggers',
  'dropPublications',
  'dropTriggers',
  'dropPolicies',
  'dropViews',
  'dropAggregates',
  'dropForeignKeys',
  'dropIndexes',
  'dropConstraints',
  'dropDefaults',
  'dropRowTypeFunctions',
  'dropTables',
  'dropForeignServers',
  'dropColumns',
  'dropFunctions',
  'dropLanguages',
  'dropSequences',
  'dropTypes',
  'dropTextSearch',
  'dropAccessMethods',
  'schemas',
  'extensions',
  'textSearch',
  'types',
  'languages',
  'functions',
  'accessMethods',
  'foreignServers',
  'sequences',
  'tables',
  'columns',
  'typeCleanup',
  'dropRemovedTypes',
  'dropFunctionsUsedByTypes',
  'dropExtensions',
  'dropSchemas',
  'sequenceOwnership',
  'constraints',
  'indexes',
  'foreignKeys',
  'lateFunctions',
  'aggregates',
  'views',
  'viewIndexes',
  'triggers',
  'rowSecurity',
  'policies',
  'publications',
  'comments',
  'privileges',
  'eventTriggers',
] as const;

export type Phase = (typeof PHASES)[number];

/** A phase's position in {@link PHASES}. */
export const PHASE_RANK: ReadonlyMap<Phase, number> = new Map(PHASES.map((p, i) => [p, i]));
