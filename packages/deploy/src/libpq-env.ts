import { StrataError } from '@pg-strata/core';

/** Connection-string parameters that map onto libpq environment variables. */
const PARAMS: Record<string, string> = {
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslcrl: 'PGSSLCRL',
  application_name: 'PGAPPNAME',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  options: 'PGOPTIONS',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
};

/**
 * The libpq environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
 * `PGPASSWORD`, `PGSSLMODE`, ...) describing `url`, for running pg_dump and
 * pg_restore. The connection goes through the environment, never argv: a
 * password on a command line is visible to every user of the machine in
 * `ps`. Parameters only node-postgres knows (`uselibpqcompat`) are left out.
 */
export function libpqEnvironment(url: string): Record<string, string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StrataError('USAGE', 'The database URL could not be parsed (the value is not shown because it may contain a password).');
  }
  const env: Record<string, string> = {};
  const host = u.searchParams.get('host') ?? (u.hostname ? decodeURIComponent(u.hostname).replace(/^\[(.*)\]$/, '$1') : '');
  if (host) env.PGHOST = host;
  const port = u.searchParams.get('port') ?? u.port;
  if (port) env.PGPORT = port;
  const user = u.searchParams.get('user') ?? decodeURIComponent(u.username);
  if (user) env.PGUSER = user;
  const password = u.searchParams.get('password') ?? decodeURIComponent(u.password);
  if (password) env.PGPASSWORD = password;
  const database = u.searchParams.get('dbname') ?? decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  for (const [param, name] of Object.entries(PARAMS)) {
    const v = u.searchParams.get(param);
    if (v !== null) env[name] = param === 'sslmode' && v === 'no-verify' ? 'require' : v;
  }
  return env;
}

/**
 * A child environment: `base` (PATH, HOME, LANG, ...) without any `PG*`
 * variable, so only `url` decides where the tool connects, then the libpq
 * variables of `url`.
 */
export function toolEnvironment(url: string, base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !k.startsWith('PG')) env[k] = v;
  return { ...env, ...libpqEnvironment(url) };
}
