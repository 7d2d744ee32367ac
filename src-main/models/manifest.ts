/**
 * The model pack contract: `revive-pack.json` at the root of a pack folder.
 *
 * Every pack is a folder with this manifest and the files it lists (each with its size and sha256). The manifest is
 * validated with zod before anything else reads the pack; errors name the offending field. `models/README.md`
 * documents the same contract in prose for people building packs.
 */
import { z } from 'zod';
import { ColorFixSchema, PromptModeSchema, type ColorFix, type PromptMode } from '../pipelines/options';
import { alphaBarMismatch, SD_SCHEDULE } from '../pipelines/schedule';
import { describeIssues } from '../pixels/zod-issues';

export const MANIFEST_FILE = 'revive-pack.json';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
/** A path inside the pack: relative, forward slashes, no `..` (a pack must not reach outside its folder). */
const packPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').includes('..') && !/^[a-zA-Z]:/.test(p), {
    message: 'must be a relative path inside the pack (no "..", no absolute path, forward slashes)',
  });

export const PackFileSchema = z.object({
  path: packPath,
  size: z.number().int().nonnegative(),
  sha256,
});
export type PackFile = z.infer<typeof PackFileSchema>;

export const TileDefaultsSchema = z.object({
  /** Tile edge in model-input pixels (latent pixels for the diffusion UNet). */
  size: z.number().int().positive(),
  /** Overlap between neighbouring tiles, same unit. */
  overlap: z.number().int().nonnegative(),
  /** Context padding added around each tile and cropped after the run (pixel models). */
  pad: z.number().int().nonnegative().default(0),
  /** Tiles must be a multiple of this (e.g. 8 for VAEs). */
  multiple: z.number().int().positive().default(1),
});

export const LicenceSchema = z.object({
  /** SPDX id or a short name, e.g. "BSD-3-Clause", "CreativeML Open RAIL++-M". */
  id: z.string().min(1),
  /** Text shown to the user before they use or install the pack. */
  summary: z.string().min(1),
  url: z.string().optional(),
});

export const ProvenanceSchema = z.object({
  /** Where the weights came from (package, paper, repository). */
  source: z.string().min(1),
  /** How this pack was produced from that source. */
  conversion: z.string().min(1),
  authors: z.string().optional(),
});

/** Pack ids: also the folder name of an installed pack, so no separators and no leading dot. */
export const PACK_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const CommonSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(PACK_ID_PATTERN, 'lowercase letters, digits, ".", "_", "-"; at most 64'),
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string().default(''),
  /** Native upscale factor of the model. */
  scale: z.number().int().min(1).max(8),
  /** Rough speed class shown in the model picker. */
  speed: z.enum(['fast', 'balanced', 'slow']).default('balanced'),
  files: z.array(PackFileSchema).min(1),
  tile: TileDefaultsSchema,
  licence: LicenceSchema,
  provenance: ProvenanceSchema,
});

/** A feed-forward image-to-image network (Real-ESRGAN and the like): RGB [0,1] NCHW in, RGB [0,1] ×scale out. */
export const PixelSrManifestSchema = CommonSchema.extend({
  kind: z.literal('pixel-sr'),
  model: z.object({
    file: packPath,
    input: z.string().min(1),
    output: z.string().min(1),
    /** Multiply-accumulates per input pixel (for FLOP-rate figures and time estimates). */
    macsPerInputPixel: z.number().nonnegative().optional(),
  }),
});
export type PixelSrManifest = z.infer<typeof PixelSrManifestSchema>;

export { ColorFixSchema, PromptModeSchema, type ColorFix, type PromptMode };

/** An explicitly declared scaled-linear schedule: β_t = linspace(√betaStart, √betaEnd, steps)². */
const ScheduleSchema = z
  .object({
    kind: z.literal('scaled-linear'),
    betaStart: z.number().gt(0).lt(1),
    betaEnd: z.number().gt(0).lt(1),
    steps: z.number().int().positive().max(100_000),
  })
  .refine((s) => s.betaStart <= s.betaEnd, { message: 'betaStart must not exceed betaEnd' });

