/**
 * Which inpainting pack a repair job records: the user's choice ('auto', 'none' or a pack id; absent = 'auto')
 * resolved against the installed packs when the job is queued, so the job — and a re-run of it — keeps the pack it
 * was started with even if packs are installed or removed later.
 */
import { CodedError } from '../pixels/coded-error';
import type { InstalledPack } from './registry';

/** Large holes by the classical method, whatever is installed. */
export const NO_INPAINT_PACK = 'none';
/** The installed inpainting pack, if any (the default). */
export const AUTO_INPAINT_PACK = 'auto';

/**
 * The value to record: a pack id, or {@link NO_INPAINT_PACK}. 'auto' takes the first installed inpainting pack by
 * id (a stable pick when several are installed). A named pack must be installed and be an inpainting pack.
 */
export function resolveInpaintPack(choice: string | undefined, installed: readonly InstalledPack[]): string {
  if (choice === NO_INPAINT_PACK) return NO_INPAINT_PACK;
  if (choice === undefined || choice === AUTO_INPAINT_PACK) {
    const ids = installed.filter((p) => p.manifest.kind === 'inpaint').map((p) => p.id).sort();
    return ids[0] ?? NO_INPAINT_PACK;
  }
  const pack = installed.find((p) => p.id === choice);
  if (!pack) throw new CodedError('MODEL_NOT_FOUND', `no inpainting pack "${choice}" is installed`);
  if (pack.manifest.kind !== 'inpaint') throw new CodedError('MODEL_NOT_FOUND', `"${choice}" is a ${pack.manifest.kind} pack, not an inpainting pack`);
  return pack.id;
}

/** The pack a recorded value names, or undefined for the classical method (also for jobs queued before packs). */
export function inpaintPackOf(recorded: string | undefined): string | undefined {
  return recorded === undefined || recorded === NO_INPAINT_PACK || recorded === AUTO_INPAINT_PACK ? undefined : recorded;
}
