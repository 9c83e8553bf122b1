import { describe, expect, it } from 'vitest';
import { readTar } from './tar-reader.js';

/** One ustar member: a 512-byte header (with its checksum) and padded data. */
function member(name: string, typeflag: string, data: Buffer | string = '', mode = 0o644): Buffer {
  const body = Buffer.from(data);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write(`${mode.toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write(typeflag, 156, 'latin1');
  header.write('ustar\u000000', 257, 'latin1');
  header.fill(0x20, 148, 156); // the checksum is summed with its own field as spaces
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return Buffer.concat([header, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

function pax(records: Record<string, string>): Buffer {
  let text = '';
  for (const [k, v] of Object.entries(records)) {
    const line = ` ${k}=${v}\n`;
    let len = line.length + 1;
    while (`${len}${line}`.length !== len) len++;
    text += `${len}${line}`;
  }
  return member('PaxHeader', 'x', text);
}

const end = Buffer.alloc(1024);

async function all(archive: Buffer) {
  const out = [];
  for await (const e of readTar(archive)) out.push(e);
  return out;
}

describe('readTar', () => {
  it('reads files, directories, modes, pax and GNU long names', async () => {
    const long = `package/${'d/'.repeat(60)}file.txt`;
    const archive = Buffer.concat([
      member('package/', '5', '', 0o755),
      member('package/native/bin/postgres', '0', '#!/bin/sh\n', 0o755),
      pax({ path: long, mtime: '1' }),
      member('ignored-short-name', '0', 'pax'),
      member('././@LongLink', 'L', `${long}.gnu\0`),
      member('ignored', '0', 'gnu'),
      end,
    ]);
    const entries = (await all(archive)).map((e) => ({ path: e.path, type: e.type, mode: e.mode, data: e.data.toString() }));
    expect(entries).toEqual([
      { path: 'package', type: 'directory', mode: 0o755, data: '' },
      { path: 'package/native/bin/postgres', type: 'file', mode: 0o755, data: '#!/bin/sh\n' },
      { path: long, type: 'file', mode: 0o644, data: 'pax' },
      { path: `${long}.gnu`, type: 'file', mode: 0o644, data: 'gnu' },
    ]);
  });

  it('refuses a member that would land outside the extraction directory', async () => {
    await expect(all(Buffer.concat([member('package/../../etc/passwd', '0', 'x'), end]))).rejects.toThrow(
      "tar member 'package/../../etc/passwd' would be written outside the extraction directory",
    );
    await expect(all(Buffer.concat([member('/etc/passwd', '0', 'x'), end]))).rejects.toThrow(
      "tar member '/etc/passwd' would be written outside the extraction directory",
    );
  });

  it('refuses a truncated archive', async () => {
    const whole = member('package/a', '0', 'x'.repeat(600));
    await expect(all(whole.subarray(0, 700))).rejects.toThrow('truncated tar archive: it ends inside a member');
  });

  it('refuses a header whose checksum is wrong', async () => {
    const bad = member('package/a', '0', 'x');
    bad[0] = 'q'.charCodeAt(0);
    await expect(all(Buffer.concat([bad, end]))).rejects.toThrow(/Invalid tar header/);
  });
});
