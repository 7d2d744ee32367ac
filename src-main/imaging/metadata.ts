/**
 * Carrying a photo's metadata over to its enhanced copy, with ExifTool (through exiftool-vendored, which bundles the
 * Perl ExifTool and keeps one long-lived process answering requests).
 *
 * Why ExifTool rather than sharp's `keepMetadata()`: measured here, sharp writes no EXIF into TIFF, keeps IPTC only
 * for JPEG, drops extended XMP and some maker-note sections. ExifTool copies every writable tag, maker notes as a
 * block, and writes extended XMP in JPEG when the packet outgrows one APP1 segment.
 *
 * What a copy does, in this order (ExifTool applies later assignments over earlier ones):
 *   1. IPTC → XMP with ExifTool's IPTC Core mapping (iptc2xmp.args) — only where the output has no IPTC block
 *      (PNG, WebP, AVIF), so captions, keywords and creator survive there as XMP. XMP already in the original wins.
 *   2. every writable tag from the original into the same group (`-all:all`); ICC is not copied here: the encoder
 *      embeds the profile the pixels were converted into (see write.ts).
 *   3. Orientation = 1 (the pixels are upright), dimension tags set to the new size, GPS removed on request. The
 *      original's EXIF thumbnail (IFD1) and XMP thumbnails are never copied (they show the old picture, sideways when
 *      it was rotated): a JPEG result whose original had an EXIF thumbnail gets a new one made from the result
 *      (cameras and file browsers show it); other formats get none.
 *   4. provenance: EXIF Software and ProcessingSoftware, and an XMP-xmpMM:History entry naming the model and scale.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DefaultExiftoolArgs, ExifTool } from 'exiftool-vendored';
import { spawnWatchedExifTool } from './exiftool-watchdog';
import { appPaths } from '../pixels/app-paths';
import { THUMB_TEMP_SUFFIX } from './atomic';
import type { OutputFormat } from './formats';
import type { MetadataMode } from './metadata-modes';
import { sharp } from './sharp-instance';
import { serializeStruct } from './xmp-struct';
import { escapeControl } from '../pixels/one-line';

export { METADATA_MODES, type MetadataMode } from './metadata-modes';

/** What made the output, recorded in it. */
export interface Provenance {
  /** Model pack id ("realesrgan-x4fast"). */
  model: string;
  /** Output scale relative to the original (1–4). */
  scale: number;
}

/** Output formats with no IPTC block of their own: IPTC travels there as XMP (IPTC Core mapping). */
const NO_IPTC_BLOCK: ReadonlySet<OutputFormat> = new Set(['png', 'webp', 'avif']);

let cachedVersion: string | undefined;

