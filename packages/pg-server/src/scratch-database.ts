import { randomBytes } from 'node:crypto';
import { StrataError, quoteIdent, withConnection } from '@pg-strata/core';
import { registerCleanup } from './cleanup.js';

/** A database created for one use and dropped afterwards. */
export interface ScratchDatabase {
  readonly name: string;
  /** Connection string to the scratch database (same credentials as the admin URL). */
  readonly url: string;
  /** Drop the database, terminating any connection still open to it. Safe to call twice. */
  drop(): Promise<void>;
}

/** Options of {@link createScratchDatabase}. */
export interface ScratchDatabaseOptions {
  /** Name prefix, lower-case letters, digits and underscores. Default `'strata_scratch'`. */
  prefix?: string;
  /** Template database. Default `template0`... unless `template` names another. */
  template?: string;
}

/** Replace the database name in a connection string. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/**
 * Create an empty database on the server `adminUrl` points at (a role that
 * may CREATE DATABASE), named `<prefix>_<random>`.
 */
export async function createScratchDatabase(adminUrl: string, options: ScratchDatabaseOptions = {}): Promise<ScratchDatabase> {
  const prefix = (options.prefix ?? 'strata_scratch')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const template = options.template ?? 'template0';
  await withConnection({ url: adminUrl, applicationName: 'strata-scratch' }, async (c) => {
    await c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
  });
  let dropped: Promise<void> | undefined;
  const drop = (): Promise<void> => {
    dropped ??= withConnection({ url: adminUrl, applicationName: 'strata-scratch' }, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    })
      .catch((err: unknown) => {
        throw new StrataError('DB_QUERY', `Could not drop scratch database ${name}.`, { cause: err });
      })
      // Unregistered once dropped: a cleanUpAll() meanwhile waits for this same drop.
      .finally(unregister);
    return dropped;
  };
  // Dropped by cleanUpAll() too (a signal), whoever created it.
  const unregister = registerCleanup('database', drop);
  return Object.freeze({ name, url: withDatabase(adminUrl, name), drop });
}
