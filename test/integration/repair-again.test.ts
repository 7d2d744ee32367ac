/**
 * Issue 15 point 5 through the core services with the real engine: a repaired result keeps the mask it used in the
 * data folder (never beside the photo) and its library row names it; "Repair again" paints strokes over that mask,
 * keeps the edited mask in the data folder and queues the original with it; the new row keeps the edited mask, and
 * running that row again reproduces its result bit for bit. A mask path from the page is refused.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type MaskStroke } from '../../src-preload/contract';
import type { CoreLibraryEntry, ReviveCore } from '../../src-main/core/port';
import { openReviveCore } from '../../src-main/core/services';
import { readMask } from '../../src-main/imaging/mask';
import type { JobProgress } from '../../src-main/jobs/progress';
import { applyStrokes } from '../../src-main/library/mask-edits';
import { DEFAULT_SETTINGS } from '../support/fake-core';
import { tempFolders } from '../support/temp-folders';

const PHOTO = '/usr/share/wallpapers/Altai/contents/images/1080x1920.png';
const tmp = tempFolders();
const SETTINGS = {
  ...DEFAULT_SETTINGS,
  scale: 1 as const,
  format: 'png' as const,
  device: 'cpu' as const,
  threads: 1,
  repair: { mode: 'auto' as const, dust: true, scratches: true, sensitivity: 50, colour: 'off' as const, strength: 1 },
};

/** A 96×80 crop of a real photo with white and dark specks, so detection has something to find. */
async function damagedPhoto(file: string): Promise<string> {
  const { data, info } = await sharp(PHOTO).extract({ left: 300, top: 700, width: 96, height: 80 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (const [x, y, v] of [[20, 20, 255], [60, 30, 0], [70, 60, 255]] as const) {
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) data.fill(v, ((y + dy) * info.width + x + dx) * 3, ((y + dy) * info.width + x + dx) * 3 + 3);
  }
  await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toFile(file);
  return file;
}

let core: ReviveCore;
let dataDir: string;
let photos: string;

/** Resolves with the library entry once item `itemId` is done (fails the test on a failed item). */
function finished(itemId: number): Promise<CoreLibraryEntry> {
  return new Promise((resolve, reject) => {
    const off = core.on('progress', (p: JobProgress) => {
      if (p.kind !== 'item' || p.itemId !== itemId) return;
      if (p.state === 'failed') reject(new Error(`item ${itemId} failed: ${p.error}`));
      if (p.state !== 'done') return;
      off();
      void core.queue().then(async (q) => resolve(await core.libraryGet(q.items.find((i) => i.id === itemId)!.libraryId!)), reject);
    });
  });
}

const pixels = async (file: string): Promise<Buffer> => sharp(file).raw().toBuffer();

beforeAll(async () => {
  dataDir = tmp('revive-repair-again-data-');
  photos = tmp('revive-repair-again-photos-');
  core = await openReviveCore(dataDir);
});
afterAll(async () => {
  await core.close();
});

describe('repair masks kept with library rows, "Repair again"', () => {
  it('keeps the used mask, repairs again with painted strokes, and a re-run of that row reproduces it bit for bit', async () => {
    const photo = await damagedPhoto(path.join(photos, 'scan.png'));
    expect((await core.addInputs([photo], false)).added).toHaveLength(1);

    // 1. A repaired result: its mask is kept in the data folder and named by its row.
    const first = await core.startJob([photo], SETTINGS, true);
    const a = await finished(first.itemIds[0]!);
    expect(a.repairMaskPath).toBeTruthy();
    expect(path.dirname(a.repairMaskPath!)).toBe(path.join(dataDir, 'masks'));
    expect(readdirSync(photos).sort()).toEqual([path.basename(a.output!), 'scan.png'].sort());
    const detected = await readMask(a.repairMaskPath!);
    expect([detected.width, detected.height]).toEqual([96, 80]);
    expect(detected.data.some((v) => v === 1)).toBe(true);
    expect(core.allowList.isAllowed(a.repairMaskPath!)).toBe(true);

    // 2. Repair again: a stroke painted over the detected mask, kept in the data folder, queued with the entry's settings.
    const strokes: MaskStroke[] = [{ tool: 'paint', radius: 3, points: [10, 60, 40, 70] }];
    const again = await core.libraryRepairAgain(a.id, strokes);
    const b = await finished(again.itemIds[0]!);
    const edited = b.settings.repair?.mask;
    expect(edited).toMatch(/masks[\\/]edited-[0-9a-f]{32}\.png$/);
    expect(existsSync(edited!)).toBe(true);
    const want = { ...detected, data: detected.data.slice() };
    applyStrokes(want, strokes);
    expect(await readMask(edited!)).toEqual(want);
    // The row keeps the mask the engine used: the edited one, pixel for pixel, which differs from the detected one.
    expect(await readMask(b.repairMaskPath!)).toEqual(want);
    expect(want.data).not.toEqual(detected.data);
    expect(b.output).not.toBe(a.output);
    expect(await pixels(b.output!)).not.toEqual(await pixels(a.output!));

    // 3. Running the new row again (its own settings, as the library's re-run does) reproduces it bit for bit.
    const rerun = await core.libraryRerun(b.id, b.settings);
    const c = await finished(rerun.itemIds[0]!);
    expect(c.settings.repair?.mask).toBe(edited);
    expect(await pixels(c.output!)).toEqual(await pixels(b.output!));
  }, 120_000);

  it('previews a region with repair: the speck inside it is repaired, also with an edited mask in the settings', async () => {
    const photo = await damagedPhoto(path.join(photos, 'region.png'));
    await core.addInputs([photo], false);
    const rect = { x: 8, y: 8, width: 32, height: 32 };
    const plain = await core.previewRegion(photo, rect, { ...SETTINGS, repair: undefined });
    const repaired = await core.previewRegion(photo, rect, SETTINGS);
    // The white speck at (20..22, 20..22) of the photo is (12..14, 12..14) of the crop: white without repair, not with it.
    const at = async (file: string): Promise<number[]> => {
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      return [...data.subarray((13 * info.width + 13) * info.channels, (13 * info.width + 13) * info.channels + 3)];
    };
    expect(Math.min(...(await at(plain.after)))).toBeGreaterThan(230);
    expect(Math.min(...(await at(repaired.after)))).toBeLessThan(200);
    // A whole-photo mask from "Repair again" does not break a preview of a crop (detection runs within the crop).
    const kept = readdirSync(path.join(dataDir, 'masks')).find((f) => f.startsWith('edited-'));
    expect(kept).toBeDefined();
    const withMask = await core.previewRegion(photo, rect, { ...SETTINGS, repair: { ...SETTINGS.repair, mask: path.join(dataDir, 'masks', kept!) } });
    expect(await pixels(withMask.after)).toEqual(await pixels(repaired.after));
  }, 120_000);

  it('refuses a repair mask the page names outside the data folder, and strokes for an unknown entry', async () => {
    const photo = await damagedPhoto(path.join(photos, 'other.png'));
    await core.addInputs([photo], false);
    for (const mask of ['/etc/passwd', path.join(dataDir, 'revive.db'), path.join(dataDir, 'masks', '..', 'revive.db'), 'masks/x.png']) {
      await expect(core.startJob([photo], { ...SETTINGS, repair: { ...SETTINGS.repair, mask } }, true), mask).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    }
    await expect(core.libraryRepairAgain(9999, [{ tool: 'paint', radius: 1, points: [1, 1] }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The schema refuses a file where strokes belong before the core is asked.
    expect(channels['library:repair-again'][0].safeParse({ id: 1, mask: '/etc/passwd', strokes: [] }).success).toBe(false);
  });
});
