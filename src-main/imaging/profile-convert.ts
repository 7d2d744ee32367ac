/**
 * Colour conversions sharp cannot be asked for directly, because it has no "this raw image is in colour space X"
 * option: pixels are wrapped in an uncompressed PNG that carries the profile as its iCCP chunk, and decoded again,
 * where libvips applies an embedded input profile.
 *
 * 16 bits: sharp 0.35 converts 16-bit RGB with an embedded profile into **Display P3**, not sRGB (its pipeline picks
 * "p3" as the processing profile for RGB16), and takes raw 16-bit RGB to be P3 when converting into an output profile
 * (measured: an Adobe RGB (90, 140, 180) decodes as P3 (77.9, 139.4, 179.1) instead of sRGB (52.5, 141.3, 183.0)).
 * The models work in sRGB, so 16-bit pixels are moved between the two here: {@link p3ToSrgb16} after a decode that
 * applied a profile, {@link srgbToP3_16} before an encode that converts into one.
 */
import { deflateSync } from 'node:zlib';
import { sharp } from './sharp-instance';

type Samples = Uint8Array | Uint16Array;

/** A Uint16Array over a buffer sharp returned (copied when its offset is odd, which a typed view cannot take). */
function asUint16(data: Buffer): Uint16Array {
  const bytes = data.byteOffset % 2 === 0 ? data : new Uint8Array(data);
  return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
}

/** 16-bit RGB from Display P3 (where sharp left it) to sRGB, through libvips' built-in profiles. */
export async function p3ToSrgb16(rgb: Uint16Array, width: number, height: number): Promise<Uint16Array> {
  // Raw 16-bit input counts as P3 for sharp's output-profile transform: exactly the conversion wanted.
  const out = await sharp(rgb, { raw: { width, height, channels: 3 }, limitInputPixels: false })
    .withIccProfile('srgb')
    .toColourspace('rgb16')
    .raw({ depth: 'ushort' })
    .toBuffer();
  return asUint16(out);
}

let srgbProfile: Promise<Buffer> | undefined;

/** libvips' built-in sRGB profile (sharp's 'srgb'), read back from a 1×1 image that carries it. */
export function srgbProfileBytes(): Promise<Buffer> {
  srgbProfile ??= builtInProfile('srgb');
  return srgbProfile;
}

/** A built-in profile of sharp ('srgb', 'p3'), read back from a 1×1 image that carries it. */
export async function builtInProfile(name: 'srgb' | 'p3'): Promise<Buffer> {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).withIccProfile(name).png().toBuffer();
  const meta = await sharp(png).metadata();
  if (!meta.icc) throw new Error(`sharp's built-in '${name}' profile is missing from this libvips build`);
  return meta.icc;
}

/** 16-bit RGB from sRGB to Display P3, what sharp takes raw 16-bit pixels to be when it converts them into a profile. */
export async function srgbToP3_16(rgb: Uint16Array, width: number, height: number): Promise<Uint16Array> {
  const converted = await convertFromProfile(rgb, width, height, await srgbProfileBytes(), false, { keepP3: true });
  if (!converted) throw new Error("libvips' built-in sRGB profile was refused by libpng");
  return converted;
}

/**
 * Converts interleaved RGB (or its grey channel, `grey`; 8-bit only) from the colour space of `icc`. sharp can attach
 * a profile to raw pixels only by converting them into it, so the pixels are wrapped in an uncompressed PNG (16-bit
 * for 16-bit pixels: sharp takes and gives 16-bit raw samples in the host's byte order and writes the PNG's
 * big-endian ones itself) that carries `icc` as its iCCP chunk, and decoded again as read.ts decodes a PNG, where
 * libvips applies an embedded input profile. 16-bit results are sRGB too (moved from the P3 sharp leaves them in;
 * `keepP3` leaves them there). Returns undefined when libpng drops the profile as invalid or not matching the
 * pixels' colour type.
 */
export async function convertFromProfile<T extends Samples>(
  rgb: T,
  width: number,
  height: number,
  icc: Buffer,
  grey: boolean,
  options: { keepP3?: boolean } = {},
): Promise<T | undefined> {
  const sixteen = rgb instanceof Uint16Array;
  let samples: Samples = rgb;
  if (grey) {
    const g = new Uint8Array(width * height);
    for (let i = 0; i < g.length; i++) g[i] = rgb[i * 3]!;
    samples = g;
  }
  const png = await sharp(samples, { raw: { width, height, channels: grey ? 1 : 3 }, limitInputPixels: false })
    .toColourspace(grey ? 'b-w' : sixteen ? 'rgb16' : 'srgb')
    .png({ compressionLevel: 0, adaptiveFiltering: false })
    .toBuffer();
  const tagged = withIccChunk(png, icc);
  if (!(await sharp(tagged, { limitInputPixels: false }).metadata()).icc) return undefined;
  const { data, info } = await sharp(tagged, { limitInputPixels: false })
    .toColourspace(sixteen ? 'rgb16' : 'srgb')
    .raw({ depth: sixteen ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new Error(`colour conversion returned ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`);
  }
  if (!sixteen) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength) as T;
  const p3 = asUint16(data);
  return (options.keepP3 ? p3 : await p3ToSrgb16(p3, width, height)) as T;
}

/** Inserts an iCCP chunk (profile name, compression method 0, zlib data) right after a PNG's IHDR chunk. */
export function withIccChunk(png: Buffer, icc: Buffer): Buffer {
  const ihdrEnd = 8 + 8 + 13 + 4; // signature, IHDR length + type, 13 data bytes, CRC
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('sharp produced a PNG without IHDR first');
  for (let at = ihdrEnd; at + 8 <= png.length; at += 12 + png.readUInt32BE(at)) {
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') break;
    if (type === 'iCCP' || type === 'sRGB') throw new Error(`sharp's PNG already has a ${type} chunk`);
  }
  const data = Buffer.concat([Buffer.from('ICC\0\0', 'latin1'), deflateSync(icc)]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('iCCP', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected), as PNG chunks carry; zlib.crc32 needs Node 20.15+. */
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
