import { StrataError, withConnection } from '@pg-strata/core';
import { buildGraph, loadMigrations } from '@pg-strata/runner';
import type { Resolved } from './context.js';

/**
 * For `stamp --from-history <tool>`: the imported revision the other tool's
 * history table says the database is at, and that table's names (left out of
 * the schema comparison). Nothing is written.
 */
export async function historyTarget(
  url: string,
  r: Resolved,
  tool: string,
  table: string | undefined,
): Promise<{ revision: string; exclude: string[]; table: string; says: string }> {
  const { readToolHistory, importedRevisions, revisionsFromHistory, historyExcludes, isImportTool, IMPORT_TOOLS } = await import(
    '@pg-strata/importer'
  );
  if (!isImportTool(tool)) throw new StrataError('USAGE', `--from-history ${tool}: not a tool import reads (${IMPORT_TOOLS.join(', ')}).`);
  const history = await withConnection({ url }, (client) => readToolHistory(client, tool, table ? { table } : {}));
  const imported = importedRevisions(r.migrationsDir, tool);
  const graph = buildGraph(await loadMigrations(r.migrationsDir));
  const ordered = graph.order.map((m) => imported.find((i) => i.revision === m.revision)).filter((x) => x !== undefined);
  const { revisions, sourceIds } = revisionsFromHistory(history, ordered);
  let revision: string;
  if (revisions.length === 1) revision = revisions[0]!;
  else if (revisions.length === graph.heads.length && revisions.every((x) => graph.heads.includes(x))) revision = 'heads';
  else
    throw new StrataError(
      'USAGE',
      `${history.table} holds several heads (${revisions.join(', ')}) that are not all of the ` +
        `folder's heads: stamp them one by one (strata stamp <rev> --verify).`,
    );
  return {
    revision,
    exclude: historyExcludes(tool, history.table),
    table: history.table,
    says: tool === 'alembic' ? sourceIds.join(', ') : (sourceIds.at(-1) ?? ''),
  };
}
