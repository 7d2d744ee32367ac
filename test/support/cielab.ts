/**
 * An independent CIELAB (D65, sRGB primaries), straight from the definitions, for tests that check the colour stage's
 * Lab maths against something it does not share code with.
 */
const toLinear = (c: number): number => (c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
const labF = (t: number): number => (t > Math.pow(6 / 29, 3) ? Math.cbrt(t) : t / (3 * Math.pow(6 / 29, 2)) + 4 / 29);
const labFinv = (t: number): number => (t > 6 / 29 ? t * t * t : 3 * Math.pow(6 / 29, 2) * (t - 4 / 29));

/** CIELAB of an sRGB colour with channels in 0–1. */
export function lab(r: number, g: number, b: number): [number, number, number] {
  const [R, G, B] = [toLinear(r), toLinear(g), toLinear(b)];
  const X = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const Y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const Z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  return [116 * labF(Y) - 16, 500 * (labF(X) - labF(Y)), 200 * (labF(Y) - labF(Z))];
}

/** Whether (L*, a*, b*) is inside the sRGB gamut (linear RGB in 0–1, with a hair of slack). */
export function inGamut(L: number, a: number, b: number): boolean {
  const fy = (L + 16) / 116;
  const X = 0.95047 * labFinv(fy + a / 500), Y = labFinv(fy), Z = 1.08883 * labFinv(fy - b / 200);
  const rgb = [3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z, -0.969266 * X + 1.8760108 * Y + 0.041556 * Z, 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z];
  return rgb.every((v) => v >= 0.002 && v <= 0.998);
}
