/**
 * Which files the interface may load: only files whose first bytes are a supported image go on the allow-list, so a
 * path typed into the browser cannot turn `/etc/passwd` into something the page can load.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { describeNonImage, sniffFormat } from '../imaging/formats';
import { probeImage } from '../imaging/probe';
import { regularFileProblem } from '../jobs/inputs';
import type { AllowList } from './allow-list';

/** Why a file is not a photo Revive reads, or null when its first bytes are a supported image. */
export async function notAnImage(file: string): Promise<string | null> {
  // A FIFO or a device would block `open` on a pool thread forever: its metadata says so without opening it.
  const special = await regularFileProblem(file);
  if (special) return special;
  // Non-blocking as well: should the file be swapped for a FIFO after the check, opening it still returns at once.
  const fh = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const head = new Uint8Array(64);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const sniffed = sniffFormat(head.subarray(0, bytesRead));
    if (sniffed.kind === 'supported') return null;
    return sniffed.kind === 'unsupported' ? `${sniffed.format} images are not supported` : describeNonImage(head.subarray(0, bytesRead), (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

/**
 * Reads `file`'s header (no pixels decoded): its size and dimensions, or why it is refused — a damaged header
 * (CORRUPT), an unreadable file, or more pixels than `maxPixels` (TOO_LARGE). The reason leaves out the path: the
 * page shows it beside the file's name.
 */
export async function checkHeader(
  file: string,
  maxPixels: number,
): Promise<{ sizeBytes: number; width: number; height: number } | { code: string; reason: string }> {
  try {
    const p = await probeImage(file);
    if (p.width * p.height > maxPixels) {
      const mp = (n: number): string => `${Math.round(n / 1e5) / 10} MP`;
      return { code: 'TOO_LARGE', reason: `${p.width}×${p.height} (${mp(p.width * p.height)}) is over the ${mp(maxPixels)} limit` };
    }
    return { sizeBytes: p.bytes, width: p.width, height: p.height };
  } catch (err) {
    const message = (err as Error).message;
    const reason = message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
    return { code: (err as { code?: string }).code ?? 'UNREADABLE', reason };
  }
}

/**
 * Why `file` may not become an input whatever its bytes, or null: it lies in a folder the allow-list denies (Revive's
 * data folder), by the path given or by its real path. Nothing is opened to decide.
 */
export async function refusedInput(allowList: AllowList, file: string): Promise<string | null> {
  const real = await realpath(file).catch(() => path.resolve(file));
  if (allowList.isDenied(path.resolve(file)) || allowList.isDenied(real)) return "inside Revive's data folder (its database and settings are not photos)";
  return null;
}

/**
 * Puts sources on the allow-list when they are images. Queue and library rows may name anything the user typed;
 * each file is checked once (path → is an image), so listing 1,000 items does not read them all again.
 */
export class ImageAllower {
  readonly #allowList: AllowList;
  readonly #checked = new Map<string, boolean>();

  constructor(allowList: AllowList) {
    this.#allowList = allowList;
  }

  async allowIfImage(file: string): Promise<void> {
    let ok = this.#checked.get(file);
    if (ok === undefined) {
      ok = ((await refusedInput(this.#allowList, file)) ?? (await notAnImage(file).catch(() => 'unreadable'))) === null;
      this.#checked.set(file, ok);
    }
    if (ok) this.#allowList.allowFile(file);
  }
}
