/**
 * Writers for ncnn `.bin` blobs, for tests that build tiny ncnn models by hand.
 * Written from the format description (ncnn ModelBin), independently of src-main/models/ncnn/weights.ts.
 */
import { floatToHalf } from '../../src-main/models/onnx/graph-builder';

const le32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
};

/** Tag 0x01306B47, then IEEE halves, zero-padded to a multiple of 4 bytes. Values should be exact in fp16. */
export function fp16Tagged(values: readonly number[]): Uint8Array {
  const body = new Uint8Array(Math.ceil((values.length * 2) / 4) * 4);
  const view = new DataView(body.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, floatToHalf(v), true));
  return concatBytes([le32(0x01306b47), body]);
}

/** Tag 0, then float32 values. */
export function fp32Tagged(values: readonly number[]): Uint8Array {
  return concatBytes([le32(0), fp32Raw(values)]);
}

/** Float32 values with no tag (ncnn load type 1: biases, PReLU slopes). */
export function fp32Raw(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return b;
}

/** Any 4-byte tag followed by raw bytes (for the unsupported storage kinds). */
export function tagged(tag: number, body: Uint8Array): Uint8Array {
  return concatBytes([le32(tag), body]);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** Deterministic values on a 1/64 grid in [-1, 1]: exact in fp16 and float32, so a reference can use them as is. */
export function gridValues(count: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s >>> 8) % 129 - 64) / 64;
  });
}
