/**
 * Before/after samples of the packs that come with Revive, shown on their Models screen cards: a crop of the bundled
 * sample photo and the pack's 4× result (static files in src-renderer/public/samples/, made by
 * scripts/make-pack-samples.ts). Packs installed later have none: their card says so instead of showing a guess.
 */
export const PACK_SAMPLES: Readonly<Record<string, { before: string; after: string }>> = {
  'realesrgan-x4fast': { before: 'samples/realesrgan-x4fast/before.png', after: 'samples/realesrgan-x4fast/after.png' },
  'realesrgan-x4plus': { before: 'samples/realesrgan-x4plus/before.png', after: 'samples/realesrgan-x4plus/after.png' },
};
