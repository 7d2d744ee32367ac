/**
 * Which files the interface may load: only files whose first bytes are a supported image go on the allow-list, so a
 * path typed into the browser cannot turn `/etc/passwd` into something the page can load.
 */
import { open } from 'node:fs/promises';
import { describeNonImage, sniffFormat } from '../imaging/formats';
import type { AllowList } from './allow-list';

/** Why a file is not a photo Revive reads, or null when its first bytes are a supported image. */
export async function notAnImage(file: string): Promise<string | null> {
  const fh = await open(file, 'r');
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
      ok = (await notAnImage(file).catch(() => 'unreadable')) === null;
      this.#checked.set(file, ok);
    }
    if (ok) this.#allowList.allowFile(file);
  }
}
