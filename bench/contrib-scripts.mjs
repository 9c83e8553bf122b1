// Shared by the contrib benchmarks (contrib-kinds, contrib-casts, contrib-foreign, sql-function-order):
// PostgreSQL's extension scripts, read from the server's extension folder at run time (never copied
// here), turned into plain SQL so that their objects are loaded as the user's, not as extension members.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The module a control file names (`module_pathname = '$libdir/plperl'`), else `$libdir/<name>`. */
export function controlModule(extdir, name) {
  const control = join(extdir, `${name}.control`);
  const m = existsSync(control) ? /module_pathname\s*=\s*'([^']+)'/.exec(readFileSync(control, 'utf8')) : null;
  return m ? m[1] : `$libdir/${name}`;
}

/**
 * An extension script as plain SQL: psql's `\echo` / `\quit` lines and `ALTER EXTENSION` statements
 * left out, `@extschema@` -> `schema`, `@extowner@` -> CURRENT_USER, `MODULE_PATHNAME` -> `module`,
 * and `pg_extension_config_dump()` calls (which work only inside CREATE EXTENSION) dropped.
 */
export function asUserObjects(text, { schema = 'public', module }) {
  return text
    .replace(/^\\(echo|quit)\b.*$/gm, '')
    .replace(/ALTER EXTENSION [^;]*;/gi, '')
    .replaceAll('@extschema@', schema)
    .replaceAll('@extowner@', 'CURRENT_USER')
    .replaceAll('MODULE_PATHNAME', module)
    .replace(/SELECT pg_catalog\.pg_extension_config_dump\([\s\S]*?\);/g, '');
}
