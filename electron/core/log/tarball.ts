/**
 * A .tar.gz written entry by entry (POSIX ustar, gzip from node:zlib): the diagnostics bundle is
 * one file IT can open anywhere (tar, 7-Zip, Windows' own `tar`), with no archive library.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type TarEntry =
  | { readonly name: string; readonly text: string }
  | { readonly name: string; readonly file: string }
  /** The first `size` bytes of an open file (a snapshot the caller took; the caller closes it). */
  | { readonly name: string; readonly fd: number; readonly size: number };

const BLOCK = 512;

export async function writeTarGz(path: string, entries: readonly TarEntry[], now: Date = new Date()): Promise<void> {
  const tar = new PassThrough();
  const done = pipeline(tar, createGzip(), createWriteStream(path, { mode: 0o600 }));
  try {
    for (const entry of entries) {
      if ('text' in entry) {
        const data = Buffer.from(entry.text, 'utf8');
        await write(tar, header(entry.name, data.length, now));
        await write(tar, data);
        await write(tar, padding(data.length));
      } else if ('fd' in entry) {
        await write(tar, header(entry.name, entry.size, now));
        if (entry.size > 0) {
          for await (const chunk of createReadStream('', { fd: entry.fd, start: 0, end: entry.size - 1, autoClose: false }))
            await write(tar, chunk as Buffer);
        }
        await write(tar, padding(entry.size));
      } else {
        // The size is taken once: a log still growing is cut at what it was, so the header stays true.
        const size = statSync(entry.file).size;
        await write(tar, header(entry.name, size, now));
        if (size > 0) {
          for await (const chunk of createReadStream(entry.file, { start: 0, end: size - 1 })) await write(tar, chunk as Buffer);
        }
        await write(tar, padding(size));
      }
    }
    await write(tar, Buffer.alloc(2 * BLOCK));
  } finally {
    tar.end();
  }
  await done;
}

function write(stream: PassThrough, data: Buffer): Promise<void> {
  if (data.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    if (stream.write(data)) resolve();
    else stream.once('drain', () => resolve());
  });
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function header(name: string, size: number, now: Date): Buffer {
  const safe = name.replace(/\\/g, '/').replace(/^\/+/, '');
  if (Buffer.byteLength(safe) > 100) throw new RangeError(`archive entry name too long: ${safe}`);
  const block = Buffer.alloc(BLOCK);
  block.write(safe, 0, 100, 'utf8');
  block.write('0000600\0', 100, 8, 'ascii');
  block.write('0000000\0', 108, 8, 'ascii');
  block.write('0000000\0', 116, 8, 'ascii');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  block.write(
    `${Math.floor(now.getTime() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
    12,
    'ascii',
  );
  block.write('        ', 148, 8, 'ascii');
  block.write('0', 156, 1, 'ascii');
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}
