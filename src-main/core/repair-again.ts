/**
 * "Repair again" from the compare view, and the rule that keeps the page from naming mask files: a repair mask in
 * settings the page sends must be one the core kept in the data folder's masks folder.
 */
import path from 'node:path';
import type { RestoreSettings } from '../../src-preload/contract';
import { rerun } from '../jobs/library-actions';
import type { JobRecord, QueueStore } from '../jobs/queue-store';
import type { LibraryStore } from '../library/library-store';
import { saveEditedMask, type MaskStroke } from '../library/mask-edits';
import { CodedError } from '../pixels/coded-error';
import { isBelow } from './uploads';

/**
 * Refuses (NOT_ALLOWED) a `repair.mask` outside `masksDir`: the engine would read any file the page named. "Repair
 * again" makes masks there, and a re-run passes its row's own back.
 */
export function checkMaskSetting(settings: Pick<RestoreSettings, 'repair'>, masksDir: string): void {
  const mask = settings.repair?.mask;
  if (mask === undefined) return;
  const inside = path.isAbsolute(mask) && path.normalize(mask) === mask && isBelow(mask, masksDir);
  if (!inside) throw new CodedError('NOT_ALLOWED', `the repair mask ${JSON.stringify(mask)} is not one Revive kept; edit the mask in the compare view instead`);
}

/**
 * Paints `strokes` over library entry `id`'s repair mask (the one its result used; else the one its settings named;
 * else an empty mask at the photo's size), keeps the edited mask in `masksDir`, and queues the entry's original again
 * with its settings and that mask (forced: a second result beside the first). The caller checks the original may run.
 * @throws CodedError NOT_FOUND (no such entry, or one without a photo size), MASK_UNUSABLE (the base mask unreadable or
 * of another size).
 */
export async function repairAgain(library: LibraryStore, queue: QueueStore, masksDir: string, id: number, strokes: readonly MaskStroke[]): Promise<JobRecord> {
  let row;
  try {
    row = library.get(id);
  } catch (err) {
    throw new CodedError('NOT_FOUND', (err as Error).message);
  }
  if (row.sourceWidth === null || row.sourceHeight === null) {
    throw new CodedError('NOT_FOUND', `library entry ${id} has no photo size to draw a mask on (it failed before its photo was read)`);
  }
  const base = row.repairMask ?? row.settings.repair?.mask ?? null;
  let mask: string;
  try {
    mask = await saveEditedMask(masksDir, { file: base, width: row.sourceWidth, height: row.sourceHeight }, strokes);
  } catch (err) {
    throw new CodedError('MASK_UNUSABLE', (err as Error).message);
  }
  // A result without repair gets the pipeline's defaults; the mask replaces detection either way.
  const repair = { ...(row.settings.repair ?? {}), mask };
  return rerun(library, queue, id, { repair });
}
