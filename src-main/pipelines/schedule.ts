/**
 * The Stable Diffusion noise schedule and the one-step x0 estimate used by OSEDiff.
 *
 * SD uses the "scaled linear" schedule: β_t = (linspace(√β_start, √β_end, T))², ᾱ_t = Π_{s≤t} (1 − β_s).
 * OSEDiff calls the UNet once at t = 999 and turns its ε prediction into the clean latent
 * x0 = (z − √(1−ᾱ)·ε) / √ᾱ. The schedule is computed in float64 (diffusers does it in float32; the two differ by
 * about 1e-8 at t = 999, far below anything visible). Packs carry ᾱ in their manifest; this module is where the
 * default and the check of that value come from.
 */

/** The SD 1.x / 2.x training schedule. */
export interface ScaledLinearSchedule {
  betaStart: number;
  betaEnd: number;
  /** Number of training timesteps T. */
  steps: number;
}

export const SD_SCHEDULE: Readonly<ScaledLinearSchedule> = Object.freeze({ betaStart: 0.00085, betaEnd: 0.012, steps: 1000 });

/** β_t for t = 0 … T−1 (float64). */
export function scaledLinearBetas(s: ScaledLinearSchedule = SD_SCHEDULE): Float64Array {
  checkSchedule(s);
  const a = Math.sqrt(s.betaStart);
  const b = Math.sqrt(s.betaEnd);
  const betas = new Float64Array(s.steps);
  for (let t = 0; t < s.steps; t++) {
    // linspace includes both ends; a single step degenerates to the start value.
    const root = s.steps === 1 ? a : a + ((b - a) * t) / (s.steps - 1);
    betas[t] = root * root;
  }
  return betas;
}

/** ᾱ_t = Π_{s≤t}(1 − β_s) for every t (float64). */
export function alphasCumprod(s: ScaledLinearSchedule = SD_SCHEDULE): Float64Array {
  const betas = scaledLinearBetas(s);
  const out = new Float64Array(betas.length);
  let prod = 1;
  for (let t = 0; t < betas.length; t++) {
    prod *= 1 - betas[t]!;
    out[t] = prod;
  }
  return out;
}

/** ᾱ at timestep `t` (0-based, as the UNet sees it). SD's t = 999 gives 0.0046601. */
export function alphaBar(t: number, s: ScaledLinearSchedule = SD_SCHEDULE): number {
  if (!Number.isInteger(t) || t < 0 || t >= s.steps) {
    throw new RangeError(`timestep must be an integer in [0, ${s.steps - 1}], got ${t}`);
  }
  return alphasCumprod(s)[t]!;
}

/**
 * The one-step clean-latent estimate x0 = (z − √(1−ᾱ)·ε) / √ᾱ, element by element in float32.
 *
 * `out` may be `z` or `eps` itself (in-place), which is how the pipeline uses it on large latents.
 */
export function x0FromEps(z: Float32Array, eps: Float32Array, alphaBarT: number, out = new Float32Array(z.length)): Float32Array {
  if (!(alphaBarT > 0 && alphaBarT < 1)) throw new RangeError(`alphaBar must be in (0, 1), got ${alphaBarT}`);
  if (eps.length !== z.length || out.length !== z.length) {
    throw new RangeError(`x0FromEps: lengths differ (z ${z.length}, eps ${eps.length}, out ${out.length})`);
  }
  // Rounded to float32 once, like a float32 tensor expression would use them.
  const sigma = Math.fround(Math.sqrt(1 - alphaBarT));
  const invSqrtAlpha = Math.fround(1 / Math.sqrt(alphaBarT));
  for (let i = 0; i < z.length; i++) out[i] = (z[i]! - sigma * eps[i]!) * invSqrtAlpha;
  return out;
}

/** Relative tolerance between a pack's declared ᾱ and the one its schedule gives (float32 export noise is ~1e-7). */
export const ALPHA_BAR_TOLERANCE = 1e-6;

/**
 * Why a declared ᾱ at timestep `t` disagrees with the schedule, or null when it agrees within
 * {@link ALPHA_BAR_TOLERANCE} relative. The message names both values, so a pack author sees what to write.
 */
export function alphaBarMismatch(t: number, declared: number, s: ScaledLinearSchedule = SD_SCHEDULE): string | null {
  if (!Number.isInteger(t) || t < 0 || t >= s.steps) return `timestep ${t} is outside the schedule's ${s.steps} steps`;
  const expected = alphaBar(t, s);
  const rel = Math.abs(declared - expected) / expected;
  if (rel <= ALPHA_BAR_TOLERANCE) return null;
  // Exporters copy ᾱ from diffusers' float32 table, which sits ~1e-6 relative from the float64 value at t = 999:
  // that rounding is not a different schedule, so a value within the tolerance of the float32 table passes too.
  const f32 = alphaBarFloat32(t, s);
  if (Math.abs(declared - f32) / f32 <= ALPHA_BAR_TOLERANCE) return null;
  const schedule = `scaled-linear β ${s.betaStart} → ${s.betaEnd} over ${s.steps} steps`;
  return `alphaBar ${declared} does not match the ${schedule}, which gives ${expected.toPrecision(10)} at t = ${t} (relative difference ${rel.toExponential(2)}, allowed ${ALPHA_BAR_TOLERANCE})`;
}

/**
 * ᾱ_t as a float32 table holds it: β and 1 − β rounded to float32, the running product accumulated wider and each
 * entry rounded to float32 (how torch's CPU cumprod fills diffusers' `alphas_cumprod`).
 */
export function alphaBarFloat32(t: number, s: ScaledLinearSchedule = SD_SCHEDULE): number {
  const betas = scaledLinearBetas(s);
  let prod = 1;
  for (let i = 0; i <= t; i++) prod *= Math.fround(1 - Math.fround(betas[i]!));
  return Math.fround(prod);
}

function checkSchedule(s: ScaledLinearSchedule): void {
  if (!Number.isInteger(s.steps) || s.steps < 1) throw new RangeError(`schedule steps must be a positive integer, got ${s.steps}`);
  if (!(s.betaStart > 0 && s.betaEnd < 1 && s.betaStart <= s.betaEnd)) {
    throw new RangeError(`schedule betas must satisfy 0 < start ≤ end < 1, got ${s.betaStart} → ${s.betaEnd}`);
  }
}
