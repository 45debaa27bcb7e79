// Generates Baton's placeholder icons with no dependencies (PNG via zlib; ICO and ICNS wrap PNGs).
// Run: node resources/icons/generate.mjs — replace the output with designed artwork when it exists.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = dirname(fileURLToPath(import.meta.url));
const resources = dirname(out);

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
const crc32 = (buf) => {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

/** A rounded square in Baton blue with a white baton (a diagonal bar) across it. */
function png(size, { tray = false } = {}) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const r = size * 0.22;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const i = y * (size * 4 + 1) + 1 + x * 4;
      const cx = Math.max(r - x, 0, x - (size - 1 - r));
      const cy = Math.max(r - y, 0, y - (size - 1 - r));
      const inside = cx * cx + cy * cy <= r * r;
      const onBar = Math.abs(x - (size - 1 - y)) < size * 0.09 && x > size * 0.2 && x < size * 0.8;
      let rgba = [0, 0, 0, 0];
      if (tray)
        rgba =
          onBar || (inside && !onBar && (x < size * 0.12 || y < size * 0.12 || x > size * 0.88 || y > size * 0.88))
            ? [0, 0, 0, 255]
            : [0, 0, 0, 0];
      else if (inside) rgba = onBar ? [255, 255, 255, 255] : [30, 90 + Math.round((60 * y) / size), 200, 255];
      raw.set(rgba, i);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** ICO with PNG-compressed entries (valid since Windows Vista). */
function ico(sizes) {
  const images = sizes.map((s) => png(s));
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((s, n) => {
    const e = 6 + 16 * n;
    header[e] = s >= 256 ? 0 : s;
    header[e + 1] = s >= 256 ? 0 : s;
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(images[n].length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += images[n].length;
  });
  return Buffer.concat([header, ...images]);
}

/** ICNS with PNG entries: ic07 128, ic08 256, ic09 512, ic10 1024. */
function icns() {
  const entries = [
    ['ic07', 128],
    ['ic08', 256],
    ['ic09', 512],
    ['ic10', 1024],
  ].map(([type, s]) => {
    const data = png(s);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(entries);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

writeFileSync(join(resources, 'icon.png'), png(1024));
writeFileSync(join(out, '512x512.png'), png(512));
writeFileSync(join(out, '256x256.png'), png(256));
writeFileSync(join(resources, 'icon.ico'), ico([16, 32, 48, 256]));
writeFileSync(join(resources, 'icon.icns'), icns());
writeFileSync(join(out, 'tray.png'), png(32, { tray: true }));
writeFileSync(join(out, 'tray@2x.png'), png(64, { tray: true }));
console.log('icons written');
