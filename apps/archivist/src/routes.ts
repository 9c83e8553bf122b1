import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { EnsureResult } from '@pg-strata/fallback';
import type { Database } from './database.js';
import { HttpError, int, optInt, optStr, readJson, sendJson, str } from './http-util.js';

/** What a handler receives. */
export interface RouteContext {
  db: Kysely<Database>;
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  /** What the start-up shim did, shown by /health. */
  schema: EnsureResult;
}

type Handler = (ctx: RouteContext) => Promise<void>;

const MESSAGE_ROLES = ['user', 'assistant', 'system'];
const PLANS = ['free', 'team', 'enterprise'];

/** The client address as PostgreSQL's inet reads it (IPv4-mapped IPv6 included), or null. */
function clientIp(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}

/** Record a write in audit_logs, in the same transaction as the write. */
async function audit(
  trx: Transaction<Database>,
  req: IncomingMessage,
  entry: { action: string; entityType: string; entityId: number; userId?: number | null; details?: unknown },
): Promise<void> {
  await trx
    .insertInto('audit_logs')
    .values({
      user_id: entry.userId ?? null,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
      ip_address: clientIp(req),
    })
    .execute();
}

const health: Handler = async ({ db, res, schema }) => {
  await sql`SELECT 1`.execute(db);
  sendJson(res, 200, { status: 'ok', schema: { mode: schema.mode, action: schema.action, heads: schema.heads } });
};

const listOrganisations: Handler = async ({ db, res }) => {
  const rows = await db.selectFrom('organisations').selectAll().orderBy('id').execute();
  sendJson(res, 200, rows);
};

const createOrganisation: Handler = async ({ db, req, res }) => {
  const body = await readJson(req);
  const name = str(body, 'name', 200);
  const slug = optStr(body, 'slug', 100);
  const plan = optStr(body, 'plan', 20) ?? 'free';
  if (!PLANS.includes(plan)) throw new HttpError(400, `'plan' must be one of ${PLANS.join(', ')}`);
  const row = await db.transaction().execute(async (trx) => {
    const org = await trx.insertInto('organisations').values({ name, slug, plan }).returningAll().executeTakeFirstOrThrow();
    await audit(trx, req, { action: 'organisation.created', entityType: 'organisation', entityId: org.id, details: { name, slug, plan } });
    return org;
  });
  sendJson(res, 201, row);
};

const createUser: Handler = async ({ db, req, res }) => {
  const body = await readJson(req);
  const email = str(body, 'email', 255);
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new HttpError(400, `'email' is not an e-mail address`);
  const values = {
    email: email.toLowerCase(),
    full_name: optStr(body, 'full_name', 200),
    organisation_id: optInt(body, 'organisation_id'),
    role: optStr(body, 'role', 20) ?? 'member',
  };
  const row = await db.transaction().execute(async (trx) => {
    const user = await trx.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
    await audit(trx, req, {
      action: 'user.created',
      entityType: 'user',
      entityId: user.id,
      userId: user.id,
      details: { email: user.email },
    });
    return user;
  });
  sendJson(res, 201, row);
};

const listDocuments: Handler = async ({ db, res, query }) => {
  const org = query.get('organisation_id');
  let q = db
    .selectFrom('documents as d')
    .select(['d.id', 'd.organisation_id', 'd.owner_id', 'd.title', 'd.status', 'd.processing_status', 'd.created_at'])
    .select((eb) =>
      eb.fn
        .coalesce(
          sql<string[]>`(SELECT array_agg(t.tag ORDER BY t.tag) FROM document_tags t WHERE t.document_id = d.id)`,
          sql<string[]>`'{}'::text[]`,
        )
        .as('tags'),
    )
    .where('d.deleted_at', 'is', null)
    .orderBy('d.id');
  if (org !== null) {
    const id = Number(org);
    if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(400, `'organisation_id' must be a positive integer`);
    q = q.where('d.organisation_id', '=', id);
  }
  sendJson(res, 200, await q.execute());
};

