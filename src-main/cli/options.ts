/**
 * Parsing and checking the `revive enhance` options. A bad value is a usage error (exit 2) whose message names the
 * option and the value.
 */
import { OUTPUT_FORMATS, type OutputFormat } from '../imaging/formats';
import { METADATA_MODES, type MetadataMode } from '../imaging/metadata-modes';
import { MAX_PROMPT_CHARS, OUTPUT_SCALES, PROVIDER_CHOICES, type OutputScale } from '../engine/protocol';
import { ColorFixSchema, PromptModeSchema, type ColorFix, type PromptMode } from '../models/manifest';
import type { ProviderChoice } from '../engine/protocol';
import type { FormatChoice } from '../jobs/naming';
import { DEFAULT_SUFFIX, validateSuffix } from '../jobs/naming';
import { DEFAULT_NAME_PATTERN, namePatternProblem } from '../settings/name-pattern';
import { UsageError } from './errors';
import { parseShard, shardFromEnv, ShardSpecError, type ShardSpec } from '../jobs/shard';
import { parseRepairOptions, type RepairCliOptions } from './repair-options';
import { parseColorizeOptions, type ColorizeCliOptions } from './colorize-options';

export { UsageError };

/** Options as commander hands them over (strings, booleans). */
export interface RawEnhanceOptions {
  output?: string;
  model: string;
  scale: string;
  format: string;
  fallbackFormat?: string;
  /** Absent unless given: without it, `name` (or the default pattern) names the results. */
  suffix?: string;
  /** Naming pattern (`--name`); absent = {@link DEFAULT_NAME_PATTERN}. */
  name?: string;
  device: string;
  tile?: string;
  threads?: string;
  quality?: string;
  /** Absent when the parser is called without commander's default ('all'). */
  metadata?: string;
  keepFileTimes?: boolean;
  maxMegapixels?: string;
  recursive?: boolean;
  overwrite?: boolean;
  force?: boolean;
  json?: boolean;
  dataDir?: string;
  promptMode?: string;
  prompt?: string;
  colorFix?: string;
  strength?: string;
  /** `i/n` (also REVIVE_SHARD). */
  shard?: string;
  /** Take the shard index from JOB_COMPLETION_INDEX / AWS_BATCH_JOB_ARRAY_INDEX. */
  shardFromEnv?: boolean;
  /** The count with --shard-from-env (also REVIVE_SHARD_COUNT). */
  shardCount?: string;
  /** Old-photo repair (cli/repair-options.ts). */
  repair?: string;
  repairSensitivity?: string;
  colour?: string;
  colourStrength?: string;
  mask?: string;
  /** The inpainting pack for large holes: an id, auto (the default: the installed one, if any) or none. */
  inpaintPack?: string;
  faces?: string;
  facePack?: string;
  faceFidelity?: string;
  /** The colour stage (cli/colorize-options.ts). */
  colorize?: string;
  colorizePack?: string;
  colorizeStrength?: string;
}

/** The faces stage from the command line (`--faces auto --face-pack ID [--face-fidelity PCT]`). */
export interface FacesCliOptions {
  pack: string;
  /** 0–100. */
  fidelity?: number;
}

/** Settings only diffusion models take; absent = the pack's defaults. */
export interface DiffusionCliOptions {
  promptMode?: PromptMode;
  prompt?: string;
  colorFix?: ColorFix;
  /** 0–100. */
  strength?: number;
}

export interface EnhanceOptions {
  outDir?: string;
  model: string;
  scale: OutputScale;
  format: FormatChoice;
  /** Written instead of `format` for photos whose result `format` cannot hold (jobs/output-size.ts). */
  fallbackFormat?: OutputFormat;
  /** `--suffix`: the result is `<name><suffix>` (used when `namePattern` is absent). */
  suffix: string;
  /** `--name`, or the default pattern when neither `--name` nor `--suffix` is given. */
  namePattern?: string;
  device: ProviderChoice;
  tile?: number;
  threads?: number;
  quality?: number;
  /** The original's metadata in each result; absent = 'all'. */
  metadata?: Exclude<MetadataMode, 'all'>;
  /** Results get their original's file times. */
  keepFileTimes?: true;
  /** Refuse photos with more megapixels than this (absent: 200). */
  maxMegapixels?: number;
  recursive: boolean;
  overwrite: boolean;
  /** Redo photos that already have a result with the same content and settings (absent: they are skipped). */
  force?: boolean;
  json: boolean;
  dataDir?: string;
  /** Diffusion models only (absent or empty: the pack's defaults). */
  diffusion?: DiffusionCliOptions;
  /** Only this shard of the photos (jobs/shard.ts); absent: all of them. */
  shard?: ShardSpec;
  /** Old-photo repair before the model (absent: none). */
  repair?: RepairCliOptions;
  /** Restore faces after super-resolution (absent: off). */
  faces?: FacesCliOptions;
  /** Colourise black-and-white photos, last (absent: off). */
  colorize?: ColorizeCliOptions;
}