/** One-step diffusion (OSEDiff) in the standard Stable Diffusion ONNX layout. */
export const OneStepManifestSchema = CommonSchema.extend({
  kind: z.literal('onestep-diffusion'),
  diffusion: z.object({
    /** The single timestep the UNet is called at (OSEDiff: 999). */
    timestep: z.number().int().nonnegative(),
    /** ᾱ at that timestep (SD scaled-linear schedule, t = 999: 0.004660098513); checked against `schedule`. */
    alphaBar: z.number().gt(0).lt(1),
    /**
     * The training noise schedule `alphaBar` must come from (default: SD's scaled-linear β 0.00085 → 0.012 over
     * 1000 steps). A pack trained on another one declares it here; Revive computes it and checks `alphaBar` against it.
     */
    schedule: ScheduleSchema.optional(),
    /** VAE latent scaling factor (SD 2.x: 0.18215). */
    vaeScalingFactor: z.number().positive(),
    /** Width of the text encoder's hidden state (SD 2.x: 1024). */
    hiddenSize: z.number().int().positive(),
    /** Token sequence length (CLIP: 77). */
    maxTokens: z.number().int().positive().default(77),
    colorFix: ColorFixSchema.default('adain'),
    promptMode: PromptModeSchema.default('tags'),
    /** VAE encoder / decoder tile edges in image pixels (multiples of 8). */
    vaeTile: z.object({ encode: z.number().int().positive(), decode: z.number().int().positive(), overlap: z.number().int().nonnegative() }),
  }),
  graphs: z.object({
    vaeEncoder: packPath,
    unet: packPath,
    vaeDecoder: packPath,
    textEncoder: packPath,
    tokenizer: packPath,
    /** Precomputed embedding of the empty prompt: raw little-endian float32 [1, maxTokens, hiddenSize]. */
    emptyPromptEmbedding: packPath.optional(),
  }),
  tagger: z
    .object({
      model: packPath,
      /** Text file, one tag per line, in the model's output order. */
      tags: packPath,
      /** JSON array of per-tag thresholds (probability), same order. */
      thresholds: packPath,
      inputSize: z.number().int().positive().default(384),
    })
    .optional(),
});
export type OneStepManifest = z.infer<typeof OneStepManifestSchema>;

/**
 * A face detector (the embedded BlazeFace pack): used by the faces stage to find and align faces, never run as a
 * stage of its own. Input NHWC [1, 256, 256, 3] RGB in [-1, 1]; outputs per-anchor scores and 16 regressors.
 */
export const FaceDetectManifestSchema = CommonSchema.extend({
  kind: z.literal('face-detect'),
  model: z.object({ file: packPath, input: z.string().min(1), architecture: z.literal('blazeface-full-256') }),
});
export type FaceDetectManifest = z.infer<typeof FaceDetectManifestSchema>;

/**
 * Face restoration on aligned faces, in one of two layouts (`layout`):
 * - 'gan' (default; GFPGAN/CodeFormer): `model` takes float32 RGB NCHW [1, 3, size, size] in [-1, 1] and returns the
 *   same; optionally a scalar fidelity input (CodeFormer's w, 0–1).
 * - 'onestep-diffusion' (OSEDiff's face LoRA merged into SD 2.1's UNet): `diffusion` and `graphs` exactly as a
 *   one-step-diffusion pack's, run at 1× on the aligned `size`² face; no `model`.
 * `scale` is 1: faces are restored in place.
 */
