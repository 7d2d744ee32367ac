/**
 * Where each result goes: the job's naming pattern filled in (`{name}_{model}_{scale}x` → `beach_realesrgan-x4fast_4x`;
 * grammar in settings/name-pattern.ts), or `<name><suffix>` for a job without one, then `.<ext>`, next to the
 * original (or in `--output`), numbered `-1`, `-2`, … when the name is taken. A filled-in name is one safe file name
 * whatever the photo is called: control characters become "_", and a long original name is shortened so the whole
 * name stays within {@link MAX_STEM_BYTES} bytes. `--overwrite` lets a result replace an earlier result — a file Revive wrote, as the context says
 * ({@link NamingContext.replaceable}) — never a file it did not write (that one is numbered around, as without
 * `--overwrite`), and an original photo is never a target: an output path equal to any input of the batch is refused.
 *
 * Pure: the file system is reached only through the `exists` callback, so every rule is a unit test.
 */
import path from 'node:path';
import { DEFAULT_SUFFIX } from '../settings/job-settings';
import { DEFAULT_NAME_PATTERN, parseNamePattern, suffixParts, type NamePart, type NameToken } from '../settings/name-pattern';

export { DEFAULT_SUFFIX };
import { extensionOf, INPUT_EXTENSIONS, OUTPUT_EXTENSION, outputFormatFor, type OutputFormat } from '../imaging/formats';
import { CodedError } from '../pixels/coded-error';

export type FormatChoice = OutputFormat | 'same';


export interface NamingOptions {
  /** Folder for the results; default: next to each original. */
  outDir?: string;
  /** Appended to the original's name when there is no `namePattern`; default "_revive". May be empty. */
  suffix?: string;
  /** The file name with tokens (settings/name-pattern.ts); when given, `suffix` is not used. */
  namePattern?: string;
  /** `{model}`: the model pack id. */
  model?: string;
  /** `{scale}`. */
  scale?: number;
  /** `{date}`, YYYY-MM-DD; default: today, local time. */
  date?: string;
  /** Output format, or 'same' to keep the original's (PNG when that cannot be written, e.g. GIF). */
  format: FormatChoice;
  /** Replace an earlier result at the computed name instead of numbering (never an input, never a file Revive did not write). */
  overwrite: boolean;
}

export interface NamingContext {
  /** Whether something exists at an absolute path (or the name is otherwise taken). */
  exists(p: string): boolean;
  /**
   * With `overwrite`: whether the taken name `p` may be replaced — a result Revive wrote and recorded, that nothing
   * else is about to write. Anything else is numbered around.
   */
  replaceable(p: string): boolean;
  /** Every input of the batch (absolute; include real paths of symlinks too). Never chosen as an output. */
  inputs: Iterable<string>;
  /** Compare paths case-insensitively (Windows and macOS file systems). Default: by `process.platform`. */
  caseInsensitive?: boolean;
}

/** A planned output. */
export interface PlannedOutput {
  path: string;
  format: OutputFormat;
}

export class NamingError extends CodedError<'OUTPUT_IS_INPUT'> {
  constructor(message: string) {
    super('OUTPUT_IS_INPUT', message);
    this.name = 'NamingError';
  }
}

/**
 * Longest name before the number and extension, in UTF-8 bytes: file systems allow 255, and "-9999.jpeg" must fit.
 */
export const MAX_STEM_BYTES = 200;

/** `{model}` as it goes into a name: pack ids are already safe; anything else is made so. */
function modelForName(model: string): string {
  return model.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
}

