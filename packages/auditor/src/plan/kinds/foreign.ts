import { quoteIdent, quoteLiteral } from '@pg-strata/core';
import { isDeepStrictEqual as deepEqual } from 'node:util';
import type { FdwOptions, ForeignServerDef, Snapshot, UserMappingDef } from '../../snapshot.js';
import type { Change } from '../graph.js';
import type { PlanContext } from '../context.js';
import { qn, sorted } from '../sql.js';
import type { PlanKind } from './kind.js';

/** ` OPTIONS (host 'db1', port '5432')` for a new object, or nothing; secret options (null: never read) are left out. */
export function createOptions(o: FdwOptions | undefined): string {
  const kept = sorted(o ?? {}).filter(([, v]) => v !== null);
  return kept.length ? ` OPTIONS (${kept.map(([k, v]) => `${quoteIdent(k)} ${quoteLiteral(v!)}`).join(', ')})` : '';
}

/**
 * `OPTIONS (ADD x 'v', SET y 'w', DROP z)` from one set of options to another, or undefined when
 * nothing changes. A secret option that is to be added, or whose value may differ, cannot be
 * written (its value is never read): it is listed in `secrets` for the caller to tell.
 */
export function alterOptions(from: FdwOptions | undefined, to: FdwOptions | undefined, secrets: string[] = []): string | undefined {
  const x = from ?? {};
  const y = to ?? {};
  const parts: string[] = [];
  for (const k of Object.keys(x).sort()) if (!(k in y)) parts.push(`DROP ${quoteIdent(k)}`);
  for (const [k, v] of sorted(y)) {
    if (k in x && x[k] === v) continue;
    if (v === null) {
      secrets.push(k);
      continue;
    }
    parts.push(`${k in x ? 'SET' : 'ADD'} ${quoteIdent(k)} ${quoteLiteral(v)}`);
  }
  return parts.length ? `OPTIONS (${parts.join(', ')})` : undefined;
}

/** A function named by its key (`schema.name(args)`), as CREATE LANGUAGE / ACCESS METHOD / FOREIGN DATA WRAPPER write it. */
export function functionByKey(key: string, snap: Snapshot): string {
  const f = snap.functions[key];
  if (f) return qn(f.schema, f.name);
  const m = /^([^.]+)\.(.+)\(.*\)$/s.exec(key);
  return m ? qn(m[1]!, m[2]!) : key;
}

/** Servers that cannot be altered into what `b` has (another wrapper or TYPE): dropped and created again, with their mappings and tables.
 * */
export function recreatedServers(a: Snapshot, b: Snapshot): Set<string> {
  const out = new Set<string>();
  for (const [k, s] of sorted(b.foreignServers ?? {})) {
    const o = a.foreignServers?.[k];
    if (o && (o.wrapper !== s.wrapper || o.type !== s.type)) out.add(k);
  }
  return out;
}

/** Make the change with id `id` (if the plan has it) come after `dep`. */
export function addAfter(ctx: PlanContext, id: string, dep: string): void {
  for (const c of ctx.changes as Change[]) if (c.id === id) c.after = [...(c.after ?? []), dep];
}

function createServer(s: ForeignServerDef): string {
  return (
    `CREATE SERVER ${quoteIdent(s.name)}${s.type !== null ? ` TYPE ${quoteLiteral(s.type)}` : ''}` +
    `${s.version !== null ? ` VERSION ${quoteLiteral(s.version)}` : ''} FOREIGN DATA WRAPPER ` +
    `${quoteIdent(s.wrapper)}${createOptions(s.options)}`
  );
}

const mappingName = (m: UserMappingDef) => `FOR ${m.user === 'public' ? 'PUBLIC' : quoteIdent(m.user)} SERVER ${quoteIdent(m.server)}`;

function secretNote(ctx: PlanContext, m: UserMappingDef, secrets: string[]): string {
  const what = secrets.join(', ');
  const how = `ALTER USER MAPPING ${mappingName(m)} OPTIONS (${secrets.map((s) => `ADD ${quoteIdent(s)} '...'`).join(', ')})`;
  const note =
    `${what} ${secrets.length > 1 ? 'are secrets' : 'is a secret'} Strata never reads: set ` +
    `${secrets.length > 1 ? 'them' : 'it'} by hand (${how})`;
  ctx.hints.push({
    kind: 'unsupported',
    message: `user mapping for ${m.user === 'public' ? 'PUBLIC' : m.user} on server ${m.server}: ${note}`,
  });
  return note;
}

