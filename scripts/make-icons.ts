/**
 * Renders resources/icons/icon.svg into the icon files electron-builder packs (committed; rerun after editing the
 * SVG): `icon.png` (512), `png/<n>x<n>.png` (the Linux icon set), `icon.ico` (Windows) and `icon.icns` (macOS).
 *
 * sharp (already a dependency) renders the SVG through librsvg; the ICO and ICNS containers are written here —
 * both are a short header plus PNG images (ICO with PNG entries is read since Windows Vista, ICNS PNG entries since
 * OS X 10.7) — so no platform tool (iconutil, png2icns) is needed on a Linux machine.
 *
 * Usage: npx tsx scripts/make-icons.ts
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

const dir = path.resolve(import.meta.dirname, '..', 'resources', 'icons');

/** Linux icon-theme sizes. */
const PNG_SIZES = [16, 32, 48, 64, 128, 256, 512];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS element types holding PNG data, with their pixel size (the @2x types hold double). */
const ICNS_TYPES: [string, number][] = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['icp6', 64],
  ['ic12', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic13', 256],
  ['ic09', 512],
  ['ic14', 512],
  ['ic10', 1024],
];

async function render(svg: Buffer, size: number): Promise<Buffer> {
  // Render at the target size (density scales the 1024-unit SVG), so small sizes are drawn, not shrunk.
  return sharp(svg, { density: (72 * size) / 1024 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** ICONDIR + ICONDIRENTRY[] + PNG payloads. */
function encodeIco(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt8(0, e + 2); // palette colours
    header.writeUInt8(0, e + 3);
    header.writeUInt16LE(1, e + 4); // planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

/** 'icns' + total length, then (type, length incl. 8-byte header, PNG) elements; all big-endian. */
function encodeIcns(elements: { type: string; png: Buffer }[]): Buffer {
  const parts = elements.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const total = 8 + parts.reduce((n, p) => n + p.length, 0);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(total, 4);
  return Buffer.concat([head, ...parts]);
}

async function main(): Promise<void> {
  const svg = await readFile(path.join(dir, 'icon.svg'));
  const sizes = [...new Set([...PNG_SIZES, ...ICO_SIZES, ...ICNS_TYPES.map(([, s]) => s)])];
  const png = new Map<number, Buffer>();
  for (const s of sizes) png.set(s, await render(svg, s));
  const get = (s: number): Buffer => png.get(s) ?? (() => { throw new Error(`size ${s} was not rendered`); })();

  await mkdir(path.join(dir, 'png'), { recursive: true });
  for (const s of PNG_SIZES) await writeFile(path.join(dir, 'png', `${s}x${s}.png`), get(s));
  await writeFile(path.join(dir, 'icon.png'), get(512));
  await writeFile(path.join(dir, 'icon.ico'), encodeIco(ICO_SIZES.map((size) => ({ size, png: get(size) }))));
  await writeFile(path.join(dir, 'icon.icns'), encodeIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: get(size) }))));
  process.stdout.write(`icons written to ${dir}\n`);
}

await main();
