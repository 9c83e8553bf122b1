import { posix } from 'node:path';
import { extract } from 'tar-stream';

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

/**
 * The members of an (already gunzipped) tar archive, read by `tar-stream`
 * (ustar, pax and GNU long names, checksums checked). npm tarballs hold only
 * files and directories; anything else is reported as `other` so the caller
 * can refuse or skip it. A path that would escape the extraction directory
 * throws, and so does an archive that ends inside a member.
 */
export async function* readTar(archive: Buffer): AsyncGenerator<TarEntry> {
  const reader = extract();
  reader.end(archive);
  try {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { header } = entry;
      const path = safePath(header.name);
      const type =
        header.type === 'file' || header.type === 'contiguous-file' ? 'file' : header.type === 'directory' ? 'directory' : 'other';
      yield { path, type, mode: header.mode ?? 0, data: type === 'file' ? Buffer.concat(chunks) : Buffer.alloc(0) };
    }
  } catch (err) {
    if ((err as Error).message === 'Unexpected end of data') throw new Error('truncated tar archive: it ends inside a member');
    throw err;
  }
}

function safePath(raw: string): string {
  const normal = posix.normalize(raw.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (normal.startsWith('/') || normal === '..' || normal.startsWith('../') || /^[A-Za-z]:/.test(normal)) {
    throw new Error(`tar member '${raw}' would be written outside the extraction directory`);
  }
  return normal;
}
