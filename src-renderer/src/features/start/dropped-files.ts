/**
 * Files out of a drop: plain files, and the images inside dropped folders (browsers hand folders over as
 * directory entries that must be walked). Only used where the host cannot take folder paths itself (the browser).
 */

/** Directory entries, as Chromium and Firefox expose them on DataTransferItem. */
interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(success: (f: File) => void, failure: (e: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: EntryLike[]) => void, failure: (e: unknown) => void): void };
}

const IMAGE_NAME = /\.(jpe?g|jpe|jfif|png|webp|tiff?|gif|avif|heic|heif)$/i;

async function walk(entry: EntryLike, out: File[], depth: number): Promise<void> {
  if (entry.isFile && entry.file) {
    if (!IMAGE_NAME.test(entry.name)) return;
    out.push(await new Promise<File>((resolve, reject) => entry.file!(resolve, reject)));
  } else if (entry.isDirectory && entry.createReader && depth < 32) {
    const reader = entry.createReader();
    // readEntries returns at most ~100 entries per call; keep reading until it returns none.
    for (;;) {
      const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await walk(child, out, depth + 1);
    }
  }
}

/** All image files of a drop, folders expanded. */
export async function filesFromDrop(data: DataTransfer): Promise<File[]> {
  const entries: EntryLike[] = [];
  for (const item of Array.from(data.items ?? [])) {
    const getEntry = (item as DataTransferItem & { webkitGetAsEntry?: () => EntryLike | null }).webkitGetAsEntry;
    const entry = typeof getEntry === 'function' ? getEntry.call(item) : null;
    if (entry) entries.push(entry);
  }
  if (!entries.length) return Array.from(data.files ?? []);
  const out: File[] = [];
  for (const e of entries) await walk(e, out, 0);
  return out;
}

/**
 * Files chosen in the browser's dialog (where "All files" lets anything through): photos by type or name, and the
 * rest, which the page refuses visibly rather than dropping in silence.
 */
export function splitPhotos(files: readonly File[]): { photos: File[]; refused: File[] } {
  const photos: File[] = [];
  const refused: File[] = [];
  for (const f of files) (f.type.startsWith('image/') || IMAGE_NAME.test(f.name) ? photos : refused).push(f);
  return { photos, refused };
}

/** Lines of pasted text that look like absolute paths (POSIX or Windows), for "paste a path". */
export function pathsFromText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^file:\/\//, ''))
    .filter((l) => l.startsWith('/') || /^[A-Za-z]:[\\/]/.test(l));
}