export const FaceRestoreManifestSchema = CommonSchema.extend({
  kind: z.literal('face-restore'),
  layout: z.enum(['gan', 'onestep-diffusion']).default('gan'),
  model: z
    .object({
      file: packPath,
      input: z.string().min(1),
      output: z.string().min(1),
      /** Name of a scalar float input that takes the fidelity (0–1), when the model has one. */
      fidelityInput: z.string().min(1).optional(),
    })
    .optional(),
  diffusion: OneStepManifestSchema.shape.diffusion.optional(),
  graphs: OneStepManifestSchema.shape.graphs.optional(),
  faces: z
    .object({
      /** Edge of the aligned face the model takes (GFPGAN/CodeFormer: 512). */
      size: z.number().int().min(64).max(2048).default(512),
      /** Match the restored face's colour statistics to the photo's before pasting: 'adain' (default) or 'none'. */
      colorMatch: z.enum(['adain', 'none']).default('adain'),
    })
    .default({ size: 512, colorMatch: 'adain' }),
});
export type FaceRestoreManifest = z.infer<typeof FaceRestoreManifestSchema>;

/** What a face-restore manifest's layout requires and forbids, or null when it holds. */
function faceLayoutProblem(m: FaceRestoreManifest): string | null {
  if (m.layout === 'gan') return m.model ? null : 'layout "gan" needs "model"';
  if (m.model) return 'layout "onestep-diffusion" takes "diffusion" and "graphs", not "model"';
  return m.diffusion && m.graphs ? null : 'layout "onestep-diffusion" needs "diffusion" and "graphs"';
}

/**
 * A one-step-diffusion face pack seen as the one-step-diffusion pack it contains (the same graphs, run at 1× on the
 * aligned face), so the one-step pipeline and its session loader serve it unchanged. Throws for the GAN layout.
 */
export function oneStepFaceView(m: FaceRestoreManifest): OneStepManifest {
  if (m.layout !== 'onestep-diffusion' || !m.diffusion || !m.graphs) throw new Error(`face pack "${m.id}" is not of the one-step diffusion layout`);
  const { layout: _layout, model: _model, faces: _faces, diffusion, graphs, ...common } = m;
  return { ...common, kind: 'onestep-diffusion', scale: 1, diffusion, graphs };
}

/** The value range of an inpaint pack's image tensor: full white is 1 ('0-1') or 255 ('0-255'). */
export const ValueRangeSchema = z.enum(['0-1', '0-255']);
export type ValueRange = z.infer<typeof ValueRangeSchema>;

/**
 * Inpainting of large holes (LaMa layout as commonly exported to ONNX): float32 RGB NCHW image [1, 3, S, S] + mask
 * [1, 1, S, S] (1 = fill, 0 = keep) → image [1, 3, S, S], S the pack's working size. The repair stage sends it a crop
 * around each large hole; `scale` is 1 (nothing is enlarged).
 */
export const InpaintManifestSchema = CommonSchema.extend({
  kind: z.literal('inpaint'),
  scale: z.literal(1),
  model: z.object({
    file: packPath,
    /** The RGB image input. */
    image: z.string().min(1),
    /** The mask input: 1 where the model must fill, 0 where the pixels are known. */
    mask: z.string().min(1),
    output: z.string().min(1),
  }),
  inpaint: z
    .object({
      /** Edge of the square the model takes (LaMa exports: a fixed 512). */
      size: z.number().int().min(64).max(4096).default(512),
      /** Range of the image input. */
      imageRange: ValueRangeSchema.default('0-1'),
      /** Range of the output (several LaMa exports answer in 0–255 though they take 0–1). */
      outputRange: ValueRangeSchema.default('0-1'),
    })
    .default({ size: 512, imageRange: '0-1', outputRange: '0-1' }),
});
export type InpaintManifest = z.infer<typeof InpaintManifestSchema>;

/**
 * Colourisation (the DDColor layout): the photo's lightness as a grey RGB image → two chroma channels at the same
 * size. Input float32 NCHW [1, 3, size, size], the three channels equal (the sRGB grey of each pixel's CIELAB L with
 * a* = b* = 0), mapped from 0–1 onto `inputRange`; output float32 NCHW [1, 2, size, size], CIELAB (D65) a* and b*
 * divided by `outputScale`. `scale` is 1: the chroma is upsampled and joined with the full-resolution lightness.
 */