/**
 * Foreign-data wrappers, servers and user mappings, created after the functions
 * (handlers, validators) and before the tables (foreign tables are tables: kinds/table.ts),
 * in that order; dropped in the reverse order once the foreign tables are gone. A
 * wrapper changes in place (HANDLER, VALIDATOR, OPTIONS), a server too (VERSION, OPTIONS)
 * unless its wrapper or TYPE changes: then it is created again, with its mappings and
 * foreign tables. A user mapping's secret options are never read: a new mapping is
 * created without them, with a note (and a hint) to set them by hand.
 */
export const foreignKind: PlanKind = {
  name: 'foreign data',
  plan(ctx: PlanContext): void {
    const { a, b } = ctx;
    const wa = a.foreignDataWrappers ?? {};
    const wb = b.foreignDataWrappers ?? {};
    const sa = a.foreignServers ?? {};
    const sb = b.foreignServers ?? {};
    const ma = a.userMappings ?? {};
    const mb = b.userMappings ?? {};
    const again = recreatedServers(a, b);
    const mappingAgain = (m: UserMappingDef) => again.has(m.server);
    // Drops: mappings, servers, wrappers (foreign tables went in dropTables); each after the functions it names stop being needed.
    for (const [k, m] of sorted(ma)) {
      if (!(k in mb) || mappingAgain(m)) ctx.emit('dropForeignServers', { sql: `DROP USER MAPPING ${mappingName(m)}`, destructive: false });
    }
    for (const [k, s] of sorted(sa)) {
      if (k in sb && !again.has(k)) continue;
      ctx.emit(
        'dropForeignServers',
        {
          sql: `DROP SERVER ${quoteIdent(s.name)}`,
          destructive: false,
          ...(k in sb ? { comment: 'its foreign-data wrapper or TYPE changes (ALTER SERVER cannot): the server is created again' } : {}),
        },
        { id: `server:drop:${k}` },
      );
    }
    for (const [k, w] of sorted(wa)) {
      if (k in wb) continue;
      ctx.emit(
        'dropForeignServers',
        { sql: `DROP FOREIGN DATA WRAPPER ${quoteIdent(w.name)}`, destructive: false },
        { id: `wrapper:drop:${k}` },
      );
      for (const f of [w.handler, w.validator]) if (f) addAfter(ctx, `function:drop:${f}`, `wrapper:drop:${k}`);
    }
    // Creates and changes.
    for (const [k, w] of sorted(wb)) {
      const o = wa[k];
      const fns = [w.handler, w.validator].filter((f): f is string => f !== null).map((f) => `function:create:${f}`);
      const fn = (f: string | null) => (f ? functionByKey(f, b) : '');
      const name = quoteIdent(w.name);
      if (!o) {
        const sql =
          `CREATE FOREIGN DATA WRAPPER ${name}${w.handler ? ` HANDLER ${fn(w.handler)}` : ''}` +
          `${w.validator ? ` VALIDATOR ${fn(w.validator)}` : ''}${createOptions(w.options)}`;
        ctx.emit('foreignServers', { sql, destructive: false }, { after: fns });
      } else {
        const parts: string[] = [];
        if (o.handler !== w.handler) parts.push(w.handler ? `HANDLER ${fn(w.handler)}` : 'NO HANDLER');
        if (o.validator !== w.validator) parts.push(w.validator ? `VALIDATOR ${fn(w.validator)}` : 'NO VALIDATOR');
        const opts = alterOptions(o.options, w.options);
        if (opts) parts.push(opts);
        if (parts.length) {
          const sql = `ALTER FOREIGN DATA WRAPPER ${name} ${parts.join(' ')}`;
          ctx.emit('foreignServers', { sql, destructive: false }, { id: `wrapper:alter:${k}`, after: fns });
        }
        for (const f of [o.handler, o.validator])
          if (f && f !== w.handler && f !== w.validator) addAfter(ctx, `function:drop:${f}`, `wrapper:alter:${k}`);
      }
      put(ctx, `FOREIGN DATA WRAPPER ${name}`, o?.comment ?? null, w.comment);
    }
    for (const [k, s] of sorted(sb)) {
      const o = again.has(k) ? undefined : sa[k];
      if (!o) ctx.emit('foreignServers', { sql: createServer(s), destructive: false });
      else {
        const parts: string[] = [];
        if (o.version !== s.version) parts.push(`VERSION ${s.version === null ? 'NULL' : quoteLiteral(s.version)}`);
        const opts = alterOptions(o.options, s.options);
        if (opts) parts.push(opts);
        if (parts.length) ctx.emit('foreignServers', { sql: `ALTER SERVER ${quoteIdent(s.name)} ${parts.join(' ')}`, destructive: false });
      }
      put(ctx, `SERVER ${quoteIdent(s.name)}`, o?.comment ?? null, s.comment);
    }
    for (const [k, m] of sorted(mb)) {
      const o = mappingAgain(m) ? undefined : ma[k];
      const secrets: string[] = [];
      if (!o) {
        for (const [n, v] of sorted(m.options ?? {})) if (v === null) secrets.push(n);
        const step = { sql: `CREATE USER MAPPING ${mappingName(m)}${createOptions(m.options ?? {})}`, destructive: false };
        ctx.emit('foreignServers', secrets.length ? { ...step, comment: secretNote(ctx, m, secrets) } : step);
      } else if (o.options !== null && m.options !== null && !deepEqual(o.options, m.options)) {
        const opts = alterOptions(o.options, m.options, secrets);
        const note = secrets.length ? { comment: secretNote(ctx, m, secrets) } : {};
        if (opts) ctx.emit('foreignServers', { sql: `ALTER USER MAPPING ${mappingName(m)} ${opts}`, destructive: false, ...note });
        else if (secrets.length) secretNote(ctx, m, secrets);
      }
    }
    otherSecrets(ctx, again);
  },
};

