/**
 * Stages 1 and 2 of the one-step diffusion pipeline (pipelines/onestep-geometry.ts) without models: the sizes of a
 * run checked against their defining properties and hand-worked cases, and every settings check with its message.
 */
import { describe, expect, it } from 'vitest';
import { checkInputs, oneStepGeometry, PROCESS_SIZE } from '../../../src-main/pipelines/onestep-geometry';
import type { OneStepModels } from '../../../src-main/pipelines/onestep-models';
import type { OneStepOptions } from '../../../src-main/pipelines/onestep-options';
import type { ModelRunner, PixelBuffer } from '../../../src-main/pixels/types';

describe('oneStepGeometry', () => {
  it('works out hand-computed cases', () => {
    // 100×60 at ×4: short side 60 < 128, so ×128/60 → 213.33… rounds to 213 × 128; upscaled 852×512; padded 856×512.
    expect(oneStepGeometry(100, 60, 4)).toEqual({
      source: { width: 213, height: 128 },
      enlarged: true,
      upscaled: { width: 852, height: 512 },
      padded: { width: 856, height: 512 },
      latent: { width: 107, height: 64 },
      output: { width: 400, height: 240 },
    });
    // Portrait, ×2: short side 50 < 256 → 256 × round(90·256/50 = 460.8) = 461; upscaled 512×922, padded 512×928.
    expect(oneStepGeometry(50, 90, 2)).toEqual({
      source: { width: 256, height: 461 },
      enlarged: true,
      upscaled: { width: 512, height: 922 },
      padded: { width: 512, height: 928 },
      latent: { width: 64, height: 116 },
      output: { width: 100, height: 180 },
    });
    // ×4 with the short side above 128: kept as it is.
    expect(oneStepGeometry(151, 131, 4).source).toEqual({ width: 151, height: 131 });
    expect(oneStepGeometry(131, 600, 4)).toMatchObject({ source: { width: 131, height: 600 }, enlarged: false });
    // ×3: ⌊512/3⌋ = 170; 170×171 is kept; upscaled 510×513, padded 512×520.
    expect(oneStepGeometry(170, 171, 3)).toEqual({
      source: { width: 170, height: 171 },
      enlarged: false,
      upscaled: { width: 510, height: 513 },
      padded: { width: 512, height: 520 },
      latent: { width: 64, height: 65 },
      output: { width: 510, height: 513 },
    });
  });

  it('enlarges exactly when the short side is below ⌊512 / s⌋, to that short side, keeping the aspect', () => {
    for (const scale of [1, 2, 3, 4, 5, 8]) {
      const minShort = Math.floor(PROCESS_SIZE / scale);
      for (const [w, h] of [[minShort, minShort], [minShort - 1, minShort + 40], [minShort + 3, minShort - 1], [1, 1], [1, 300], [900, 2], [minShort + 1, minShort], [7, 7]]) {
        const g = oneStepGeometry(w!, h!, scale);
        const small = Math.min(w!, h!) < minShort;
        expect(g.enlarged, `${w}×${h} ×${scale}`).toBe(small);
        if (small) {
          expect(Math.min(g.source.width, g.source.height)).toBe(minShort);
          // The long side is the original's times the same factor, rounded (never below the short side).
          const f = minShort / Math.min(w!, h!);
          const long = Math.max(minShort, Math.round(Math.max(w!, h!) * f));
          expect(w! <= h! ? g.source.height : g.source.width).toBe(long);
          expect(w! <= h! ? g.source.width : g.source.height).toBe(minShort);
        } else {
          expect(g.source).toEqual({ width: w, height: h });
        }
        expect(g.upscaled).toEqual({ width: g.source.width * scale, height: g.source.height * scale });
        for (const k of ['width', 'height'] as const) {
          expect(g.padded[k] % 8).toBe(0);
          expect(g.padded[k] - g.upscaled[k]).toBeGreaterThanOrEqual(0);
          expect(g.padded[k] - g.upscaled[k]).toBeLessThan(8);
          expect(g.latent[k] * 8).toBe(g.padded[k]);
        }
        expect(g.output).toEqual({ width: w! * scale, height: h! * scale });
      }
    }
  });

  it('refuses sizes and scales that are not positive integers, naming them', () => {
    expect(() => oneStepGeometry(0, 10, 4)).toThrow('width must be an integer ≥ 1, got 0');
    expect(() => oneStepGeometry(10, 2.5, 4)).toThrow('height must be an integer ≥ 1, got 2.5');
    expect(() => oneStepGeometry(10, 10, 0)).toThrow('scale must be an integer ≥ 1, got 0');
  });
});

const fake = (inputs: string[], outputs: string[]): ModelRunner => ({ inputNames: inputs, outputNames: outputs, run: async () => ({}), dispose: async () => {} });

const MODELS: OneStepModels = {
  vaeEncoder: fake(['sample'], ['latent_sample']),
  unet: fake(['sample', 'timestep', 'encoder_hidden_states'], ['out_sample']),
  vaeDecoder: fake(['latent_sample'], ['sample']),
  prompts: { embed: async () => ({ data: new Float32Array(0), dims: [1, 77, 32] }) } as unknown as OneStepModels['prompts'],
};

function options(over: Partial<OneStepOptions> = {}): OneStepOptions {
  return {
    scale: 4,
    diffusion: { timestep: 999, alphaBar: 0.0046601, vaeScalingFactor: 0.18215, hiddenSize: 32, maxTokens: 77 },
    promptMode: 'none',
    colorFix: 'adain',
    strength: 1,
    tiles: { encode: 64, decode: 64, vaeOverlap: 16, latent: 16, latentOverlap: 4 },
    resize: (async () => {
      throw new Error('not used');
    }) as unknown as OneStepOptions['resize'],
    ...over,
  };
}