const createDocument: Handler = async ({ db, req, res }) => {
  const body = await readJson(req);
  const organisationId = int(body, 'organisation_id');
  const ownerId = optInt(body, 'owner_id');
  const title = str(body, 'title', 500);
  const text = optStr(body, 'body', 10_000_000);
  const tags = body.tags === undefined ? [] : body.tags;
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.trim() === '' || t.length > 100))
    throw new HttpError(400, `'tags' must be a list of non-empty strings of at most 100 characters`);
  // Tags are stored lower-case (what the legacy fix_tags_lowercase.py script enforced after the fact).
  const unique = [...new Set((tags as string[]).map((t) => t.trim().toLowerCase()))].sort();
  const row = await db.transaction().execute(async (trx) => {
    const doc = await trx
      .insertInto('documents')
      .values({
        organisation_id: organisationId,
        owner_id: ownerId,
        title,
        body: text,
        file_size: text === null ? null : Buffer.byteLength(text),
        mime_type: text === null ? null : 'text/plain',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (unique.length > 0)
      await trx
        .insertInto('document_tags')
        .values(unique.map((tag) => ({ document_id: doc.id, tag })))
        .execute();
    await audit(trx, req, {
      action: 'document.created',
      entityType: 'document',
      entityId: doc.id,
      userId: ownerId,
      details: { title, tags: unique },
    });
    return { ...doc, tags: unique };
  });
  sendJson(res, 201, row);
};

const createConversation: Handler = async ({ db, req, res }) => {
  const body = await readJson(req);
  const userId = int(body, 'user_id');
  const title = optStr(body, 'title', 200);
  const row = await db.transaction().execute(async (trx) => {
    const conv = await trx.insertInto('conversations').values({ user_id: userId, title }).returningAll().executeTakeFirstOrThrow();
    await audit(trx, req, { action: 'conversation.created', entityType: 'conversation', entityId: conv.id, userId });
    return conv;
  });
  sendJson(res, 201, row);
};

function idParam(params: string[]): number {
  const id = Number(params[0]);
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(404, 'not found');
  return id;
}

const listMessages: Handler = async ({ db, res, params }) => {
  const id = idParam(params);
  const conv = await db.selectFrom('conversations').select('id').where('id', '=', id).executeTakeFirst();
  if (!conv) throw new HttpError(404, `conversation ${id} not found`);
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'role', 'content', 'token_count', 'created_at'])
    .where('conversation_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  sendJson(res, 200, rows);
};

const createMessage: Handler = async ({ db, req, res, params }) => {
  const id = idParam(params);
  const body = await readJson(req);
  const role = str(body, 'role', 20);
  if (!MESSAGE_ROLES.includes(role)) throw new HttpError(400, `'role' must be one of ${MESSAGE_ROLES.join(', ')}`);
  const content = str(body, 'content', 1_000_000);
  const tokenCount = optInt(body, 'token_count');
  const row = await db.transaction().execute(async (trx) => {
    const conv = await trx
      .updateTable('conversations')
      .set({ updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returning(['id', 'user_id'])
      .executeTakeFirst();
    if (!conv) throw new HttpError(404, `conversation ${id} not found`);
    const msg = await trx
      .insertInto('messages')
      .values({ conversation_id: id, role, content, token_count: tokenCount })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, req, {
      action: 'message.created',
      entityType: 'message',
      entityId: msg.id,
      userId: conv.user_id,
      details: { conversation_id: id, role },
    });
    return msg;
  });
  sendJson(res, 201, row);
};

const listAuditLogs: Handler = async ({ db, res, query }) => {
  const limit = Math.min(Math.max(Number(query.get('limit') ?? 50) || 50, 1), 500);
  const rows = await db
    .selectFrom('audit_logs')
    .select([
      'id',
      'user_id',
      'action',
      'entity_type',
      'entity_id',
      'details',
      sql<string | null>`host(ip_address)`.as('ip_address'),
      'created_at',
    ])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  sendJson(res, 200, rows);
};

/** The routes: method, path pattern (captures are `params`), handler. */
export const routes: readonly { method: string; path: RegExp; handler: Handler }[] = [
  { method: 'GET', path: /^\/health$/, handler: health },
  { method: 'GET', path: /^\/organisations$/, handler: listOrganisations },
  { method: 'POST', path: /^\/organisations$/, handler: createOrganisation },
  { method: 'POST', path: /^\/users$/, handler: createUser },
  { method: 'GET', path: /^\/documents$/, handler: listDocuments },
  { method: 'POST', path: /^\/documents$/, handler: createDocument },
  { method: 'POST', path: /^\/conversations$/, handler: createConversation },
  { method: 'GET', path: /^\/conversations\/([^/]+)\/messages$/, handler: listMessages },
  { method: 'POST', path: /^\/conversations\/([^/]+)\/messages$/, handler: createMessage },
  { method: 'GET', path: /^\/audit-logs$/, handler: listAuditLogs },
];
