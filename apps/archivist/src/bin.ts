#!/usr/bin/env node
// The one place that reads the environment and exits.
import { resolve } from 'node:path';
import { isStrataError, redactUrls, type Logger } from '@pg-strata/core';
import { schemaModeFrom } from '@pg-strata/fallback';
import { startServer } from './server.js';

function jsonLogger(): Logger {
  const write =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      const line = JSON.stringify({ time: new Date().toISOString(), level, message: redactUrls(message), ...fields });
      (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
    };
  return { debug: () => {}, info: write('info'), warn: write('warn'), error: write('error') };
}

async function main(): Promise<void> {
  const env = process.env;
  const url = env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set.');
  const logger = jsonLogger();
  const server = await startServer({
    url,
    port: env.PORT ? Number(env.PORT) : 8080,
    host: env.HOST ?? '0.0.0.0',
    mode: schemaModeFrom(env),
    migrationsDir: resolve(env.MIGRATIONS_DIR ?? 'migrations'),
    logger,
    ...(env.STRATA_SHADOW_URL ? { shadowUrl: env.STRATA_SHADOW_URL } : {}),
  });
  process.stdout.write(`archivist listening on ${server.url} (schema: ${server.schema.action}, mode ${server.schema.mode})\n`);
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  const message = redactUrls(err instanceof Error ? err.message : String(err));
  process.stderr.write(`archivist: not starting: ${message}\n`);
  process.exit(isStrataError(err) ? 1 : 2);
});