const INPUT: PixelBuffer = { data: new Uint8Array(5 * 4 * 3), width: 5, height: 4, channels: 3 };

describe('checkInputs', () => {
  it('accepts good pixels, settings and models, including the limits of each range', () => {
    expect(() => checkInputs(INPUT, MODELS, options())).not.toThrow();
    expect(() => checkInputs(INPUT, MODELS, options({ scale: 1, strength: 0 }))).not.toThrow();
    expect(() => checkInputs(INPUT, MODELS, options({ scale: 8, strength: 1 }))).not.toThrow();
    const d = options().diffusion;
    expect(() => checkInputs(INPUT, MODELS, options({ diffusion: { ...d, timestep: 0 } }))).not.toThrow();
    expect(() => checkInputs(INPUT, MODELS, options({ tiles: { encode: 8, decode: 16, vaeOverlap: 0, latent: 1, latentOverlap: 0 } }))).not.toThrow();
    expect(() => checkInputs(INPUT, MODELS, options({ tiles: { encode: 24, decode: 16, vaeOverlap: 8, latent: 2, latentOverlap: 1 } }))).not.toThrow();
    expect(() => checkInputs(INPUT, MODELS, options({ promptMode: 'custom', prompt: ' a photo ' }))).not.toThrow();
  });

  it('names each bad pixel buffer', () => {
    expect(() => checkInputs({ ...INPUT, channels: 4 }, MODELS, options())).toThrow(
      'the diffusion pipeline takes RGB (3 channels), got 4; handle alpha separately',
    );
    expect(() => checkInputs({ ...INPUT, width: 0 }, MODELS, options())).toThrow('image width must be an integer ≥ 1, got 0');
    expect(() => checkInputs({ ...INPUT, height: 1.5 }, MODELS, options())).toThrow('image height must be an integer ≥ 1, got 1.5');
    expect(() => checkInputs({ ...INPUT, data: new Uint8Array(59) }, MODELS, options())).toThrow('image data holds 59 values, expected 5×4×3 = 60');
  });

  it('names each bad setting', () => {
    const d = options().diffusion;
    const t = options().tiles;
    const cases: Array<[Partial<OneStepOptions>, string]> = [
      [{ scale: 0 }, 'scale must be an integer ≥ 1, got 0'],
      [{ scale: 2.5 }, 'scale must be an integer ≥ 1, got 2.5'],
      [{ scale: 9 }, 'scale must be at most 8, got 9'],
      [{ strength: -0.1 }, 'strength must be in [0, 1], got -0.1'],
      [{ strength: 1.01 }, 'strength must be in [0, 1], got 1.01'],
      [{ strength: Number.NaN }, 'strength must be in [0, 1], got NaN'],
      [{ diffusion: { ...d, alphaBar: 0 } }, 'alphaBar must be in (0, 1), got 0'],
      [{ diffusion: { ...d, alphaBar: 1 } }, 'alphaBar must be in (0, 1), got 1'],
      [{ diffusion: { ...d, vaeScalingFactor: 0 } }, 'vaeScalingFactor must be positive, got 0'],
      [{ diffusion: { ...d, timestep: -1 } }, 'timestep must be an integer ≥ 0, got -1'],
      [{ tiles: { ...t, encode: 0 } }, 'encode tile must be an integer ≥ 8, got 0'],
      [{ tiles: { ...t, encode: 60 } }, 'encode tile must be a multiple of 8 pixels, got 60'],
      [{ tiles: { ...t, decode: 4 } }, 'decode tile must be an integer ≥ 8, got 4'],
      [{ tiles: { ...t, decode: 68 } }, 'decode tile must be a multiple of 8 pixels, got 68'],
      [{ tiles: { ...t, vaeOverlap: -8 } }, 'VAE overlap must be an integer ≥ 0, got -8'],
      [{ tiles: { ...t, vaeOverlap: 12 } }, 'VAE overlap must be a multiple of 8 pixels, got 12'],
      [{ tiles: { ...t, vaeOverlap: 64 } }, 'VAE overlap 64 must be smaller than the VAE tiles (encode 64, decode 64)'],
      [{ tiles: { ...t, encode: 128, vaeOverlap: 64 } }, 'VAE overlap 64 must be smaller than the VAE tiles (encode 128, decode 64)'],
      [{ tiles: { ...t, decode: 128, vaeOverlap: 64 } }, 'VAE overlap 64 must be smaller than the VAE tiles (encode 64, decode 128)'],
      [{ tiles: { ...t, latent: 0 } }, 'latent tile must be an integer ≥ 1, got 0'],
      [{ tiles: { ...t, latentOverlap: -1 } }, 'latent overlap must be an integer ≥ 0, got -1'],
      [{ tiles: { ...t, latentOverlap: 16 } }, 'latent overlap 16 must be smaller than latent tile 16'],
      [{ promptMode: 'tags' }, 'prompt mode "tags" needs a tagger, and this pack has none; use prompt mode "none" or "custom"'],
      [{ promptMode: 'custom' }, 'prompt mode "custom" needs prompt text'],
      [{ promptMode: 'custom', prompt: '   ' }, 'prompt mode "custom" needs prompt text'],
    ];
    for (const [over, message] of cases) expect(() => checkInputs(INPUT, MODELS, options(over)), message).toThrow(message);
  });

  it('checks the models\' tensor names too', () => {
    const bad = { ...MODELS, unet: fake(['sample'], ['out_sample']) };
    expect(() => checkInputs(INPUT, bad, options())).toThrow(/UNet has no input "timestep"/);
  });
});
