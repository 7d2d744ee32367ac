/**
 * Small conversions between sample depths and reading an ICC profile's header, shared by decoding and encoding.
 */

/** 16-bit samples rounded to 8 bits (v / 257). */
export function to8(data: Uint16Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.round(data[i]! / 257);
  return out;
}

/** The colour space an ICC profile's header gives for its data ('RGB ', 'GRAY', 'CMYK', …; bytes 16–19), '' when too short. */
export function profileSpace(icc: Uint8Array): string {
  return icc.length >= 20 ? String.fromCharCode(icc[16]!, icc[17]!, icc[18]!, icc[19]!) : '';
}
