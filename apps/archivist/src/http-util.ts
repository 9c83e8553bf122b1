import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error with the HTTP status it maps to. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

/** Largest request body accepted, in bytes. */
const MAX_BODY = 1 << 20;

/** Read and parse a JSON request body (an object), or throw a 400/413. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Send a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A required non-empty string field. */
export function str(body: Record<string, unknown>, key: string, max: number): string {
  const v = body[key];
  if (typeof v !== 'string' || v.trim() === '') throw new HttpError(400, `'${key}' is required (a non-empty string)`);
  if (v.length > max) throw new HttpError(400, `'${key}' is longer than ${max} characters`);
  return v;
}

/** An optional string field (`null` when absent). */
export function optStr(body: Record<string, unknown>, key: string, max: number): string | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new HttpError(400, `'${key}' must be a string`);
  if (v.length > max) throw new HttpError(400, `'${key}' is longer than ${max} characters`);
  return v;
}

/** A required positive integer field. */
export function int(body: Record<string, unknown>, key: string): number {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new HttpError(400, `'${key}' is required (a positive integer)`);
  return v;
}

/** An optional positive integer field (`null` when absent). */
export function optInt(body: Record<string, unknown>, key: string): number | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  return int(body, key);
}