/**
 * Secret options of wrappers, servers and foreign tables (a wrapper may take a password there): never
 * read, so never written; a hint says to set each one by hand where the plan creates the object or the
 * option is new.
 */
function otherSecrets(ctx: PlanContext, serversAgain: Set<string>): void {
  const { a, b } = ctx;
  const check = (what: string, alter: string, from: FdwOptions | undefined, to: FdwOptions) => {
    const names = sorted(to)
      .filter(([n, v]) => v === null && !(from && n in from))
      .map(([n]) => n);
    if (!names.length) return;
    const how = `${alter} OPTIONS (${names.map((n) => `ADD ${quoteIdent(n)} '...'`).join(', ')})`;
    ctx.hints.push({
      kind: 'unsupported',
      message:
        `${what}: ${names.join(', ')} ${names.length > 1 ? 'are secrets' : 'is a secret'} Strata never ` +
        `reads: set ${names.length > 1 ? 'them' : 'it'} by hand (${how})`,
    });
  };
  for (const [k, w] of sorted(b.foreignDataWrappers ?? {}))
    check(
      `foreign-data wrapper ${w.name}`,
      `ALTER FOREIGN DATA WRAPPER ${quoteIdent(w.name)}`,
      a.foreignDataWrappers?.[k]?.options,
      w.options,
    );
  for (const [k, s] of sorted(b.foreignServers ?? {}))
    check(
      `server ${s.name}`,
      `ALTER SERVER ${quoteIdent(s.name)}`,
      serversAgain.has(k) ? undefined : a.foreignServers?.[k]?.options,
      s.options,
    );
  for (const [k, t] of sorted(b.tables)) {
    if (!t.foreign) continue;
    const name = qn(t.schema, t.name);
    const old = ctx.facts.createdTables.has(k) ? undefined : a.tables[k];
    check(`foreign table ${name}`, `ALTER FOREIGN TABLE ${name}`, old?.foreign?.options, t.foreign.options);
  }
}

/** `COMMENT ON` an object of these kinds where it changes (a new object starts with none). */
export function put(ctx: PlanContext, target: string, from: string | null, to: string | null): void {
  if (from === to) return;
  ctx.emit('comments', { sql: `COMMENT ON ${target} IS ${to === null ? 'NULL' : quoteLiteral(to)}`, destructive: false });
}
