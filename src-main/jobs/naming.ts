/**
 * Where each result goes: `<name><suffix>.<ext>` next to the original (or in `--output`), numbered `-1`, `-2`, … when
 * the name is taken. `--overwrite` lets a result replace an earlier result — a file Revive wrote, as the context says
 * ({@link NamingContext.replaceable}) — never a file it did not write (that one is numbered around, as without
 * `--overwrite`), and an original photo is never a target: an output path equal to any input of the batch is refused.
 *
 * Pure: the file system is reached only through the `exists` callback, so every rule is a unit test.
 */
import { DEFAULT_SUFFIX } from '../settings/job-settings';

export { DEFAULT_SUFFIX };
import path from 'node:path';
import { extensionOf, INPUT_EXTENSIONS, OUTPUT_EXTENSION, outputFormatFor, type OutputFormat } from '../imaging/formats';
import { CodedError } from '../pixels/coded-error';

export type FormatChoice = OutputFormat | 'same';


export interface NamingOptions {
  /** Folder for the results; default: next to each original. */
  outDir?: string;
  /** Appended to the original's name; default "_revive". May be empty. */
  suffix?: string;
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

  constructor(options: NamingOptions, ctx: NamingContext) {
    validateSuffix(options.suffix ?? DEFAULT_SUFFIX);
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
    const suffix = this.#options.suffix ?? DEFAULT_SUFFIX;
    const resolved = resolveOutputFormat(input, format);
    const ext = outputExtension(input, format, resolved);
    const dir = outDir ? path.resolve(outDir) : path.dirname(input);
    const stem = path.basename(input, path.extname(input));
    for (let n = 0; n <= MAX_NUMBER; n++) {
      const candidate = path.join(dir, `${stem}${suffix}${n === 0 ? '' : `-${n}`}.${ext}`);
      const key = this.#key(candidate);
      if (this.#reserved.has(key)) continue;
      if (this.#inputs.has(key)) {
        if (overwrite) {
          throw new NamingError(`refusing to overwrite the original ${candidate}: choose a suffix or an output folder`);
        }
        continue;
      }
      if (this.#ctx.exists(candidate) && !(overwrite && this.#ctx.replaceable(candidate))) continue;
      this.#reserved.add(key);
      return { path: candidate, format: resolved };
    }
    throw new NamingError(`no free output name for ${input}: ${stem}${suffix}-1 … -${MAX_NUMBER} are all taken`);
  }
}
