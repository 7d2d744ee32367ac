/**
 * The Models screen's before/after samples of the packs that come with Revive: a 64×48 crop of the bundled sample
 * photo (resources/sample/fallen-leaf.jpg, see its PROVENANCE.md) restored 4× by each pack, through the real CLI.
 * Output: src-renderer/public/samples/<pack id>/{before,after}.png (committed; rerun after a pack changes):
 *   npm run build && npx tsx scripts/make-pack-samples.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

const ROOT = path.resolve(import.meta.dirname, '..');
const CROP = { left: 128, top: 96, width: 64, height: 48 };
const PACKS = ['realesrgan-x4fast', 'realesrgan-x4plus'];

const work = mkdtempSync(path.join(os.tmpdir(), 'revive-samples-'));
try {
  const crop = path.join(work, 'leaf.png');
  await sharp(path.join(ROOT, 'resources/sample/fallen-leaf.jpg')).extract(CROP).png().toFile(crop);
  for (const id of PACKS) {
    const dir = path.join(ROOT, 'src-renderer/public/samples', id);
    mkdirSync(dir, { recursive: true });
    await sharp(crop).png().toFile(path.join(dir, 'before.png'));
    const out = path.join(work, id);
    execFileSync(process.execPath, [path.join(ROOT, 'bin/revive.js'), 'enhance', crop, '-m', id, '-s', '4', '-f', 'png', '-o', out, '--metadata', 'none', '--data-dir', path.join(work, 'data')], { stdio: 'inherit' });
    const [result] = readdirSync(out).filter((f) => f.endsWith('.png'));
    renameSync(path.join(out, result!), path.join(dir, 'after.png'));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
