/**
 * Issue 13 in a real browser, without running a model: `revive serve` on a fresh data folder, Debian's Chromium at
 * 1280×800 and 900×600. The Restore button stays on screen at both sizes (asserted); the result size shows before
 * anything runs; broken files and a text file are refused when added, in plain words and without upload paths;
 * "Save to → One folder…" browses the host folders below --output-root and saves the one chosen; every screen is
 * photographed at both sizes, light and dark, into test-results/screenshots/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviveApi } from '../../src-preload/contract';

type PageWindow = Window & { revive: ReviveApi };

const root = path.resolve(import.meta.dirname, '..', '..');
const results = path.join(root, 'test-results');
const shots = path.join(results, 'screenshots');
/** A photograph (Debian plasma-workspace-wallpapers "Fallen Leaf" by Martin Klapetek, LGPL-3.0; see resources/sample). */
const WALLPAPER = '/usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg';
const CHROMIUM = '/usr/bin/chromium';
const SIZES = [
  { width: 1280, height: 800 },
  { width: 900, height: 600 },
] as const;

const metrics: Record<string, unknown> = {};
let tmp: string;
let photos: string;
let server: ChildProcess;
let url: string;
let browser: BrowserContext;
let page: Page;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** Whether the element is wholly inside the viewport as it is now (nothing scrolled). */
async function onScreen(selector: string): Promise<{ visible: boolean; bottom: number }> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return { visible: false, bottom: -1 };
    const r = el.getBoundingClientRect();
    return { visible: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.width > 0, bottom: Math.round(r.bottom) };
  }, selector);
}

describe('the photographer’s workflow in a browser (issue 13)', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building failed:\n${build.stdout}\n${build.stderr}`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'revive-e2e-flow-'));
    photos = path.join(tmp, 'photos');
    mkdirSync(path.join(photos, 'Restored'), { recursive: true });
    // A 24 MP photo (the wallpaper enlarged): large enough for the 2× default.
    await sharp(WALLPAPER).resize(6000, 4000, { fit: 'fill' }).jpeg({ quality: 85 }).toFile(path.join(photos, 'camera-24mp.jpg'));
    await sharp(WALLPAPER).extract({ left: 1560, top: 700, width: 320, height: 240 }).jpeg({ quality: 90 }).toFile(path.join(photos, 'leaf.jpg'));
    // A JPEG whose header is cut off after the start marker, and a text file.
    writeFileSync(path.join(photos, 'damaged.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(400, 0x41)]));
    writeFileSync(path.join(photos, 'notes.txt'), 'not a photo\n');

    const t0 = performance.now();
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
    metrics.serverStartMs = Math.round(performance.now() - t0);
    browser = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: SIZES[0],
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterAll(async () => {
    writeFileSync(path.join(results, 'ui-metrics-workflow.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGINT');
      await new Promise((r) => server.once('exit', r));
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('opens ready and refuses a damaged photo and a text file when they are added, in plain words', async () => {
    const t0 = performance.now();
    await page.goto(url);
    await page.waitForSelector('[data-ready="true"]');
    metrics.timeToReadyMs = Math.round(performance.now() - t0);
    // Through the browser's own file dialog (uploads), as a person would choose them.
    await page.locator('input[type=file][accept]').setInputFiles([path.join(photos, 'damaged.jpg')]);
    const refused = page.getByRole('list', { name: 'Not added' });
    await refused.getByText('damaged.jpg').waitFor();
    await expect(refused.textContent()).resolves.toContain('This photo is damaged and cannot be opened.');
    expect(await refused.textContent()).not.toContain('/uploads/');
    await page.locator('input[type=file][accept]').setInputFiles([path.join(photos, 'notes.txt')]);
    await refused.getByText('notes.txt').waitFor();
    await expect(refused.textContent()).resolves.toContain('This file is not a photo.');
    await expect(page.getByRole('list', { name: 'Photos waiting' }).count()).resolves.toBe(0);
    await shot('20-start-refused');
  });

  it('keeps the Restore button on screen at 1280×800 and 900×600, with the result size and a 2× default for 24 MP', async () => {
    await page.getByLabel('Or name files or folders on the host').fill(path.join(photos, 'camera-24mp.jpg'));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('list', { name: 'Photos waiting' }).getByText('camera-24mp.jpg').waitFor();
    await expect(page.getByTestId('result-size').textContent()).resolves.toBe('6000×4000 → 12000×8000, about 96 MP');
    const estimate = (await page.getByTestId('time-estimate').textContent()) ?? '';
    metrics.timeEstimate24mp = estimate;
    expect(estimate).toMatch(/^about /);
    const visible: Record<string, unknown> = {};
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.waitForTimeout(150);
      const r = await onScreen('button.go');
      visible[`${size.width}x${size.height}`] = r;
      expect(r.visible, `Restore button at ${size.width}×${size.height} (bottom ${r.bottom})`).toBe(true);
    }
    metrics.primaryActionVisible = visible;
    await page.setViewportSize(SIZES[0]);
  });

  it('chooses a host folder for results below --output-root, and never sends an empty one', async () => {
    await page.getByLabel('Save to').selectOption('folder');
    const dialog = page.getByRole('dialog', { name: 'Choose a folder for the restored photos' });
    await dialog.waitFor();
    await shot('21-folder-picker-roots');
    await dialog.getByRole('button', { name: new RegExp(photos.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).click();
    await dialog.getByRole('button', { name: /Restored/ }).click();
    await expect.poll(() => dialog.getByLabel('Current folder').textContent()).toBe(path.join(photos, 'Restored'));
    await shot('22-folder-picker-inside');
    await dialog.getByRole('button', { name: 'Save here' }).click();
    await dialog.waitFor({ state: 'detached' });
    const saved = await page.evaluate(async () => (await (window as unknown as PageWindow).revive.settingsGet()).defaults.output);
    expect(saved).toEqual({ kind: 'folder', dir: path.join(photos, 'Restored') });
    await expect(page.getByLabel('Output folder').textContent()).resolves.toBe(path.join(photos, 'Restored'));
    // Outside the roots nothing is listed.
    const outside = await page.evaluate(async () => {
      try {
        await (window as unknown as PageWindow).revive.foldersList({ dir: '/etc' });
        return 'listed';
      } catch (err) {
        return (err as { code?: string }).code;
      }
    });
    expect(outside).toBe('NOT_ALLOWED');
    await page.getByLabel('Save to').selectOption('beside');
  });

  it('photographs every screen at both sizes, light and dark', async () => {
    const screens = ['Start', 'Queue', 'Compare', 'Library', 'Models', 'Settings'];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const size of SIZES) {
        await page.setViewportSize(size);
        for (const [i, name] of screens.entries()) {
          await page.locator(`nav button[data-screen="${name.toLowerCase()}"]`).click();
          await page.waitForTimeout(200);
          await shot(`3${i}-${name.toLowerCase()}-${size.width}x${size.height}-${scheme}`);
        }
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize(SIZES[0]);
  });
});
