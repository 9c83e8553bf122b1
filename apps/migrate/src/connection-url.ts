import { StrataError } from '@pg-strata/core';
import { resolvePath } from './config.js';

/** TLS settings of the config file (`ssl: { mode, ca, cert, key }`); paths are relative to the config file. */
export interface SslConfig {
  /** libpq `sslmode`: `disable`, `prefer`, `require`, `verify-ca`, `verify-full`. */
  mode?: string;
  /** CA certificate file that signed the server certificate (libpq `sslrootcert`). */
  ca?: string;
  /** Client certificate file (libpq `sslcert`). */
  cert?: string;
  /** Client private key file (libpq `sslkey`). */
  key?: string;
}

const PARAMS = [
  ['mode', 'sslmode', 'PGSSLMODE'],
  ['ca', 'sslrootcert', 'PGSSLROOTCERT'],
  ['cert', 'sslcert', 'PGSSLCERT'],
  ['key', 'sslkey', 'PGSSLKEY'],
] as const;

/**
 * Put the TLS settings into the URL as libpq parameters, so every library
 * (and pg_dump) sees one connection string. A parameter already in the URL
 * wins; then the config file's `ssl`; then libpq's `PGSSL*` variables.
 */
export function withSslParams(url: string, ssl: unknown, baseDir: string, env: NodeJS.ProcessEnv): string {
  if (ssl !== undefined && (typeof ssl !== 'object' || ssl === null || Array.isArray(ssl))) {
    throw new StrataError('CONFIG_INVALID', 'The config field `ssl` must be an object: { mode, ca, cert, key }.');
  }
  const cfg = (ssl ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(cfg)) {
    if (!PARAMS.some(([name]) => name === k))
      throw new StrataError('CONFIG_INVALID', `Unknown field ssl.${k} in the config file: use mode, ca, cert and key.`);
    if (typeof cfg[k] !== 'string') throw new StrataError('CONFIG_INVALID', `The config field ssl.${k} must be a string.`);
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url; // core's parseConnectionUrl reports it without echoing the value
  }
  let changed = false;
  for (const [name, param, envName] of PARAMS) {
    if (u.searchParams.has(param)) continue;
    const fromConfig = cfg[name] as string | undefined;
    const value = fromConfig !== undefined ? (name === 'mode' ? fromConfig : resolvePath(baseDir, fromConfig)) : env[envName];
    if (!value) continue;
    u.searchParams.set(param, value);
    changed = true;
  }
  return changed ? u.toString() : url;
}
