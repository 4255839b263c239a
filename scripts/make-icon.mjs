// Writes media/icon.png (128x128): a stylised memory map with the VLPT window highlighted.
// Run once: node scripts/make-icon.mjs (no image libraries: raw RGBA + zlib + CRC).
import fs from 'node:fs';
import zlib from 'node:zlib';

const N = 128;
const px = Buffer.alloc(N * N * 4);
const set = (x, y, [r, g, b, a = 255]) => {
  const i = (y * N + x) * 4;
  px[i] = r;
  px[i + 1] = g;
  px[i + 2] = b;
  px[i + 3] = a;
};
const rect = (x0, y0, x1, y1, c) => {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) set(x, y, c);
};
// rounded dark tile
for (let y = 0; y < N; y++)
  for (let x = 0; x < N; x++) {
    const dx = Math.max(0, Math.abs(x - 63.5) - 47.5),
      dy = Math.max(0, Math.abs(y - 63.5) - 47.5);
    if (dx * dx + dy * dy <= 16 * 16) set(x, y, [30, 37, 52]);
  }
const bands = [
  [16, 24, [92, 107, 135]],
  [26, 34, [92, 107, 135]],
  [36, 50, [120, 134, 160]],
  [52, 70, [64, 196, 255]],
  [72, 92, [120, 134, 160]],
  [94, 112, [92, 107, 135]],
];
for (const [y0, y1, c] of bands) rect(36, y0, 100, y1, c);
// used VLPT slots
for (let k = 0; k < 8; k++) rect(40 + k * 7, 62, 45 + k * 7, 67, k === 2 || k === 3 ? [255, 214, 90] : [22, 120, 170]);
// address ticks
for (const y of [16, 36, 52, 72, 94, 112]) rect(20, y - 1, 32, y + 1, [200, 210, 225]);
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8;
ihdr[9] = 6;
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4);
fs.writeFileSync(
  'media/icon.png',
  Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]),
);
console.log('wrote media/icon.png');