/** Revive's version, from the app's own package.json ("0.1.0"). */
export function reviveVersion(): string {
  if (cachedVersion === undefined) {
    const pkg = JSON.parse(readFileSync(appPaths().packageJson, 'utf8')) as { version?: unknown };
    if (typeof pkg.version !== 'string') throw new Error('package.json has no "version" string');
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}

let tool: ExifTool | undefined;

/**
 * The one ExifTool of this process, started on first use. One child process is plenty for one photo at a time, and
 * keeps the engine from competing with the model for cores.
 */
export function metadataTool(): ExifTool {
  if (tool) return tool;
  const t: ExifTool = new ExifTool({
    maxProcs: 1,
    useMWG: false,
    taskTimeoutMillis: 60_000,
    // On POSIX, behind a watchdog so the tool never outlives this process (see exiftool-watchdog.ts).
    ...(process.platform === 'win32'
      ? {}
      : { processFactory: async () => spawnWatchedExifTool('perl', await t.exiftoolPath(), DefaultExiftoolArgs) }),
  });
  tool = t;
  return tool;
}

/** Ends the ExifTool child process (the engine calls this on exit); a later copy starts a new one. */
export async function closeMetadataTool(): Promise<void> {
  const t = tool;
  tool = undefined;
  if (t) await t.end();
}

/** Tags read from a file with `-G1` (family-1 group names as key prefixes, "IFD0:Make"). */
export type GroupedTags = Record<string, unknown>;

/** Reads every tag of `file` keyed by family-1 group and name ("ExifIFD:DateTimeOriginal"), duplicates included. */
export async function readGroupedTags(file: string): Promise<GroupedTags> {
  return (await metadataTool().readRaw(file, { readArgs: ['-G1', '-a', '-struct'] })) as GroupedTags;
}

export interface CopyMetadataOptions {
  /** The original photo. */
  source: string;
  /** Format of `target`. */
  format: OutputFormat;
  /** Size of `target` in pixels. */
  width: number;
  height: number;
  /** 'all' (default), 'no-gps' or 'none' (nothing copied and nothing added). */
  mode?: MetadataMode;
  provenance?: Provenance;
  /** A thumbnail of the result (JPEG file) to embed as the EXIF thumbnail; see {@link copyMetadata}. */
  thumbnail?: string;
}

/** Longest side of a regenerated EXIF thumbnail: DCF's 160×120, what cameras write. */
export const EXIF_THUMBNAIL_SIDE = 160;

/** Tags recording the image size, set to the output's size where the original had them. */
const DIMENSION_TAGS: ReadonlyArray<readonly [string, 'w' | 'h']> = [
  ['ExifIFD:ExifImageWidth', 'w'],
  ['ExifIFD:ExifImageHeight', 'h'],
  ['XMP-exif:PixelXDimension', 'w'],
  ['XMP-exif:PixelYDimension', 'h'],
  ['XMP-tiff:ImageWidth', 'w'],
  ['XMP-tiff:ImageHeight', 'h'],
];

/** Tags holding an orientation, set to 1 where the original had them. */
const ORIENTATION_TAGS = ['IFD0:Orientation', 'XMP-tiff:Orientation'];

/** ExifTool's "now" as "YYYY:MM:DD hh:mm:ss±hh:mm" in local time, for the history entry. */
function exifNow(date = new Date()): string {
  const pad = (n: number): string => String(Math.abs(n)).padStart(2, '0');
  const off = -date.getTimezoneOffset();
  return (
    `${date.getFullYear()}:${pad(date.getMonth() + 1)}:${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${off < 0 ? '-' : '+'}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`
  );
}

/**
 * The ExifTool arguments that copy `source`'s metadata onto the output (see the module doc for the steps). Pure, so
 * the rules can be read and tested without running ExifTool; `present` are the original's grouped tag names.
 */
export function copyArguments(options: CopyMetadataOptions, present: ReadonlySet<string>, iptcToXmpArgs: string): string[] {
  const mode = options.mode ?? 'all';
  if (mode === 'none') return [];
  const args = ['-overwrite_original', '-TagsFromFile', options.source];
  const noIptc = NO_IPTC_BLOCK.has(options.format);
  if (noIptc) args.push('-@', iptcToXmpArgs);
  args.push('-all:all');
  // ExifTool writes (non-standard) IPTC into PNG when asked to; the readers that matter expect XMP there. Deleted
  // after the copy rather than excluded from it, as an exclusion would also hide IPTC from the mapping in step 1.
  if (noIptc) args.push('-IPTC:all=', '-Photoshop:all=');
  // Deleted after the copy: an exclusion (--GPS:all) still lets ExifTool recreate some GPS tags from the others.
  if (mode === 'no-gps') args.push('-GPS:all=', '-XMP-exif:GPS*=');
  // The thumbnail and old previews would show the picture at its old size (and, when rotated, sideways); a new
  // one, made from the result, replaces the EXIF thumbnail where there is one to make.
  args.push('--IFD1:all', '--XMP-xmp:Thumbnails');
  if (options.thumbnail) args.push(`-ThumbnailImage<=${options.thumbnail}`);

  args.push('-IFD0:Orientation#=1');
  for (const tag of ORIENTATION_TAGS.slice(1)) if (present.has(tag)) args.push(`-${tag}#=1`);
  for (const [tag, side] of DIMENSION_TAGS) {
    if (present.has(tag)) args.push(`-${tag}=${side === 'w' ? options.width : options.height}`);
  }
  const software = `Revive ${reviveVersion()}`;
  args.push(`-IFD0:Software=${software}`);
  if (options.provenance) {
    const { model, scale } = options.provenance;
    const what = `enhanced ${scale}x with model ${model}`;
    // One argument is one line of ExifTool's argument stream: a control character in a model id must not end it.
    args.push(`-IFD0:ProcessingSoftware=${escapeControl(`${software} (${what})`)}`);
    // A struct in ExifTool's serialized syntax: a model id or settings text may hold its separators (commas,
    // brackets, '|'), so every value is escaped (xmp-struct.ts).
    const entry = serializeStruct([['Action', 'derived'], ['When', exifNow()], ['SoftwareAgent', software], ['Parameters', what]]);
    args.push(`-XMP-xmpMM:History+=${entry}`);
  } else {
    args.push(`-IFD0:ProcessingSoftware=${software}`);
  }
  return args;
}

/** Where ExifTool's own IPTC → XMP mapping file lies (beside the bundled exiftool script). */
async function iptcToXmpArgsPath(): Promise<string> {
  const exe = await metadataTool().exiftoolPath();
  return path.join(path.dirname(exe), 'arg_files', 'iptc2xmp.args');
}

/**
 * Copies the metadata of `options.source` onto `target` (an encoded output, still under its temp name) in place,
 * as described in the module doc. Returns ExifTool's warnings (minor problems it worked around).
 *
 * @throws Error from ExifTool when the target cannot be written (the caller decides whether that fails the photo).
 */
export async function copyMetadata(target: string, options: CopyMetadataOptions): Promise<string[]> {
  if ((options.mode ?? 'all') === 'none') return [];
  const present = new Set(Object.keys(await readGroupedTags(options.source)));
  // A JPEG result of an original with an EXIF thumbnail gets a new one (EXIF thumbnails belong to JPEG's APP1).
  // Made beside the target (the output's temp file), so a killed engine's clean-up and start-up recovery remove it
  // with the target (atomic.ts THUMB_TEMP_SUFFIX); never in the system temp folder.
  const thumbnail =
    options.format === 'jpg' && present.has('IFD1:ThumbnailImage') && !options.thumbnail ? `${target}${THUMB_TEMP_SUFFIX}` : undefined;
  try {
    if (thumbnail) {
      // The target is Revive's own result, which may be far larger than sharp's default 268 MP input guard.
      await sharp(target, { limitInputPixels: false })
        .resize(EXIF_THUMBNAIL_SIDE, EXIF_THUMBNAIL_SIDE, { fit: 'inside' })
        .jpeg({ quality: 80 })
        .toFile(thumbnail);
    }
    const args = copyArguments({ ...options, ...(thumbnail ? { thumbnail } : {}) }, present, await iptcToXmpArgsPath());
    const result = await metadataTool().write(target, {}, { writeArgs: args });
    return (result.warnings ?? []).filter((w) => !EXPECTED_NOTICES.some((re) => re.test(w)));
  } finally {
    if (thumbnail) await rm(thumbnail, { force: true });
  }
}

/** ExifTool notices that describe the original rather than a problem: an original with no metadata to copy. */
const EXPECTED_NOTICES: readonly RegExp[] = [/No writable tags set from/i];
