/**
 * The settings snapshot a job carries: what to produce and where. Stored as JSON with the job, validated when read
 * back, so a batch resumed after an update still produces what the user asked for when they started it.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { OUTPUT_FORMATS, type OutputFormat } from '../imaging/formats';
import { METADATA_MODES } from '../imaging/metadata-modes';
import { describeIssues } from '../pixels/zod-issues';
import { namePatternProblem } from './name-pattern';
import { ColorFixSchema, PromptModeSchema } from '../pipelines/options';
import { RepairOptionsSchema } from '../pipelines/repair/options';
// The engine protocol (host side) owns the provider list and output scales; process/providers.ts loads onnxruntime.
import { OUTPUT_SCALES, PROVIDER_CHOICES } from '../engine/protocol';

/** Added to a source's name for its result: `photo.jpg` → `photo_revive.jpg`. */
export const DEFAULT_SUFFIX = '_revive';

export const JobSettingsSchema = z.object({
  /** Model pack id, e.g. "realesrgan-x4fast". */
  model: z.string().min(1),
  /** Output size relative to the input (1 restores without enlarging). */
  scale: z.union(OUTPUT_SCALES.map((s) => z.literal(s)) as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>, z.ZodLiteral<4>]),
  /** Output format; "same" keeps the source's format where Revive can write it (else PNG). */
  format: z.enum(['same', ...OUTPUT_FORMATS]),
  /**
   * Written instead of `format` for photos whose result `format` cannot hold (WebP ≤ 16 383 px per side, JPEG ≤
   * 65 535): chosen by the user when told before the batch is queued (jobs/output-size.ts). Absent = such photos fail.
   */
  fallbackFormat: z.enum(OUTPUT_FORMATS).optional(),
  /** Encoder quality 1–100 for lossy formats; absent = the format's default. */
  quality: z.number().int().min(1).max(100).optional(),
  /** Added to the source's name: `<name><suffix>.<ext>` (jobs/naming.ts). */
  suffix: z.string().max(64).refine((s) => !/[/\\\0]/.test(s), 'must not contain path separators').default(DEFAULT_SUFFIX),
  /**
   * The result's file name with tokens (`{name}_{model}_{scale}x`; settings/name-pattern.ts). Absent = `{name}` then
   * `suffix`, as before patterns existed, so a batch queued by an older version keeps its names.
   */
  namePattern: z
    .string()
    .superRefine((p, ctx) => {
      const problem = namePatternProblem(p);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /** Output folder; null = next to each original. */
  outputDir: z.string().min(1).nullable().default(null),
  /** Replace an earlier output with the planned name instead of naming the new one "-1", "-2"… */
  overwrite: z.boolean().default(false),
  provider: z.enum(PROVIDER_CHOICES).default('auto'),
  /** Engine threads; 0 = chosen from the cores. */
  threads: z.number().int().min(0).default(0),
  /** Tile edge in input pixels; absent = from the pack and the memory budget. */
  tile: z.number().int().positive().optional(),
  /** Diffusion packs only. */
  promptMode: PromptModeSchema.optional(),
  prompt: z.string().max(1000).optional(),
  colorFix: ColorFixSchema.optional(),
  /** 0–1: blend with the bicubic-upscaled input (1 = model only). */
  strength: z.number().min(0).max(1).optional(),
  /** The original's metadata in the result: 'all' (absent), 'no-gps' or 'none'. */
  metadata: z.enum(METADATA_MODES).optional(),
  /** Give each result its original's file times. */
  keepFileTimes: z.boolean().optional(),
  /** Photos with more megapixels than this are refused from their header (decompression-bomb guard); absent = 200. */
  maxMegapixels: z.number().positive().max(10_000).optional(),
  /**
   * Old-photo repair before the enhance stage: dust/scratch detection and inpainting, colour restore, or a user's
   * mask (white = repair, at the photo's upright size; replaces detection). Absent = no repair stage.
   */
  repair: RepairOptionsSchema.extend({
    mask: z.string().min(1).optional(),
    /**
     * The inpainting pack for large holes: a pack id, 'none' (the classical method for every size) or 'auto' (absent:
     * the installed one, if any). Resolved to an id or 'none' when the job is queued (models/inpaint-choice.ts).
     */
    inpaintPack: z.string().min(1).optional(),
  }).optional(),
  /** Faces stage: 'auto' restores the faces found (after super-resolution) with `facePack`; absent = off. */
  faces: z.enum(['off', 'auto']).optional(),
  /** Id of the face-restore pack the faces stage runs. */
  facePack: z.string().min(1).optional(),
  /** 0–1: the share of each face's restoration kept; absent = 1. */
  faceFidelity: z.number().min(0).max(1).optional(),
  /**
   * Colour stage, last in the chain: 'auto' colourises only photos judged black-and-white or toned (sepia,
   * cyanotype), 'on' every photo, with `colorizePack`; absent = off.
   */
  colorize: z.enum(['off', 'auto', 'on']).optional(),
  /** Id of the colorize pack the colour stage runs. */
  colorizePack: z.string().min(1).optional(),
  /** 0–1: the share of the model's colour over the photo's own; absent = 1. */
  colorizeStrength: z.number().min(0).max(1).optional(),
});
export type JobSettings = z.infer<typeof JobSettingsSchema>;
/** What callers pass: fields with defaults may be left out. */
export type JobSettingsInput = z.input<typeof JobSettingsSchema>;

/** Validates settings, naming the offending field. */
export function parseJobSettings(value: unknown): JobSettings {
  const r = JobSettingsSchema.safeParse(value);
  if (!r.success) {
    throw new Error(`invalid job settings — ${describeIssues(r.error)}`);
  }
  return r.data;
}

/**
 * A key for "the same result": a hash of every setting that changes the output's pixels or encoding. Where the file
 * goes (folder, suffix), on which device and with how many threads or which tile size (tiled output equals untiled
 * within 1/255) do not change what is produced, so they are left out.
 */
export function settingsKey(settings: JobSettings, format: OutputFormat): string {
  const relevant = {
    model: settings.model,
    scale: settings.scale,
    format,
    quality: settings.quality ?? null,
    promptMode: settings.promptMode ?? null,
    prompt: settings.prompt ?? null,
    colorFix: settings.colorFix ?? null,
    strength: settings.strength ?? null,
    // Only when it differs from the default, so keys made before the option existed still match.
    ...(settings.metadata && settings.metadata !== 'all' ? { metadata: settings.metadata } : {}),
    ...(repairRuns(settings) ? { repair: settings.repair } : {}),
    ...(settings.faces === 'auto' ? { faces: { pack: settings.facePack ?? null, fidelity: settings.faceFidelity ?? 1 } } : {}),
    ...(colorizeRuns(settings) ? { colorize: { mode: settings.colorize, pack: settings.colorizePack, strength: settings.colorizeStrength ?? 1 } } : {}),
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 32);
}

/** True when the settings put a colour stage in the chain: 'auto' or 'on' with a pack. */
export function colorizeRuns(settings: Pick<JobSettings, 'colorize' | 'colorizePack'>): boolean {
  return (settings.colorize === 'auto' || settings.colorize === 'on') && settings.colorizePack !== undefined;
}

/** True when the settings put a repair stage in the chain: detection on, a user's mask, or colour restore. */
export function repairRuns(settings: Pick<JobSettings, 'repair'>): boolean {
  const r = settings.repair;
  return r !== undefined && ((r.mode === 'auto' && (r.dust || r.scratches)) || r.mask !== undefined || (r.colour === 'restore' && r.strength > 0));
}