function positiveInt(option: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${option} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  const v = value.toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`${option} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return v as T;
}

/** A format as typed, with the usual other spellings ("jpeg", "tif") taken. */
function formatName(text: string): string {
  const t = text.toLowerCase();
  return t === 'jpeg' ? 'jpg' : t === 'tif' ? 'tiff' : text;
}

/** The shard asked for: `--shard i/n`, or `--shard-from-env` with the count; both at once is ambiguous. */
export function parseShardOptions(raw: Pick<RawEnhanceOptions, 'shard' | 'shardFromEnv' | 'shardCount'>, env: NodeJS.ProcessEnv): ShardSpec | undefined {
  try {
    if (raw.shardFromEnv) {
      if (raw.shard !== undefined) throw new ShardSpecError('give either --shard (or REVIVE_SHARD) or --shard-from-env, not both');
      return shardFromEnv(env, raw.shardCount);
    }
    if (raw.shardCount !== undefined && raw.shard === undefined) throw new ShardSpecError('--shard-count goes with --shard-from-env');
    return raw.shard === undefined ? undefined : parseShard(raw.shard);
  } catch (err) {
    if (err instanceof ShardSpecError) throw new UsageError(`shard: ${err.message}`);
    throw err;
  }
}

/** Checks and converts the raw options; throws UsageError naming the offending option and value. */
export function parseEnhanceOptions(raw: RawEnhanceOptions, env: NodeJS.ProcessEnv = process.env): EnhanceOptions {
  const shard = parseShardOptions(raw, env);
  const scaleText = raw.scale.replace(/x$/i, '');
  const scale = Number(scaleText);
  if (!/^\d+$/.test(scaleText) || !(OUTPUT_SCALES as readonly number[]).includes(scale)) {
    throw new UsageError(`--scale must be one of ${OUTPUT_SCALES.join(', ')}, got ${JSON.stringify(raw.scale)}`);
  }
  const format = oneOf<OutputFormat | 'same'>('--format', formatName(raw.format), [...OUTPUT_FORMATS, 'same']);
  const fallbackFormat = raw.fallbackFormat === undefined ? undefined : oneOf('--fallback-format', formatName(raw.fallbackFormat), OUTPUT_FORMATS);
  const naming = parseNaming(raw);
  return {
    ...(raw.output !== undefined ? { outDir: raw.output } : {}),
    model: raw.model,
    scale: scale as OutputScale,
    format,
    ...(fallbackFormat !== undefined ? { fallbackFormat } : {}),
    ...naming,
    device: oneOf('--device', raw.device, PROVIDER_CHOICES),
    ...(raw.tile !== undefined ? { tile: positiveInt('--tile', raw.tile, 8192) } : {}),
    ...(raw.threads !== undefined ? { threads: positiveInt('--threads', raw.threads, 1024) } : {}),
    ...(raw.quality !== undefined ? { quality: positiveInt('--quality', raw.quality, 100) } : {}),
    ...metadataField(raw.metadata),
    ...(raw.keepFileTimes ? { keepFileTimes: true as const } : {}),
    ...(raw.maxMegapixels !== undefined ? { maxMegapixels: positiveInt('--max-megapixels', raw.maxMegapixels, 10_000) } : {}),
    recursive: raw.recursive ?? false,
    overwrite: raw.overwrite ?? false,
    ...(raw.force ? { force: true } : {}),
    json: raw.json ?? false,
    ...(raw.dataDir !== undefined ? { dataDir: raw.dataDir } : {}),
    ...diffusionField(parseDiffusionOptions(raw)),
    ...(shard ? { shard } : {}),
    ...repairField(raw),
    ...facesField(raw),
    ...colorizeField(raw),
  };
}

/** `--name` and `--suffix` (one or the other): a suffix is the pattern "{name}<suffix>" with the suffix taken literally. */
function parseNaming(raw: RawEnhanceOptions): { suffix: string; namePattern?: string } {
  if (raw.suffix !== undefined && raw.name !== undefined) {
    throw new UsageError('--name and --suffix both name the results; give one (--suffix S is --name "{name}S")');
  }
  if (raw.suffix !== undefined) {
    try {
      validateSuffix(raw.suffix);
    } catch (err) {
      throw new UsageError(`--suffix: ${(err as Error).message}`);
    }
    return { suffix: raw.suffix };
  }
  const pattern = raw.name ?? DEFAULT_NAME_PATTERN;
  const problem = namePatternProblem(pattern);
  if (problem) throw new UsageError(`--name: ${problem}`);
  return { suffix: DEFAULT_SUFFIX, namePattern: pattern };
}

/** A 0–100 percentage option ("80" or "80%"). */
function percentage(option: string, value: string): number {
  const text = value.trim().replace(/%$/, '');
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n >= 0 && n <= 100)) throw new UsageError(`${option} must be a percentage from 0 to 100, got ${JSON.stringify(value)}`);
  return n;
}

/** The `faces` field when `--faces auto`; face options without it are a mistake worth saying. */
function facesField(raw: RawEnhanceOptions): { faces?: FacesCliOptions } {
  const mode = raw.faces === undefined ? 'off' : oneOf('--faces', raw.faces, ['off', 'auto'] as const);
  if (mode === 'off') {
    if (raw.facePack !== undefined || raw.faceFidelity !== undefined) throw new UsageError('--face-pack and --face-fidelity need --faces auto');
    return {};
  }
  if (raw.facePack === undefined) throw new UsageError('--faces auto needs --face-pack ID (a face-restore pack; `revive models` lists them)');
  return { faces: { pack: raw.facePack, ...(raw.faceFidelity !== undefined ? { fidelity: percentage('--face-fidelity', raw.faceFidelity) } : {}) } };
}

/** The `metadata` field only when it is not the default 'all' (so default options stay as they were). */
function metadataField(value: string | undefined): { metadata?: Exclude<MetadataMode, 'all'> } {
  if (value === undefined) return {};
  const mode = oneOf('--metadata', value, METADATA_MODES);
  return mode === 'all' ? {} : { metadata: mode };
}

/** The `diffusion` field only when a diffusion option was given (pixel-sr runs carry none). */
function diffusionField(d: DiffusionCliOptions): { diffusion?: DiffusionCliOptions } {
  return Object.keys(d).length ? { diffusion: d } : {};
}

/** The diffusion-only options: names and ranges checked here, fit with the model checked once the pack is known. */
function parseDiffusionOptions(raw: RawEnhanceOptions): DiffusionCliOptions {
  const out: DiffusionCliOptions = {};
  if (raw.promptMode !== undefined) out.promptMode = oneOf('--prompt-mode', raw.promptMode, PromptModeSchema.options);
  if (raw.colorFix !== undefined) out.colorFix = oneOf('--color-fix', raw.colorFix, ColorFixSchema.options);
  if (raw.prompt !== undefined) {
    if (raw.prompt.length > MAX_PROMPT_CHARS) throw new UsageError(`--prompt is ${raw.prompt.length} characters; at most ${MAX_PROMPT_CHARS}`);
    out.prompt = raw.prompt;
  }
  if (raw.strength !== undefined) {
    const text = raw.strength.trim().replace(/%$/, '');
    const n = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !(n >= 0 && n <= 100)) {
      throw new UsageError(`--strength must be a percentage from 0 to 100, got ${JSON.stringify(raw.strength)}`);
    }
    out.strength = n;
  }
  if (out.promptMode === 'none' && out.prompt !== undefined) {
    throw new UsageError('--prompt has no effect with --prompt-mode none; use --prompt-mode tags or custom');
  }
  if (out.promptMode === 'custom' && !(out.prompt ?? '').trim()) {
    throw new UsageError('--prompt-mode custom needs --prompt TEXT');
  }
  return out;
}

function colorizeField(raw: RawEnhanceOptions): { colorize?: ColorizeCliOptions } {
  let c;
  try {
    c = parseColorizeOptions(raw);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return c ? { colorize: c } : {};
}

function repairField(raw: RawEnhanceOptions): { repair?: RepairCliOptions } {
  let r;
  try {
    r = parseRepairOptions(raw);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return r ? { repair: r } : {};
}
