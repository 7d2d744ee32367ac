/**
 * HEIC colour: finding how a HEIC's RGB is encoded (the primary item's `nclx` colour box, read from the HEIF boxes;
 * the ICC profile comes from sharp's header reader) and converting it to sRGB for the models ({@link heicColourToSrgb}).
 *
 * libheif turns the coded YCbCr into RGB with the matrix and range of the file's `nclx` box (or its defaults) but does
 * no colour management: the RGB it returns is in the file's colour space, described either by an ICC profile (`colr`
 * of type `prof`, as iPhones write: Display P3) or by `nclx` code points (primaries and transfer curve, H.273).
 */
import { builtInProfile, convertFromProfile } from './profile-convert';
import { profileSpace } from './samples';

/** H.273 colour description from an `nclx` colour box (ISO/IEC 23008-12 `colr`). */
export interface NclxColour {
  /** colour_primaries: 1 = BT.709 (sRGB's), 2 = unspecified, 9 = BT.2020, 12 = Display P3 (SMPTE EG 432-1, D65). */
  primaries: number;
  /** transfer_characteristics: 1/6/14/15 = BT.709 family, 2 = unspecified, 13 = sRGB, 16 = PQ, 18 = HLG. */
  transfer: number;
  /** matrix_coefficients: libheif already used them to turn YCbCr into RGB. */
  matrix: number;
  fullRange: boolean;
}

interface BoxSpan {
  type: string;
  /** Offset of the payload (after the size and type, and the 64-bit size when there is one). */
  body: number;
  end: number;
}

/**
 * The ISOBMFF boxes laid end to end in `bytes[from, to)` (ISO/IEC 14496-12: 32-bit size including the header, type;
 * size 1 = a 64-bit size follows, 0 = to the end), or undefined when a size does not fit.
 */
function childBoxes(bytes: Uint8Array, view: DataView, from: number, to: number): BoxSpan[] | undefined {
  const out: BoxSpan[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return undefined;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < header || at + size > to) return undefined;
    out.push({ type: String.fromCharCode(...bytes.subarray(at + 4, at + 8)), body: at + header, end: at + size });
    at += size;
  }
  return out;
}

/**
 * The `nclx` colour box associated with the primary item, from the HEIF structure: meta (a full box) → pitm (the
 * primary item's ID) and iprp → ipco (properties, numbered from 1) + ipma (each item's property indices).
 *
 * libheif parses the same boxes, but libheif-js exposes its colour-profile getters only as raw WebAssembly exports
 * that take pointers; reading the few bytes here is simpler and cannot corrupt the decoder's memory. libheif has
 * already accepted the file, so a layout this reader does not follow just means "no nclx" (undefined). Only the
 * primary item's own boxes are read: a grid whose `nclx` sits on its tiles alone, or colour signalled only in the
 * HEVC stream's VUI, is not seen (neither occurs in iPhone or libheif-written files, which tag the primary item).
 */
export function readPrimaryNclx(bytes: Uint8Array): NclxColour | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const meta = childBoxes(bytes, view, 0, bytes.length)?.find((b) => b.type === 'meta');
  if (!meta || meta.body + 4 > meta.end) return undefined;
  const inMeta = childBoxes(bytes, view, meta.body + 4, meta.end);
  const pitm = inMeta?.find((b) => b.type === 'pitm');
  const iprp = inMeta?.find((b) => b.type === 'iprp');
  if (!pitm || !iprp || pitm.body + 6 > pitm.end) return undefined;
  const wideId = bytes[pitm.body] !== 0; // pitm version 1: 32-bit item IDs
  if (wideId && pitm.body + 8 > pitm.end) return undefined;
  const primary = wideId ? view.getUint32(pitm.body + 4) : view.getUint16(pitm.body + 4);
  const inIprp = childBoxes(bytes, view, iprp.body, iprp.end) ?? [];
  const ipco = inIprp.find((b) => b.type === 'ipco');
  const properties = ipco ? childBoxes(bytes, view, ipco.body, ipco.end) : undefined;
  if (!properties) return undefined;

  for (const ipma of inIprp.filter((b) => b.type === 'ipma')) {
    if (ipma.body + 8 > ipma.end) return undefined;
    const version = bytes[ipma.body]!;
    const wide = (bytes[ipma.body + 3]! & 1) === 1; // flags bit 0: 15-bit property indices
    let at = ipma.body + 4;
    const entries = view.getUint32(at);
    at += 4;
    for (let e = 0; e < entries; e++) {
      const idSize = version < 1 ? 2 : 4;
      if (at + idSize + 1 > ipma.end) return undefined;
      const item = version < 1 ? view.getUint16(at) : view.getUint32(at);
      const count = bytes[at + idSize]!;
      at += idSize + 1;
      if (at + count * (wide ? 2 : 1) > ipma.end) return undefined;
      for (let k = 0; k < count; k++, at += wide ? 2 : 1) {
        if (item !== primary) continue;
        const index = wide ? view.getUint16(at) & 0x7fff : bytes[at]! & 0x7f;
        const colr = properties[index - 1];
        if (!colr || colr.type !== 'colr' || colr.body + 11 > colr.end) continue;
        if (String.fromCharCode(...bytes.subarray(colr.body, colr.body + 4)) !== 'nclx') continue;
        return {
          primaries: view.getUint16(colr.body + 4),
          transfer: view.getUint16(colr.body + 6),
          matrix: view.getUint16(colr.body + 8),
          fullRange: (bytes[colr.body + 10]! & 0x80) !== 0,
        };
      }
    }
  }
  return undefined;
}

