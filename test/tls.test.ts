import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@pg-strata/core';
import { startLocalServer, type LocalServer } from '@pg-strata/pg-server';
import { envelope, runMigrate, sqlMigration, tempProject } from './support/cli.js';

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** A CA, a server certificate for `localhost` only (no IP SAN) signed by it, a client certificate, and an unrelated CA. */
function makeCertificates(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Strata Test CA']);
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'wrong-ca.key', '-out', 'wrong-ca.crt', '-days', '2', '-subj', '/CN=Somebody Else CA']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n');
  openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  openssl(dir, ['req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=strata-client']);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.crt',
    '-days',
    '2',
  ]);
  // PostgreSQL refuses a key readable by others, and runs as `postgres` when the tests run as root.
  chmodSync(join(dir, 'server.key'), 0o600);
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(join(dir, 'server.key'), uid, gid);
  }
}

describe('TLS: sslmode, sslrootcert, sslcert, sslkey (URL and config file) against a server with a self-signed CA', () => {
  let certs: string;
  let server: LocalServer;
  let password: string;
  /** The server's URL with another host name and extra parameters. */
  let url: (host: string, params?: Record<string, string>) => string;

  beforeAll(async () => {
    certs = mkdtempSync(join(tmpdir(), 'strata-tls-'));
    makeCertificates(certs);
    server = await startLocalServer({
      settings: {
        ssl: 'on',
        ssl_cert_file: join(certs, 'server.crt'),
        ssl_key_file: join(certs, 'server.key'),
        ssl_ca_file: join(certs, 'ca.crt'),
      },
    });
    password = decodeURIComponent(new URL(server.url).password);
    url = (host, params = {}) => {
      const u = new URL(server.url);
      u.hostname = host;
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      return u.toString();
    };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (certs) rmSync(certs, { recursive: true, force: true });
  });

  const project = () =>
    tempProject({ 'migrations/0001_a.sql': sqlMigration('c00000000001', [], 'CREATE TABLE a (id int);', 'DROP TABLE a;') });

  it('verify-full with the right CA: the CLI connects over TLS and migrates', async () => {
    const cwd = project();
    const good = url('localhost', { sslmode: 'verify-full', sslrootcert: join(certs, 'ca.crt') });
    const up = await runMigrate(['up'], { cwd, env: { DATABASE_URL: good } });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('1 migration(s) applied');
    // No security warning from the driver: sslmode has libpq's meaning.
    expect(up.stderr).not.toContain('SECURITY WARNING');
    const st = await runMigrate(['status', '--json'], { cwd, env: { DATABASE_URL: good } });
    expect(envelope(st.stdout).result).toMatchObject({ atHead: true });
  });

  it('the library connection really is TLS, and sslcert/sslkey present the client certificate', async () => {
    const c = await connect({
      url: url('localhost', {
        sslmode: 'verify-full',
        sslrootcert: join(certs, 'ca.crt'),
        sslcert: join(certs, 'client.crt'),
        sslkey: join(certs, 'client.key'),
      }),
    });
    try {
      const r = await c.query<{ ssl: boolean; client_dn: string | null }>(
        'SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      expect(r.rows[0]).toEqual({ ssl: true, client_dn: '/CN=strata-client' });
    } finally {
      await c.end();
    }
  });

  it('verify-full with the wrong CA fails clearly: exit 3, the message names the certificate problem, no password or URL', async () => {
    const cwd = project();
    const bad = url('localhost', { sslmode: 'verify-full', sslrootcert: join(certs, 'wrong-ca.crt') });
    const up = await runMigrate(['up'], { cwd, env: { DATABASE_URL: bad } });
    expect(up.code).toBe(3);
    expect(up.stderr).toContain('error: Cannot connect to postgres@localhost:');
    expect(up.stderr).toContain('TLS certificate verification failed');
    expect(up.stderr).toMatch(/certificate/);
    expect(up.stderr).toContain('use the CA certificate that signed the server certificate');
    expect(up.stderr + up.stdout).not.toContain(password);
    expect(up.stderr + up.stdout).not.toContain('postgres://');
  });

  it('verify-full refuses a host name the certificate does not list; verify-ca accepts it (chain only)', async () => {
    const cwd = project();
    const byIp = await runMigrate(['status'], {
      cwd,
      env: { DATABASE_URL: url('127.0.0.1', { sslmode: 'verify-full', sslrootcert: join(certs, 'ca.crt') }) },
    });
    expect(byIp.code).toBe(3);
    expect(byIp.stderr).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(byIp.stderr).toContain('the server certificate does not name this host');
    expect(byIp.stderr).not.toContain(password);
    const ca = await runMigrate(['status'], {
      cwd,
      env: { DATABASE_URL: url('127.0.0.1', { sslmode: 'verify-ca', sslrootcert: join(certs, 'ca.crt') }) },
    });
    expect(ca.code, ca.stderr).toBe(0);
  });

  it('sslmode=require encrypts without verifying, as in libpq (psql, pg_dump)', async () => {
    const r = await runMigrate(['status'], { cwd: project(), env: { DATABASE_URL: url('127.0.0.1', { sslmode: 'require' }) } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('SECURITY WARNING');
  });

  it('config file `ssl: { mode, ca, cert, key }` with paths relative to the config file', async () => {
    const cwd = project();
    const cfg = (ca: string) =>
      writeFileSync(
        join(cwd, 'migrate.config.json'),
        JSON.stringify({ ssl: { mode: 'verify-full', ca, cert: join(certs, 'client.crt'), key: join(certs, 'client.key') } }),
      );
    writeFileSync(join(cwd, 'ca.crt'), execFileSync('cat', [join(certs, 'ca.crt')]));
    writeFileSync(join(cwd, 'wrong.crt'), execFileSync('cat', [join(certs, 'wrong-ca.crt')]));
    cfg('ca.crt');
    const plain = url('localhost');
    const ok = await runMigrate(['up'], { cwd, env: { DATABASE_URL: plain } });
    expect(ok.code, ok.stderr).toBe(0);
    cfg('wrong.crt');
    const bad = await runMigrate(['status'], { cwd, env: { DATABASE_URL: plain } });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('TLS certificate verification failed');
    // A parameter in the URL wins over the config file.
    const urlWins = await runMigrate(['status'], { cwd, env: { DATABASE_URL: url('localhost', { sslrootcert: join(certs, 'ca.crt') }) } });
    expect(urlWins.code, urlWins.stderr).toBe(0);
  });

  it('a missing certificate file or an unknown sslmode is a usage error (exit 2) without the URL', async () => {
    const missing = await runMigrate(['status'], {
      cwd: project(),
      env: { DATABASE_URL: url('localhost', { sslmode: 'verify-full', sslrootcert: '/nonexistent/ca.crt' }) },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('The sslrootcert file /nonexistent/ca.crt (from the database URL) cannot be read: ENOENT.');
    expect(missing.stderr).not.toContain(password);
    const mode = await runMigrate(['status'], { cwd: project(), env: { DATABASE_URL: url('localhost', { sslmode: 'verify_full' }) } });
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain("Unknown sslmode 'verify_full'");
  });
});