export const ColorizeManifestSchema = CommonSchema.extend({
  kind: z.literal('colorize'),
  model: z.object({ file: packPath, input: z.string().min(1), output: z.string().min(1) }),
  colorize: z
    .object({
      /** Edge of the square image the model takes (DDColor: 512; its tiny variant 256). */
      size: z.number().int().min(16).max(2048).default(512),
      /** The values grey 0 and grey 1 are given as (DDColor: [0, 1]; a model trained on [-1, 1] says so). */
      inputRange: z
        .tuple([z.number(), z.number()])
        .refine(([lo, hi]) => lo < hi, { message: 'inputRange must be [low, high] with low < high' })
        .default([0, 1]),
      /** The chroma the model outputs; only CIELAB a*b* (D65 white, as DDColor's OpenCV conversion) is defined. */
      outputSpace: z.literal('cielab-ab').default('cielab-ab'),
      /** a* = output × outputScale (DDColor outputs a* and b* themselves: 1; a model that outputs them over 110, in about [-1, 1]: 110). */
      outputScale: z.number().positive().default(1),
    })
    .default({ size: 512, inputRange: [0, 1], outputSpace: 'cielab-ab', outputScale: 1 }),
});
export type ColorizeManifest = z.infer<typeof ColorizeManifestSchema>;

export const PackManifestSchema = z.discriminatedUnion('kind', [PixelSrManifestSchema, OneStepManifestSchema, FaceDetectManifestSchema, FaceRestoreManifestSchema, InpaintManifestSchema, ColorizeManifestSchema]);
export type PackManifest = z.infer<typeof PackManifestSchema>;
export type PackKind = PackManifest['kind'];

/** Parses a manifest; throws an Error whose message lists each problem as `field: reason`. */
export function parseManifest(json: unknown, where = MANIFEST_FILE): PackManifest {
  const r = PackManifestSchema.safeParse(json);
  if (r.success) {
    const paths = new Set(r.data.files.map((f) => f.path));
    const referenced = referencedPaths(r.data);
    const missing = referenced.filter((p) => !paths.has(p));
    if (missing.length) throw new Error(`${where}: files not listed in "files": ${missing.join(', ')}`);
    if (r.data.kind === 'face-restore') {
      const wrong = faceLayoutProblem(r.data);
      if (wrong) throw new Error(`${where}: ${wrong}`);
    }
    const diffusion = r.data.kind === 'onestep-diffusion' || r.data.kind === 'face-restore' ? r.data.diffusion : undefined;
    if (diffusion) {
      const d = diffusion;
      const wrong = alphaBarMismatch(d.timestep, d.alphaBar, d.schedule ?? SD_SCHEDULE);
      if (wrong) throw new Error(`${where}: diffusion.${wrong}`);
    }
    return r.data;
  }
  throw new Error(`${where} is not a valid Revive pack manifest:\n  ${describeIssues(r.error, { separator: '\n  ' })}`);
}

/** Every file path a manifest points at (all must appear in `files`). */
export function referencedPaths(m: PackManifest): string[] {
  if (m.kind === 'pixel-sr' || m.kind === 'face-detect' || m.kind === 'inpaint' || m.kind === 'colorize') return [m.model.file];
  if (m.kind === 'face-restore') return m.model ? [m.model.file] : m.graphs ? graphPaths(m.graphs) : [];
  const out = graphPaths(m.graphs);
  if (m.tagger) out.push(m.tagger.model, m.tagger.tags, m.tagger.thresholds);
  return out;
}

function graphPaths(g: OneStepManifest['graphs']): string[] {
  const out = [g.vaeEncoder, g.unet, g.vaeDecoder, g.textEncoder, g.tokenizer];
  if (g.emptyPromptEmbedding) out.push(g.emptyPromptEmbedding);
  return out;
}
