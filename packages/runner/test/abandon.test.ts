import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status, upgrade } from '@pg-strata/runner';
import { sqlMigration, tempMigrations, writeChain } from './helpers.js';

// The runner opens its connection while it reads the migration files. When the
// files are refused, that connection must be dropped at once, even when the
// server has not answered yet: otherwise the process lingers until the connect
// timeout (10 s) after printing its error.

const folders = [tempMigrations(), tempMigrations()];
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  // A TCP server that accepts connections and never says a word, in another
  // process, so that every TCP socket in this one is the runner's.
  server = spawn(
    process.execPath,
    ['-e', "require('net').createServer(() => {}).listen(0, '127.0.0.1', function () { console.log(this.address().port); })"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [chunk] = (await once(server.stdout!, 'data')) as [Buffer];
  url = `postgres://nobody:secret@127.0.0.1:${chunk.toString().trim()}/nothing`;
});
afterAll(() => {
  server.kill();
  folders.forEach((f) => f.rm());
});

/** TCP sockets this process holds, once pending closes have run. */
async function openSockets(): Promise<number> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPConnectWrap').length;
}

describe('a connection opened ahead of need', () => {
  it('is dropped when the files are refused, though the server never answered', async () => {
    const m = folders[0]!;
    expect(await openSockets()).toBe(0);
    writeChain(m, 'x', 200); // long enough that reading it yields to the event loop: the connection gets under way
    m.write('0201_x201.sql', sqlMigration('x201', ['missing'], 'SELECT 1;'));
    await expect(status({ url, migrationsDir: m.dir })).rejects.toMatchObject({ code: 'MIGRATION_MISSING_PARENT' });
    expect(await openSockets()).toBe(0);
  });

  it('is dropped when up refuses several heads', async () => {
    const m = folders[1]!;
    writeChain(m, 'y', 200);
    m.write('0201_y201.sql', sqlMigration('y201', ['y199'], 'SELECT 1;'));
    await expect(upgrade({ url, migrationsDir: m.dir })).rejects.toMatchObject({ code: 'MIGRATION_MULTIPLE_HEADS' });
    expect(await openSockets()).toBe(0);
  });
});
