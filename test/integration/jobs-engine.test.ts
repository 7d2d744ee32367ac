/**
 * The job runner with the real engine (EngineHost + the x4fast pack) on real photo crops: a batch completes with
 * library rows and thumbnails, cancel kills the engine mid-image without leaving a partial or temp file, and the
 * next item restarts the engine and succeeds.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineHost } from '../../src-main/engine/host';
import { engineFromHost } from '../../src-main/jobs/engine';
import { parseJobSettings } from '../../src-main/settings/job-settings';
import type { JobProgress } from '../../src-main/jobs/progress';
import { JobRunner } from '../../src-main/jobs/runner';
import { runnerStores, tempWorld, type TempWorld } from '../support/job-fixtures';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PACK = path.join(ROOT, 'models', 'realesrgan-x4fast');
const PHOTO = '/usr/share/wallpapers/Altai/contents/images/1080x1920.png';

async function crop(file: string, left: number, top: number, size: number): Promise<string> {
  writeFileSync(file, await sharp(PHOTO).extract({ left, top, width: size, height: size }).png().toBuffer());
  return file;
}

describe('JobRunner with the real engine', () => {
  let w: TempWorld;
  let host: EngineHost;
  beforeEach(() => {
    if (!existsSync(path.join(PACK, 'revive-pack.json'))) throw new Error(`missing ${PACK}: run "npm run setup:packs"`);
    w = tempWorld();
    mkdirSync(w.photos, { recursive: true });
    host = new EngineHost();
  });
  afterEach(async () => {
    await host.close();
    w.cleanup();
  });

  it('runs a batch, cancels mid-image without leftovers, and restarts the engine for the next item', async () => {
    const a = await crop(path.join(w.photos, 'a.png'), 100, 400, 24);
    const big = await crop(path.join(w.photos, 'big.png'), 200, 600, 256);
    const b = await crop(path.join(w.photos, 'b.png'), 500, 900, 24);
    const runner = new JobRunner({ ...runnerStores(w), engine: engineFromHost(host), lock: w.lock, resolveModelDir: () => PACK });
    const settings = parseJobSettings({ model: 'realesrgan-x4fast', scale: 2, format: 'png', provider: 'cpu', threads: 1 });
    const job = runner.queue.createJob(settings, [a, big, b]);
    const ids = runner.queue.items(job.id).map((i) => i.id);
    let bigPid: number | undefined;
    runner.onProgress((e: JobProgress) => {
      // Cancel the big image once its model run has started: the engine process is killed.
      if (e.kind === 'tile' && e.itemId === ids[1] && e.stage === 'upscale' && bigPid === undefined) {
        bigPid = host.pid;
        runner.cancelItem(ids[1]!);
      }
    });
    const summary = await runner.run();
    await runner.idle();
    expect(summary).toMatchObject({ done: 2, cancelled: 1, failed: 0 });
    expect(runner.queue.items(job.id).map((i) => i.state)).toEqual(['done', 'cancelled', 'done']);
    // The engine that ran the big image was killed; a fresh one did the last image.
    expect(bigPid).toBeDefined();
    expect(host.pid).not.toBe(bigPid);
    expect(readdirSync(w.photos).sort()).toEqual(['a.png', 'a_revive.png', 'b.png', 'b_revive.png', 'big.png']);

    const done = runner.library.search({});
    expect(done).toHaveLength(2);
    for (const e of done) {
      expect(e).toMatchObject({ status: 'done', device: 'cpu', outputWidth: 48, outputHeight: 48, sourceWidth: 24, sourceHeight: 24 });
      const meta = await sharp(e.outputPath!).metadata();
      expect([meta.width, meta.height]).toEqual([48, 48]);
      expect(existsSync(e.thumbBefore!) && existsSync(e.thumbAfter!)).toBe(true);
    }
  });
});
