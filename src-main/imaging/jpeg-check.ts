/**
 * Does a baseline JPEG's entropy-coded data fit the size its frame header (SOF) claims?
 *
 * libjpeg decodes a header that lies about the size without an error: when the data is shorter it only warns
 * ("premature end of data segment") and pads with grey; when it is longer it stops after the blocks the header asks
 * for and never looks at the rest. Either way the result is a scrambled picture reported as a success. The short case
 * is caught by the decoder's warning (read.ts); this module catches the long one by walking the Huffman-coded blocks
 * the header's size needs (no dequantisation or IDCT: cheap) and measuring what is left of the scan after them.
 */

interface Frame {
  width: number;
  height: number;
  /** Component ids with their horizontal and vertical sampling factors. */
  sampling: { id: number; h: number; v: number }[];
}

/** A JPEG Huffman table as stored in DHT: how many codes of each length 1–16, then their symbols in order. */
type Huffman = { counts: number[]; symbols: number[] };

function readFrame(b: Uint8Array, at: number): Frame {
  const height = (b[at + 5]! << 8) | b[at + 6]!;
  const width = (b[at + 7]! << 8) | b[at + 8]!;
  const count = b[at + 9]!;
  const sampling: Frame['sampling'] = [];
  for (let c = 0; c < count; c++) {
    const f = b[at + 11 + c * 3] ?? 0x11;
    sampling.push({ id: b[at + 10 + c * 3] ?? c, h: Math.max(1, f >> 4), v: Math.max(1, f & 15) });
  }
  return { width, height, sampling };
}

/** Reads entropy-coded bits, skipping stuffed zero bytes and restart markers. */
class BitReader {
  private bit = 0;
  private byte = 0;
  constructor(private readonly b: Uint8Array, private pos: number, private readonly end: number) {}
  next(): number {
    if (this.bit === 0) {
      if (this.pos >= this.end) throw new RangeError('out of data');
      this.byte = this.b[this.pos++]!;
      if (this.byte === 0xff) {
        const after = this.b[this.pos];
        if (after === 0) this.pos++;
        else if (after !== undefined && after >= 0xd0 && after <= 0xd7) { this.pos++; return this.next(); }
      }
      this.bit = 8;
    }
    this.bit--;
    return (this.byte >> this.bit) & 1;
  }
  bits(n: number): void { for (let k = 0; k < n; k++) this.next(); }
  get offset(): number { return this.pos; }
}

function decodeSymbol(r: BitReader, t: Huffman): number {
  let code = 0;
  let first = 0;
  let index = 0;
  for (let len = 1; len <= 16; len++) {
    code = (code << 1) | r.next();
    const count = t.counts[len - 1]!;
    if (code - first < count) return t.symbols[index + code - first]!;
    index += count;
    first = (first + count) << 1;
  }
  throw new RangeError('bad Huffman code');
}

/**
 * Walks the first scan of a baseline JPEG through exactly the blocks its header's size needs, and returns how many
 * scan bytes are left over after them (a few bits of padding for an honest file), or undefined when the file cannot
 * be walked (unusual structure; left to the decoder).
 */
export function jpegScanLeftover(b: Uint8Array): number | undefined {
  const tables = new Map<number, Huffman>();
  let frame: Frame | undefined;
  let i = 2;
  try {
    while (i + 4 <= b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1]!;
      const length = (b[i + 2]! << 8) | b[i + 3]!;
      if (marker === 0xdd) return undefined; // restart intervals: the walker does not reset predictors; skip the check
      if (marker === 0xc0 || marker === 0xc1) frame = readFrame(b, i);
      else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4) return undefined;
      if (marker === 0xc4) {
        for (let p = i + 4; p < i + 2 + length;) {
          const counts = Array.from(b.subarray(p + 1, p + 17));
          const total = counts.reduce((x, y) => x + y, 0);
          tables.set(b[p]!, { counts, symbols: Array.from(b.subarray(p + 17, p + 17 + total)) });
          p += 17 + total;
        }
      }
      if (marker === 0xda) return frame ? walkScan(b, i, length, frame, tables) : undefined;
      i += 2 + length;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function walkScan(b: Uint8Array, at: number, length: number, frame: Frame, tables: Map<number, Huffman>): number | undefined {
  const count = b[at + 4]!;
  if (count !== frame.sampling.length) return undefined;
  const comps = frame.sampling.map((s, c) => {
    const sel = b[at + 6 + c * 2]!;
    return { ...s, dc: tables.get(sel >> 4), ac: tables.get(0x10 | (sel & 15)) };
  });
  if (comps.some((c) => !c.dc || !c.ac)) return undefined;
  const start = at + 2 + length;
  let end = start;
  while (end + 1 < b.length && !(b[end] === 0xff && b[end + 1] !== 0 && (b[end + 1]! < 0xd0 || b[end + 1]! > 0xd7))) end++;
  const r = new BitReader(b, start, end);
  const hMax = Math.max(...comps.map((s) => s.h));
  const vMax = Math.max(...comps.map((s) => s.v));
  const mcus = count === 1 ? Math.ceil(frame.width / 8) * Math.ceil(frame.height / 8)
    : Math.ceil(frame.width / (8 * hMax)) * Math.ceil(frame.height / (8 * vMax));
  try {
    for (let m = 0; m < mcus; m++) {
      for (const c of comps) {
        for (let k = 0; k < (count === 1 ? 1 : c.h * c.v); k++) {
          r.bits(decodeSymbol(r, c.dc!));
          for (let z = 1; z < 64;) {
            const rs = decodeSymbol(r, c.ac!);
            if (rs === 0) break;
            r.bits(rs & 15);
            z += (rs >> 4) + 1;
          }
        }
      }
    }
  } catch {
    return 0; // the data ran out first: the decoder reports that case itself
  }
  return end - r.offset;
}
