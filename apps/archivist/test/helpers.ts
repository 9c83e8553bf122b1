import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The test migration set: a baseline and a second migration whose head equals the models. */
export const FIXTURE_MIGRATIONS = fileURLToPath(new URL('./fixtures/migrations/', import.meta.url));
export const BASELINE = '5d1a0c7e2b91';
export const HEAD = '8f3c2a9d4e60';

/** A temp copy of the fixture migrations; `write` adds a file, `rm` removes the copy. */
export function migrationsCopy(): { dir: string; write(name: string, text: string): void; rm(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'archivist-migrations-'));
  cpSync(FIXTURE_MIGRATIONS, dir, { recursive: true });
  return { dir, write: (name, text) => writeFileSync(join(dir, name), text), rm: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Run one query on a fresh connection. */
export async function query<R extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A JSON HTTP request; returns the status and the parsed body. */
export async function http(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
