import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@pg-strata/testkit';
import { status, upgrade } from '@pg-strata/runner';
import { query, sqlMigration, tempMigrations } from './helpers.js';

// A run ends its session with Terminate and closes the socket once that is
// written; it does not wait for the server to close its side, which comes only
// after the backend process has shut down (core's closeConnection). Between
// the runner and PostgreSQL here sits a relay that passes everything on except
// the server's close, which it withholds: a runner that waited for it would
// never return.

const db = useTestDatabase('runner_close');
const m = tempMigrations();
let relay: Server;
let relayUrl: string;
const clientSides: Socket[] = [];

beforeAll(async () => {
  const target = new URL(db().url);
  // allowHalfOpen: the relay's side stays open after the client's FIN, as a server's does until its backend has exited.
  relay = createServer({ allowHalfOpen: true }, (client) => {
    clientSides.push(client);
    const server = createConnection({ host: target.hostname, port: Number(target.port) });
    client.on('data', (chunk) => server.write(chunk));
    server.on('data', (chunk) => client.write(chunk));
    // The client's close goes through; the server's is withheld (no client.end()).
    client.on('end', () => server.end());
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address() as { port: number };
  relayUrl = Object.assign(new URL(db().url), { host: `127.0.0.1:${address.port}` }).toString();
});
afterAll(async () => {
  for (const c of clientSides) c.destroy();
  await new Promise((resolve) => relay.close(resolve));
  m.rm();
});

describe('the end of a run', () => {
  it("does not wait for the server to close the connection, and the server's session ends", async () => {
    m.write('0001_a.sql', sqlMigration('a', [], 'CREATE TABLE close_a (id int);', 'DROP TABLE close_a;'));
    const applied = await upgrade({ url: relayUrl, migrationsDir: m.dir, applicationName: 'strata-close-test' });
    expect(applied.steps.map((s) => s.status)).toEqual(['applied']);
    const s = await status({ url: relayUrl, migrationsDir: m.dir, applicationName: 'strata-close-test' });
    expect(s.pending).toEqual([]);
    // The sessions were ended by Terminate, not dropped: none is left behind.
    let left = 1;
    for (let i = 0; i < 50 && left > 0; i++) {
      left = Number(
        (
          await query<{ n: string }>(db().url, "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'strata-close-test'")
        )[0]!.n,
      );
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(left).toBe(0);
  });
});
