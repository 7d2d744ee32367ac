/**
 * End to end through the web bridge: start `revive serve` on a fresh data folder, open it in Chromium, add a real
 * photo (a crop of a Debian wallpaper), restore it with the compact Real-ESRGAN pack, watch progress reach 100 %,
 * compare, preview a region, find it in the library, re-run it at another scale, and visit every screen.
 *
 * Screenshots of every screen go to test-results/screenshots/; interface timings (not asserted) to
 * test-results/ui-metrics.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviveApi } from '../../src-preload/contract';

/** The page's `window.revive`, typed for the scripts this test evaluates in the page. */
type PageWindow = Window & { revive: ReviveApi };

const root = path.resolve(import.meta.dirname, '..', '..');
const results = path.join(root, 'test-results');
const shots = path.join(results, 'screenshots');
/** A photograph (Debian plasma-workspace-wallpapers "Fallen Leaf" by Martin Klapetek, LGPL-3.0; see resources/sample). */
const WALLPAPER = '/usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg';
const CHROMIUM = '/usr/bin/chromium';

const metrics: Record<string, unknown> = { browser: 'chromium (headless, software rendering)', machine: `${os.cpus().length} cores` };

let tmp: string;
let server: ChildProcess;
let url: string;
let browser: BrowserContext;
let page: Page;
const consoleProblems: string[] = [];