/** Interleaved samples at 8 or 16 bits. */
type Samples = Uint8Array | Uint16Array;

/** What {@link heicColourToSrgb} made of the decoded RGB. */
export interface HeicColour<T extends Samples = Uint8Array> {
  /** The converted pixels, 3 samples each, at the input's depth (the input array itself when nothing was converted). */
  rgb: T;
  /**
   * The profile the pixels were converted from, for the writer to convert the result back into and embed: the
   * file's own ICC profile, or a Display P3 profile for an `nclx` P3 file. Undefined when the source was sRGB.
   */
  profile?: Buffer;
  /** 'b-w' for a grey profile, else 'srgb' (libvips' names, as SourceInfo.space). */
  space: 'srgb' | 'b-w';
  /** Set when the colours should have been converted and were not, saying why. */
  warning?: string;
}

/** nclx transfer curves taken as the sRGB curve: sRGB itself, unspecified, and the BT.709 family (1, 6, 14, 15). */
const SDR_TRANSFERS: ReadonlySet<number> = new Set([1, 2, 6, 13, 14, 15]);

/**
 * Whether {@link heicColourToSrgb} can take this colour description at 16 bits: everything but a grey ICC profile,
 * which sharp does not apply to 16-bit grey data (its pipeline skips embedded profiles on grey16 images), so a HEIC
 * with one is decoded at 8 bits.
 */
export function convertsAt16Bits(icc: Buffer | undefined): boolean {
  return !icc || profileSpace(icc) !== 'GRAY';
}

/**
 * Converts the RGB that libheif decoded from the file's colour space (LittleCMS through sharp), following the colour
 * rule of read.ts:
 * - an embedded RGB or grey ICC profile is applied and returned as `profile` (iPhones: Display P3);
 * - with no ICC profile, `nclx` primaries 1 (BT.709) or unspecified are sRGB already; primaries 12 (Display P3) are
 *   converted with libvips' built-in Display P3 profile, which is returned as `profile` so the result goes back to
 *   P3. The BT.709-family transfer curves are taken as the sRGB curve, as image viewers do;
 * - anything else (a CMYK or damaged profile, BT.2020 primaries, PQ or HLG HDR curves) is left as it is, with a
 *   warning saying what was not converted.
 *
 * 8-bit and 16-bit pixels (a 10- or 12-bit HEIC, scaled to 16 bits) come out in sRGB, converted exactly as read.ts
 * converts a PNG with the same profile (profile-convert.ts says how sharp's 16-bit P3 working space is undone).
 * sRGB data (untagged, nclx BT.709) is never passed through a transform.
 * A grey profile at 16 bits is refused (see {@link convertsAt16Bits}).
 * @throws RangeError for 16-bit pixels with a grey ICC profile.
 */
export async function heicColourToSrgb<T extends Samples>(
  rgb: T,
  width: number,
  height: number,
  colour: { icc?: Buffer | undefined; nclx?: NclxColour | undefined },
): Promise<HeicColour<T>> {
  const { icc, nclx } = colour;
  if (icc) {
    const space = profileSpace(icc);
    if (space !== 'RGB ' && space !== 'GRAY') {
      return { rgb, space: 'srgb', warning: `its ICC profile is for '${space.trim() || 'no'}' data, not RGB or grey, so it was not applied; the pixels were taken as sRGB` };
    }
    const grey = space === 'GRAY';
    if (grey && rgb instanceof Uint16Array) throw new RangeError('a grey ICC profile cannot be applied to 16-bit pixels here: decode the HEIC at 8 bits');
    const converted = await convertFromProfile(rgb, width, height, icc, grey);
    if (!converted) return { rgb, space: 'srgb', warning: 'its ICC profile is damaged (libpng refused it), so it was not applied; the pixels were taken as sRGB' };
    return { rgb: converted, profile: icc, space: grey ? 'b-w' : 'srgb' };
  }
  if (!nclx) return { rgb, space: 'srgb' };
  if (SDR_TRANSFERS.has(nclx.transfer)) {
    if (nclx.primaries === 1 || nclx.primaries === 2) return { rgb, space: 'srgb' };
    if (nclx.primaries === 12) {
      const p3 = await displayP3Profile();
      const converted = await convertFromProfile(rgb, width, height, p3, false);
      if (!converted) throw new Error("libvips' built-in Display P3 profile was refused by libpng");
      return { rgb: converted, profile: p3, space: 'srgb' };
    }
  }
  return {
    rgb,
    space: 'srgb',
    warning: `its colours are signalled as H.273 primaries ${nclx.primaries}, transfer ${nclx.transfer}, which are not converted (only sRGB/BT.709 and Display P3 are); the pixels were taken as sRGB`,
  };
}

let p3Profile: Promise<Buffer> | undefined;

/** libvips' built-in Display P3 profile (sharp's 'p3'). */
function displayP3Profile(): Promise<Buffer> {
  p3Profile ??= builtInProfile('p3');
  return p3Profile;
}
