/**
 * Issue 15 point 5 in a real browser: `revive serve` on a fresh data folder and Debian's Chromium. A real photo with
 * the project's own damage (dust, scratches, a crack, fading; test/bench/repair/damage.ts) is restored with the "Old
 * photo" preset (its repair and colour restore; the compact x4fast model instead of x4plus, so the run fits a shared
 * two-core machine); the compare view shows the repair mask as an overlay, a brush stroke is painted on it while zoomed,
 * "Repair again" restores the photo with the edited mask and the new result's mask differs from the first by that
 * stroke. Before / mask / after are photographed at 1280×800 and 900×600, light and dark, into
 * test-results/screenshots/ (repair-*.png).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { damage, fade } from '../bench/repair/damage';

const root = path.resolve(import.meta.dirname, '..', '..');
const shots = path.join(root, 'test-results', 'screenshots');
/** "Colorful Cups" by Daniel Pop, LGPL-3.0 (Debian plasma-workspace-wallpapers, /usr/share/wallpapers/ColorfulCups/metadata.json). */
const WALLPAPER = '/usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg';
const CHROMIUM = '/usr/bin/chromium';
const SIZES = [
  { width: 1280, height: 800, tag: '' },
  { width: 900, height: 600, tag: '-900' },
] as const;

let tmp: string;
let server: ChildProcess;
let url: string;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

/** The same view at both sizes, light and dark. */
async function shots4(name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.waitForTimeout(250);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(100);
      await page.screenshot({ path: path.join(shots, `${name}${size.tag}${scheme === 'dark' ? '-dark' : ''}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height });
  await page.waitForTimeout(250);
}

/** White pixels of the mask image at `maskUrl`, counted in the page. */
async function maskArea(maskUrl: string): Promise<number> {
  return page.evaluate(async (u) => {
    const bitmap = await createImageBitmap(await (await fetch(u)).blob());
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! >= 128) n++;
    return n;
  }, maskUrl);
}

async function waitForDone(name: string): Promise<void> {
  const row = page.locator('[data-item-id]').filter({ hasText: name }).first();
  const deadline = Date.now() + 300_000;
  for (;;) {
    const state = await row.getAttribute('data-state');
    if (state === 'done') return;
    if (state === 'failed') throw new Error(`restoring failed: ${await row.textContent()}`);
    if (Date.now() > deadline) throw new Error(`no result within 300 s (state ${state})`);
    await page.waitForTimeout(300);
  }
}

describe('old-photo repair in a browser (issue 15)', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building failed:\n${build.stdout}\n${build.stderr}`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'revive-e2e-repair-'));
    const photos = path.join(tmp, 'photos');
    mkdirSync(photos, { recursive: true });
    // The whole photo at 360×225, damaged and faded.
    const { data, info } = await sharp(WALLPAPER).resize(360, 225).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const damaged = fade(damage({ data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 }, 15).image);
    await sharp(Buffer.from(damaged.data), { raw: { width: 360, height: 225, channels: 3 } }).png().toFile(path.join(photos, 'old-cups.png'));

    server = spawn(process.execPath, ['bin/revive.js', 'serve', '--port', '0', '--data-dir', path.join(tmp, 'data'), '--output-root', photos], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Revive is ready: (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server.once('exit', (code) => reject(new Error(`revive serve exited with ${code}: ${stderr}`)));
    });
    browser = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: SIZES[0].width, height: SIZES[0].height },
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    // An exception in the page fails the run with its message rather than as a later timeout.
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGINT');
      await new Promise((r) => server.once('exit', r));
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('restores a damaged photo with "Old photo", shows and edits its repair mask, and repairs again with the edit', async () => {
    await page.goto(url);
    await page.waitForSelector('[data-ready="true"]');
    await page.locator('input[type=file][accept]').setInputFiles(path.join(tmp, 'photos', 'old-cups.png'));
    await page.getByRole('list', { name: 'Photos waiting' }).getByText('old-cups.png').waitFor();
    await page.getByRole('radio', { name: 'Old photo' }).click();
    await expect.poll(() => page.getByRole('radio', { name: 'Old photo' }).getAttribute('aria-checked')).toBe('true');
    await page.getByRole('radio', { name: /^Real-ESRGAN x4 fast/ }).check();
    await expect.poll(() => page.getByRole('radio', { name: /^Real-ESRGAN x4 fast/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: /Restore 1 photo/ }).click();
    await page.getByRole('heading', { name: 'Queue', exact: true, level: 1 }).waitFor();
    await waitForDone('old-cups.png');
    // The row's result URL arrives with the queue's refresh after "done": Compare opens only then.
    await page.locator('[data-item-id] img[src*="old-cups_realesrgan-x4fast_"]').first().waitFor();

    // Compare: the original held, the mask over it, the result.
    await page.getByRole('button', { name: 'Compare old-cups.png' }).first().click();
    await page.waitForFunction(() => (document.querySelector('[role=application]') as HTMLElement | null)?.dataset.afterWidth === '720').catch(async (err: unknown) => {
      await page.screenshot({ path: path.join(shots, 'repair-failed.png') });
      throw new Error(`${(err as Error).message}; page errors: ${pageErrors.join(' | ') || 'none'}`);
    });
    const overlay = page.getByTestId('mask-overlay');
    await overlay.waitFor({ state: 'attached' });
    const firstMask = (await overlay.getAttribute('data-mask-url'))!;
    const firstArea = await maskArea(firstMask);
    expect(firstArea).toBeGreaterThan(0);
    const hold = page.getByRole('button', { name: 'Hold for original' });
    await hold.hover();
    await page.mouse.down();
    await page.getByTestId('compare-holding').waitFor();
    await shots4('repair-1-before');
    await page.mouse.up();
    await page.getByLabel('Show repair mask').check();
    await page.waitForTimeout(200);
    await shots4('repair-2-mask');
    await page.getByLabel('Show repair mask').uncheck();
    await page.waitForTimeout(200);
    await shots4('repair-3-after');

    // Zoomed in, a brush stroke across an undamaged part of the photo, then Repair again.
    await page.getByLabel('Show repair mask').check();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'Brush', exact: true }).click();
    const box = (await page.getByRole('application').boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(cx - 60, cy - 20);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(cx - 60 + i * 10, cy - 20 + i * 3);
    await page.mouse.up();
    await expect.poll(() => overlay.getAttribute('data-strokes')).toBe('1');
    await shots4('repair-4-mask-edited');
    await page.getByRole('button', { name: 'Repair again' }).click();
    await expect.poll(() => overlay.getAttribute('data-mask-url'), { timeout: 300_000, interval: 500 }).not.toBe(firstMask);
    const secondMask = (await overlay.getAttribute('data-mask-url'))!;
    const secondArea = await maskArea(secondMask);
    // The stroke added pixels to the mask: the new result was repaired where it was painted.
    expect(secondArea).toBeGreaterThan(firstArea + 100);
    await page.getByLabel('Show repair mask').uncheck();
    await shots4('repair-5-after-again');
    await page.getByLabel('Show repair mask').check();
    await shots4('repair-6-mask-again');
  }, 900_000);
});
