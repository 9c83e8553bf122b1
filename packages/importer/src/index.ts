/**
 * `@pg-strata/importer`: read another migration tool's folder (Alembic,
 * Flyway, dbmate, golang-migrate, goose, node-pg-migrate, Prisma, Kysely)
 * into Strata revisions with a report of what could not be carried over, and
 * take over the tool's history table.
 */
import { resolve } from 'node:path';
import { StrataError } from '@pg-strata/core';
import { readAlembic } from './alembic.js';
import { readKysely, readNodePgMigrate } from './js-tools.js';
import { readDbmate, readFlyway, readGolangMigrate, readGoose, readPrisma } from './sql-tools.js';
import { IMPORT_TOOLS, type ImportTool, type ReadSourceOptions, type SourceSet } from './types.js';

/** Whether a string names a tool the importer reads. */
export function isImportTool(s: string): s is ImportTool {
  return (IMPORT_TOOLS as readonly string[]).includes(s);
}

/** Read a tool's migrations folder, in the tool's order, with the report of what is not carried over. */
export async function readSource(tool: string, dir: string, options: ReadSourceOptions = {}): Promise<SourceSet> {
  if (!isImportTool(tool))
    throw new StrataError('USAGE', `Unknown tool '${tool}': import reads ${IMPORT_TOOLS.join(', ')}.`, { meta: { tool } });
  const abs = resolve(dir);
  switch (tool) {
    case 'flyway':
      return readFlyway(abs, options);
    case 'dbmate':
      return readDbmate(abs);
    case 'golang-migrate':
      return readGolangMigrate(abs);
    case 'goose':
      return readGoose(abs);
    case 'prisma':
      return readPrisma(abs);
    case 'node-pg-migrate':
      return await readNodePgMigrate(abs);
    case 'kysely':
      return readKysely(abs);
    case 'alembic':
      return await readAlembic(abs, options);
  }
}

export { IMPORT_TOOLS, type ImportTool, type ReadSourceOptions, type ReportItem, type SourceMigration, type SourceSet } from './types.js';
export { planImport, writeImport, renderReport, type ImportPlan, type PlannedFile, type WriteImportResult } from './write.js';
export {
  readToolHistory,
  importedRevisions,
  revisionsFromHistory,
  historyExcludes,
  type ToolHistory,
  type ImportedRevision,
} from './history.js';
