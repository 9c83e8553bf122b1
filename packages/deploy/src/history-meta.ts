import { quoteIdent, type Queryable } from '@pg-strata/core';

/**
 * The highest history id so far (0 when Strata's tables do not exist yet):
 * read before a run so the run's own rows can be found afterwards.
 */
export async function historyWatermark(client: Queryable, schema: string): Promise<number> {
  const r = await client.query<{ id: string | null }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${quoteIdent(schema)}.strata_history`]);
  if (!(r.rows[0] as unknown as { ok: boolean }).ok) return 0;
  const m = await client.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM ${quoteIdent(schema)}.strata_history`);
  return Number(m.rows[0]?.id ?? 0);
}

/**
 * Merge `meta` into the `meta jsonb` of the history rows a run wrote: rows
 * after `watermark` for the given revisions (`applied` or `failed`). The
 * runner's `upgrade` takes no extra meta, so the deploy layer records the
 * backup this way, in one statement after the run. Returns the rows updated.
 */
export async function annotateHistory(
  client: Queryable,
  schema: string,
  watermark: number,
  revisions: readonly string[],
  meta: Record<string, unknown>,
): Promise<number> {
  if (revisions.length === 0) return 0;
  const r = await client.query(
    `UPDATE ${quoteIdent(schema)}.strata_history SET meta = meta || $1::jsonb
      WHERE id > $2 AND revision = ANY($3::text[]) AND outcome IN ('applied', 'failed')`,
    [JSON.stringify(meta), watermark, [...revisions]],
  );
  return r.rowCount ?? 0;
}