/** Today as YYYY-MM-DD, local time (the day a person would say the photo was restored). */
export function localDate(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** `text` cut to at most `bytes` UTF-8 bytes, never inside a character. */
function cutToBytes(text: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (used + n > bytes) break;
    out += ch;
    used += n;
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * The name before number and extension: the parts filled in, control characters (a file may be called anything)
 * replaced by "_", and the original's name shortened when the whole would pass {@link MAX_STEM_BYTES}.
 */
export function fillName(parts: readonly NamePart[], values: Readonly<Record<NameToken, string>>): string {
  const clean = (t: string): string => t.replace(CONTROL, '_');
  const other = parts.map((p) => ('text' in p ? p.text : p.token === 'name' ? '' : clean(values[p.token]))).join('');
  const nameCount = parts.filter((p) => 'token' in p && p.token === 'name').length;
  const room = Math.max(1, Math.floor((MAX_STEM_BYTES - Buffer.byteLength(other)) / nameCount));
  const name = cutToBytes(clean(values.name), room);
  return parts.map((p) => ('text' in p ? p.text : p.token === 'name' ? name : clean(values[p.token]))).join('');
}

/** The parts a naming option set stands for: its pattern, or `{name}` + suffix. */
function partsOf(options: Pick<NamingOptions, 'namePattern' | 'suffix'>): NamePart[] {
  return options.namePattern !== undefined ? parseNamePattern(options.namePattern) : suffixParts(options.suffix ?? DEFAULT_SUFFIX);
}

const escapeRegExp = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What each token can look like in a name Revive gave, for recognising earlier results. */
const TOKEN_SHAPES: Readonly<Record<NameToken, string>> = {
  name: '.+',
  model: '[A-Za-z0-9._-]{1,64}',
  scale: '[1-4]',
  date: '\\d{4}-\\d{2}-\\d{2}',
};

/** A regular expression for names made from `parts` (any model, scale or date in their tokens), "-N" numbers included. */
function partsPattern(parts: readonly NamePart[]): RegExp {
  return new RegExp(`^${parts.map((p) => ('text' in p ? escapeRegExp(p.text) : TOKEN_SHAPES[p.token])).join('')}(?:-\\d+)?$`, 's');
}

/**
 * A test for "this file looks like an earlier result", so adding a folder does not restore results again: named as
 * this job would name it (its pattern with any model, scale or date, or its suffix), or as Revive names results by
 * default now ({@link DEFAULT_NAME_PATTERN}) or did before patterns ({@link DEFAULT_SUFFIX}) — a folder restored
 * with the defaults and then added with another pattern keeps its results out. A bare `{name}` tells nothing apart.
 */
export function earlierResultTest(options: Pick<NamingOptions, 'namePattern' | 'suffix'>): (file: string) => boolean {
  const namings = [partsOf(options), parseNamePattern(DEFAULT_NAME_PATTERN), suffixParts(DEFAULT_SUFFIX)];
  const patterns = namings.filter((parts) => parts.some((p) => 'text' in p || p.token !== 'name')).map(partsPattern);
  return (file) => {
    const stem = path.basename(file, path.extname(file));
    return patterns.some((re) => re.test(stem));
  };
}

/** How many numbered names to try before giving up (a folder with 10 000 results of one photo is a bug elsewhere). */
const MAX_NUMBER = 9999;

/** Throws when a suffix could move the output into another folder or is not a valid file-name part. */
export function validateSuffix(suffix: string): void {
  if (/[\\/\0]/.test(suffix)) throw new RangeError(`suffix must not contain "/", "\\" or NUL, got ${JSON.stringify(suffix)}`);
}

/** The output format for an input: the explicit choice, or the input's own (by extension) for 'same'. */
export function resolveOutputFormat(input: string, format: FormatChoice): OutputFormat {
  if (format !== 'same') return format;
  const inputFormat = INPUT_EXTENSIONS[extensionOf(input)];
  return (inputFormat && outputFormatFor(inputFormat)) ?? 'png';
}

/**
 * The extension to write: for 'same', the original's own spelling (".JPG" stays ".JPG", ".jpeg" stays ".jpeg");
 * otherwise the format's standard one.
 */
function outputExtension(input: string, format: FormatChoice, resolved: OutputFormat): string {
  if (format === 'same') {
    const ext = path.extname(input).slice(1);
    const inputFormat = INPUT_EXTENSIONS[ext.toLowerCase()];
    // Only when the output really is the input's format: a HEIC written as JPEG must not keep ".heic".
    if (inputFormat && inputFormat !== 'heic' && outputFormatFor(inputFormat) === resolved) return ext;
  }
  return OUTPUT_EXTENSION[resolved];
}

/** A batch-wide planner: remembers the outputs it handed out so two inputs never get the same name. */
export class OutputNamer {
  readonly #options: NamingOptions;
  readonly #ctx: NamingContext;
  readonly #key: (p: string) => string;
  readonly #inputs: Set<string>;
  readonly #reserved = new Set<string>();
  readonly #parts: NamePart[];

  constructor(options: NamingOptions, ctx: NamingContext) {
    if (options.namePattern === undefined) validateSuffix(options.suffix ?? DEFAULT_SUFFIX);
    this.#parts = partsOf(options);
    for (const p of this.#parts) {
      if ('token' in p && ((p.token === 'model' && options.model === undefined) || (p.token === 'scale' && options.scale === undefined))) {
        throw new RangeError(`the naming pattern uses {${p.token}} but no ${p.token} was given`);
      }
    }
    this.#options = options;
    this.#ctx = ctx;
    const ci = ctx.caseInsensitive ?? (process.platform === 'win32' || process.platform === 'darwin');
    this.#key = (p) => (ci ? path.resolve(p).toLowerCase() : path.resolve(p));
    this.#inputs = new Set([...ctx.inputs].map(this.#key));
  }

  /**
   * The output for `input` (an absolute path), reserved for this batch. `as` overrides the batch's format for this
   * one photo (a result too large for it is written in the job's fallback format).
   * @throws NamingError when `overwrite` is on and the computed name is an original photo.
   */
  plan(input: string, as?: OutputFormat): PlannedOutput {
    const { outDir, overwrite } = this.#options;
    const format = as ?? this.#options.format;
    const resolved = resolveOutputFormat(input, format);
    const ext = outputExtension(input, format, resolved);
    const dir = outDir ? path.resolve(outDir) : path.dirname(input);
    const o = this.#options;
    const stem = fillName(this.#parts, {
      name: path.basename(input, path.extname(input)),
      model: modelForName(o.model ?? ''),
      scale: String(o.scale ?? ''),
      date: o.date ?? localDate(),
    });
    for (let n = 0; n <= MAX_NUMBER; n++) {
      const candidate = path.join(dir, `${stem}${n === 0 ? '' : `-${n}`}.${ext}`);
      const key = this.#key(candidate);
      if (this.#reserved.has(key)) continue;
      if (this.#inputs.has(key)) {
        if (overwrite) {
          throw new NamingError(`refusing to overwrite the original ${candidate}: choose another naming pattern or an output folder`);
        }
        continue;
      }
      if (this.#ctx.exists(candidate) && !(overwrite && this.#ctx.replaceable(candidate))) continue;
      this.#reserved.add(key);
      return { path: candidate, format: resolved };
    }
    throw new NamingError(`no free output name for ${input}: ${stem}-1 … -${MAX_NUMBER} are all taken`);
  }
}