/** WCAG 2 contrast ratio of two `rgb(r, g, b)` colours (relative luminance from linearised sRGB). */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string): number => {
    const [r, g, bl] = rgb.match(/\d+/g)!.slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

/** Frame-to-frame times (ms) while `step(i)` runs once per animation frame for `frames` frames. */
async function frameTimes(step: string, frames: number): Promise<{ p50: number; p95: number; max: number; frames: number }> {
  return page.evaluate(
    ({ step, frames }) =>
      new Promise<{ p50: number; p95: number; max: number; frames: number }>((resolve) => {
        const fn = new Function('i', step) as (i: number) => void;
        const times: number[] = [];
        let last = performance.now();
        let i = 0;
        const tick = (): void => {
          const now = performance.now();
          if (i > 0) times.push(now - last);
          last = now;
          if (i >= frames) {
            times.sort((a, b) => a - b);
            const q = (p: number): number => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 10) / 10;
            resolve({ p50: q(0.5), p95: q(0.95), max: q(1), frames: times.length });
            return;
          }
          fn(i++);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    { step, frames },
  );
}

describe('Revive in a browser through revive serve', () => {
  beforeAll(async () => {
    rmSync(shots, { recursive: true, force: true });
    mkdirSync(shots, { recursive: true });
    // The whole build: `revive serve` below is the built CLI (bin/revive.js), as installed, not the sources.
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building failed:\n${build.stdout}\n${build.stderr}`);

    tmp = mkdtempSync(path.join(os.tmpdir(), 'revive-e2e-'));
    mkdirSync(path.join(tmp, 'photos'));
    // A real photograph: a 320×240 crop (native pixels, the leaf's edge) of a Debian wallpaper photo.
    await sharp(WALLPAPER).extract({ left: 1560, top: 700, width: 320, height: 240 }).jpeg({ quality: 90 }).toFile(path.join(tmp, 'photos', 'leaf.jpg'));

    const t0 = performance.now();
    server = spawn(process.execPath, ['bin/revive.js', 'serve', '--port', '0', '--data-dir', path.join(tmp, 'data')], {
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

    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleProblems.push(`pageerror: ${e.message}`));
  });

  afterAll(async () => {
    writeFileSync(path.join(results, 'ui-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGINT');
      await new Promise((r) => server.once('exit', r));
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses the page without the token', async () => {
    const r = await fetch(url.replace(/\?token=.*/, ''));
    expect(r.status).toBe(403);
  });

  it('opens ready, with the start screen and the compact model to pick', async () => {
    const t0 = performance.now();
    await page.goto(url);
    await page.waitForSelector('[data-ready="true"]');
    metrics.timeToReadyMs = Math.round(performance.now() - t0);
    await page.getByText('Real-ESRGAN', { exact: false }).first().waitFor();
    await expect(page.getByRole('button', { name: 'Add photos…' }).isVisible()).resolves.toBe(true);
    await shot('01-start-empty');
  });

  it('uploads a real photo and restores it with x4fast, progress reaching 100 %', async () => {
    await page.locator('input[type=file][accept]').setInputFiles(path.join(tmp, 'photos', 'leaf.jpg'));
    await page.getByRole('list', { name: 'Photos waiting' }).getByText('leaf.jpg').waitFor();
    await page.waitForFunction(() => (document.querySelector('ul[aria-label="Photos waiting"] img') as HTMLImageElement | null)?.naturalWidth === 320);
    await shot('02-start-photo-added');

    await page.getByRole('button', { name: /Restore 1 photo/ }).click();
    await page.getByRole('heading', { name: 'Queue', exact: true, level: 1 }).waitFor();
    const seen = new Set<string>();
    const deadline = Date.now() + 180_000;
    let shotRunning = false;
    for (;;) {
      const pct = (await page.getByTestId('overall-percent').textContent())?.trim() ?? '';
      seen.add(pct);
      const state = await page.locator('[data-item-id]').first().getAttribute('data-state');
      // Caught mid-way when possible (the first poll often sees the image still at 0 %).
      if (state === 'running' && !shotRunning && pct !== '0 %') {
        await shot('03-queue-running');
        shotRunning = true;
      }
      if (state === 'done' && pct === '100 %') break;
      if (state === 'failed') throw new Error(`restoring failed: ${await page.locator('[data-item-id] .error').textContent()}`);
      if (Date.now() > deadline) throw new Error(`no result within 180 s; progress seen: ${[...seen].join(', ')}`);
      await page.waitForTimeout(200);
    }
    metrics.progressValuesSeen = [...seen];
    expect(seen.has('100 %')).toBe(true);
    await page.locator('[data-item-id] img[src*="leaf_realesrgan-x4fast_"]').waitFor();
    await shot('04-queue-done');
  });

  it('compares before and after with zoom, pan and 1:1, and previews a region', async () => {
    await page.getByRole('button', { name: 'Compare leaf.jpg' }).click();
    await page.getByRole('application').waitFor();
    await page.waitForFunction(() => (document.querySelector('[role=application]') as HTMLElement | null)?.dataset.afterWidth === '1280');
    await page.waitForTimeout(300);
    await shot('05-compare-fit');
    const zoom = page.getByLabel('Zoom level');
    const fitZoom = await zoom.textContent();
    const stage = page.getByRole('application');
    const box = (await stage.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await expect.poll(() => zoom.textContent()).not.toBe(fitZoom);
    await page.keyboard.press('1');
    await expect.poll(() => zoom.textContent()).toBe('100 %');
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2 - 40, { steps: 5 });
    await page.mouse.up();
    await shot('06-compare-1to1');

    await page.getByRole('button', { name: 'Preview a region' }).click();
    await page.keyboard.press('f');
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.35);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 5 });
    await page.mouse.up();
    await page.getByRole('region', { name: 'Region preview' }).waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => (document.querySelector('img[alt="Region after"]') as HTMLImageElement | null)?.complete === true);
    await shot('07-compare-region-preview');
  });

  it('finds the result in the library and re-runs it at 2×', async () => {
    await page.getByRole('button', { name: 'Library' }).click();
    const card = page.locator('[data-entry-id]').filter({ hasText: 'leaf.jpg' });
    await card.first().waitFor();
    await expect(card.first().textContent()).resolves.toContain('4×');
    await shot('08-library');

    await page.getByLabel('Search the library').fill('no-such-photo');
    await page.getByText('No results match').waitFor();
    await shot('09-library-no-match');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await card.first().waitFor();

    await card.first().getByRole('button', { name: 'Re-run…' }).click();
    await card.first().getByLabel('Scale').selectOption('2');
    await card.first().getByRole('button', { name: 'Run' }).click();
    await page.getByRole('heading', { name: 'Queue', exact: true, level: 1 }).waitFor();
    await expect
      .poll(async () => page.locator('[data-item-id][data-state="done"]').count(), { timeout: 180_000, interval: 500 })
      .toBe(2);
    await shot('10-queue-rerun-done');

    const uploads = path.join(tmp, 'data', 'uploads');
    const outputs = readdirSync(uploads, { recursive: true, encoding: 'utf8' }).filter((f) => /leaf_realesrgan-x4fast_[24]x.*\.jpg$/.test(f)).sort();
    expect(outputs).toHaveLength(2);
    const sizes = await Promise.all(outputs.map(async (f) => (await sharp(path.join(uploads, f)).metadata()).width));
    expect(sizes.sort((a, b) => a! - b!)).toEqual([640, 1280]);

    await page.getByRole('button', { name: 'Library' }).click();
    await expect.poll(() => page.locator('[data-entry-id]').count()).toBe(2);
  });

  it('downloads both results as one zip and compares them A/B, side by side, holding for the original', async () => {
    // Serve mode's "Download all": a real zip, read back with Python's zipfile (independent of the writer).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download all' }).click()]);
    const zip = path.join(tmp, 'all.zip');
    await download.saveAs(zip);
    const listing = spawnSync('python3', ['-c', 'import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print("\\n".join(sorted(z.namelist())))', zip], { encoding: 'utf8' });
    expect(listing.status, listing.stderr).toBe(0);
    expect(listing.stdout.trim().split('\n')).toEqual(['leaf_realesrgan-x4fast_2x.jpg', 'leaf_realesrgan-x4fast_4x.jpg']);

    const card = page.locator('[data-entry-id]').filter({ hasText: '2×' });
    await card.first().getByRole('button', { name: 'Compare leaf.jpg' }).click();
    await page.getByRole('application').waitFor();
    const left = page.getByLabel('Left image');
    await expect.poll(async () => (await left.locator('option').allTextContents()).length).toBe(3);
    await left.selectOption({ index: 2 });
    await page.waitForFunction(() => {
      const d = (document.querySelector('[role=application]') as HTMLElement | null)?.dataset;
      return d?.beforeWidth === '1280' && d.afterWidth === '640';
    });
    await expect(page.getByTestId('compare-facts').textContent()).resolves.toContain('2×');
    await page.waitForTimeout(300);
    await shot('15-compare-ab-slider');
    await page.keyboard.down('o');
    await page.getByTestId('compare-holding').waitFor();
    await shot('16-compare-hold-original');
    await page.keyboard.up('o');
    await expect.poll(() => page.getByTestId('compare-holding').count()).toBe(0);
    await page.getByRole('button', { name: 'Side by side' }).click();
    await page.waitForTimeout(300);
    await shot('17-compare-ab-side');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('17-compare-ab-side-dark');
    await page.setViewportSize({ width: 900, height: 600 });
    await page.waitForTimeout(300);
    await shot('18-compare-ab-side-900-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await shot('18-compare-ab-side-900');
    await page.getByRole('button', { name: 'Library' }).click();
    await shot('19-library-download-all-900');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Queue' }).click();
    await page.getByRole('link', { name: 'Download all' }).waitFor();
    await shot('20-queue-download-all');
  });

  it('shows the models screen with the installed packs and verifies one', async () => {
    await page.getByRole('button', { name: 'Models' }).click();
    const x4fast = page.locator('[data-model-id="realesrgan-x4fast"]');
    await x4fast.waitFor();
    await x4fast.getByRole('button', { name: 'Verify files' }).click();
    await x4fast.getByText('All files match their checksums').waitFor({ timeout: 60_000 });
    await shot('11-models');
  });

  it('shows designed empty states, the shortcut list and the dark theme', async () => {
    await page.getByRole('button', { name: 'Queue' }).click();
    await page.getByRole('button', { name: 'Clear finished' }).click();
    await page.getByText('Nothing in the queue').waitFor();
    await shot('12-queue-empty');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await shot('13-shortcuts');
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await shot('14-start-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('follows the system colour scheme: computed page and text colours of each palette, readable in both', async () => {
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    // The palettes of src-renderer/src/app.css (--bg, --text), as the browser computes them on <body>.
    const expected = { dark: { bg: 'rgb(21, 23, 27)', text: 'rgb(232, 234, 238)' }, light: { bg: 'rgb(244, 245, 247)', text: 'rgb(27, 31, 36)' } };
    for (const scheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const got = await page.evaluate(() => {
        const b = getComputedStyle(document.body);
        return { bg: b.backgroundColor, text: b.color };
      });
      expect(got, scheme).toEqual(expected[scheme]);
      // WCAG 2 contrast of the body text on the page, computed here from the sRGB values: at least 4.5 (AA).
      expect(contrast(got.text, got.bg), scheme).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('asks for another format before starting when a result would be too large for WebP, and writes it so', async () => {
    // 4100 × 4 = 16 400 pixels wide: more than a WebP side can hold (16 383).
    const pano = path.join(tmp, 'photos', 'pano.jpg');
    await sharp(WALLPAPER).extract({ left: 0, top: 800, width: 2560, height: 6 }).resize(4100, 10, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(pano);
    // Camera and place, to see the "all but the location" choice reach the result.
    const tagged = spawnSync('exiftool', ['-q', '-overwrite_original', '-Make=Canon', '-GPSLatitude=48.85', '-GPSLatitudeRef=N', '-GPSLongitude=2.35', '-GPSLongitudeRef=E', pano], { encoding: 'utf8' });
    expect(tagged.status, tagged.stderr).toBe(0);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByLabel('Or name files or folders on the host').fill(pano);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('list', { name: 'Photos waiting' }).getByText('pano.jpg').waitFor();
    await page.getByLabel('Format').selectOption('webp');
    await page.getByLabel('Metadata').selectOption('no-gps');

    const restore = page.getByRole('button', { name: /Restore 1 photo/ });
    await restore.click();
    const dialog = page.getByRole('dialog', { name: '“pano.jpg” would be too large for WebP' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('16,400 × 40');
    const buttons = await dialog.getByRole('button').allTextContents();
    expect(buttons.map((b) => b.trim())).toEqual(['Go back', 'Write as JPEG', 'Write as PNG', 'Write as TIFF']);
    await shot('14b-start-too-large');
    // Escape goes back: nothing was queued, the photo still waits.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('list', { name: 'Photos waiting' }).getByText('pano.jpg').waitFor();
    const queued = await page.evaluate(async () => (await (window as unknown as PageWindow).revive.jobsList()).items.length);
    expect(queued).toBe(0);

    await restore.click();
    await dialog.getByRole('button', { name: 'Write as PNG' }).click();
    await page.getByRole('heading', { name: 'Queue', exact: true, level: 1 }).waitFor();
    await expect
      .poll(async () => page.locator('[data-item-id][data-state="done"]').count(), { timeout: 180_000, interval: 500 })
      .toBe(1);
    const result = path.join(tmp, 'photos', 'pano_realesrgan-x4fast_4x.png');
    const out = await sharp(result).metadata();
    expect([out.format, out.width, out.height]).toEqual(['png', 16400, 40]);
    const tags = JSON.parse(spawnSync('exiftool', ['-j', '-Make', '-GPS:all', result], { encoding: 'utf8' }).stdout) as Record<string, unknown>[];
    expect(tags[0]).toMatchObject({ Make: 'Canon' });
    expect(Object.keys(tags[0]!).filter((k) => k.startsWith('GPS'))).toEqual([]);
    // Back to the defaults for the tests that follow.
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByLabel('Format').selectOption('same');
    await page.getByLabel('Metadata').selectOption('all');
    await page.getByRole('button', { name: 'Queue' }).click();
    await page.getByRole('button', { name: 'Clear finished' }).click();
  });

  it('measures zoom and pan frame times on a 24 MP image (reported, not asserted)', async () => {
    // A 6000×4000 image made from the wallpaper stands in for a 24 MP result (running the model to 24 MP on this
    // 2-core machine would take minutes); what is measured is the interface's handling of that many pixels.
    const big = path.join(tmp, 'photos', 'big-24mp.jpg');
    await sharp(WALLPAPER).resize(6000, 4000, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(big);
    const small = path.join(tmp, 'photos', 'big-source.jpg');
    await sharp(WALLPAPER).resize(1500, 1000, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(small);
    const added = await page.evaluate(async (paths) => {
      const r = await (window as unknown as PageWindow).revive.inputsAdd({ paths });
      return r.added.map((a) => a.url);
    }, [small, big]);
    expect(added).toHaveLength(2);
    const t0 = performance.now();
    await page.evaluate(([before, after]) => {
      location.hash = `#compare?before=${encodeURIComponent(before!)}&after=${encodeURIComponent(after!)}&title=24%20MP`;
    }, added);
    await page.waitForFunction(() => (document.querySelector('[role=application]') as HTMLElement | null)?.dataset.afterWidth === '6000', null, { timeout: 60_000 });
    await page.waitForFunction(() => (document.querySelector('[role=application]') as HTMLElement | null)?.dataset.beforeWidth === '1500');
    metrics.compare24mpLoadMs = Math.round(performance.now() - t0);
    await page.waitForTimeout(500);
    await shot('15-compare-24mp');
    const wheel = `const s=document.querySelector('[role=application]');const r=s.getBoundingClientRect();
      s.dispatchEvent(new WheelEvent('wheel',{deltaY:(i%40<20?-60:60),clientX:r.left+r.width*0.6,clientY:r.top+r.height*0.5,bubbles:true,cancelable:true}));`;
    metrics.compare24mpZoomFrameMs = await frameTimes(wheel, 120);
    await page.keyboard.press('1');
    const panStep = `const s=document.querySelector('[role=application]');const r=s.getBoundingClientRect();
      const x=r.left+r.width*0.8-(i%60)*6, y=r.top+r.height*0.5;
      if(i===0) s.dispatchEvent(new PointerEvent('pointerdown',{clientX:x,clientY:y,button:0,pointerId:1,bubbles:true}));
      s.dispatchEvent(new PointerEvent('pointermove',{clientX:x,clientY:y,pointerId:1,bubbles:true}));`;
    metrics.compare24mpPanFrameMs = await frameTimes(panStep, 120);
    await page.evaluate(() => document.querySelector('[role=application]')!.dispatchEvent(new PointerEvent('pointerup', { pointerId: 1, bubbles: true })));
    await shot('16-compare-24mp-1to1');
  });

  it('scrolls a 1,000-item queue (virtualised; reported, not asserted)', async () => {
    const dir = path.join(tmp, 'many');
    mkdirSync(dir);
    const one = path.join(dir, 'one.jpg');
    await sharp(WALLPAPER).resize(64, 48).jpeg({ quality: 80 }).toFile(one);
    const paths: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const p = path.join(dir, `scan-${String(i).padStart(4, '0')}.jpg`);
      copyFileSync(one, p);
      paths.push(p);
    }
    rmSync(one);
    await page.goto(`${url}#start`);
    await page.waitForSelector('[data-ready="true"]');
    await page.evaluate(async (list) => {
      const settings = (await (window as unknown as PageWindow).revive.settingsGet()).defaults;
      // Only photos added as inputs can be queued (the page's own order: add, then start).
      await (window as unknown as PageWindow).revive.inputsAdd({ paths: list });
      await (window as unknown as PageWindow).revive.jobsStart({ paths: list, settings });
      // Keep the 1,000 photos waiting: this measures the list, not the model.
      await (window as unknown as PageWindow).revive.jobsPause({ now: true });
    }, paths);
    await page.getByRole('button', { name: 'Queue' }).click();
    await expect.poll(() => page.locator('[role=listitem]').count(), { timeout: 30_000 }).toBeGreaterThan(5);
    const rendered = await page.locator('[role=listitem]').count();
    metrics.queueItems = 1000;
    metrics.queueRowsInDom = rendered;
    const scroll = `const v=document.querySelector('[aria-label="Queued photos"]');v.scrollTop = (i<90? i : 180-i) * 800;v.dispatchEvent(new Event('scroll'));`;
    // The machine's own frame pace with nothing moving (a loaded machine misses frames without any page work).
    metrics.queueIdleFrameMs = await frameTimes('', 180);
    const cdp = await browser.newCDPSession(page);
    await cdp.send('Performance.enable');
    const m0 = (await cdp.send('Performance.getMetrics')).metrics;
    metrics.queueScrollFrameMs = await frameTimes(scroll, 180);
    const m1 = (await cdp.send('Performance.getMetrics')).metrics;
    // Where the scroll's time went, in ms per frame (script, style, layout, the rest: paint, images, raster).
    const per = (name: string): number => {
      const d = (m1.find((m) => m.name === name)?.value ?? 0) - (m0.find((m) => m.name === name)?.value ?? 0);
      return Math.round((d * 1000 * 10) / 180) / 10;
    };
    metrics.queueScrollMsPerFrame = { script: per('ScriptDuration'), style: per('RecalcStyleDuration'), layout: per('LayoutDuration'), other: per('TaskOtherDuration') };
    await cdp.detach();
    await shot('17-queue-1000');
    expect(rendered).toBeLessThan(60); // virtualised: a screenful plus overscan, not 1,000 rows
    // The header's Cancel waiting, photographed at both sizes, light and dark, then used: nothing was started, so all go.
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const size of [{ width: 1280, height: 800 }, { width: 900, height: 600 }]) {
        await page.setViewportSize(size);
        await page.waitForTimeout(300);
        await shot(`18-queue-waiting-${size.width}x${size.height}-${scheme}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Cancel waiting' }).click();
    await expect.poll(() => page.locator('.counts').textContent(), { timeout: 30_000 }).toContain('1000 cancelled');
  });

  it('logged no errors or CSP violations in the page', () => {
    const relevant = consoleProblems.filter((m) => !/favicon/.test(m));
    metrics.consoleProblems = relevant.slice(0, 20).map((m) => m.slice(0, 500));
    expect(relevant).toEqual([]);
  });
});
