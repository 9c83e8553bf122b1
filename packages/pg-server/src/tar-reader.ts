import { posix } from 'node:path';

/** One member of a tar archive. */
export interface TarEntry {
  /** Normalised relative path, `/`-separated, never absolute, never with `..`. */
  readonly path: string;
  readonly type: 'file' | 'directory' | 'other';
  /** Permission bits as stored in the archive. */
  readonly mode: number;
  /** Contents of a file; empty for other types. */
  readonly data: Buffer;
}

const BLOCK = 512;

/**
 * The members of an (already gunzipped) tar archive, enough of ustar, pax
 * (`path` records) and GNU long names to read npm package tarballs. npm
 * tarballs hold only files and directories; anything else is reported as
 * `other` so the caller can refuse or skip it. A path that would escape the
 * extraction directory throws.
 */
export function* readTar(archive: Buffer): Generator<TarEntry> {
  let offset = 0;
  let longPath: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return; // end-of-archive marker
    const size = readNumber(header.subarray(124, 136));
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const dataStart = offset + BLOCK;
    const data = archive.subarray(dataStart, dataStart + size);
    if (data.length < size) throw new Error(`truncated tar archive: a member needs ${size} bytes at offset ${dataStart}`);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === 'x') {
      longPath = paxPath(data) ?? longPath;
      continue;
    }
    if (typeflag === 'L') {
      longPath = cString(data);
      continue;
    }
    if (typeflag === 'g') continue; // global pax header: nothing we use

    let name = cString(header.subarray(0, 100));
    if (header.subarray(257, 262).toString('latin1') === 'ustar') {
      const prefix = cString(header.subarray(345, 500));
      if (prefix) name = `${prefix}/${name}`;
    }
    const path = safePath(longPath ?? name);
    longPath = undefined;
    const mode = readNumber(header.subarray(100, 108));
    const type = typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'directory' : 'other';
    yield { path, type, mode, data: type === 'file' ? data : Buffer.alloc(0) };
  }
}

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.subarray(0, end === -1 ? buf.length : end).toString('utf8');
}

/** Octal ASCII, or GNU base-256 when the high bit of the first byte is set (sizes of 8 GiB and more). */
function readNumber(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let n = (field[0] ?? 0) & 0x7f;
    for (const b of field.subarray(1)) n = n * 256 + b;
    return n;
  }
  const text = cString(field).trim();
  return text ? Number.parseInt(text, 8) : 0;
}

/** The `path` record of a pax extended header (`<length> path=<value>\n` records). */
function paxPath(data: Buffer): string | undefined {
  let found: string | undefined;
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8'); // drop the trailing newline
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') found = record.slice(eq + 1);
    at += length;
  }
  return found;
}

function safePath(raw: string): string {
  const normal = posix.normalize(raw.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (normal.startsWith('/') || normal === '..' || normal.startsWith('../') || /^[A-Za-z]:/.test(normal)) {
    throw new Error(`tar member '${raw}' would be written outside the extraction directory`);
  }
  return normal;
}
