/**
 * Colorize packs at install: the graph must take grey RGB [1, 3, S, S] and give a*b* [1, 2, S, S] at the manifest's
 * size; a pack that does not fit is refused with the tensor named, and a good generated pack installs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPack } from '../../../src-main/models/install';
import { parseManifest } from '../../../src-main/models/manifest';
import { writeColorizePack } from '../../fixtures/colorize-packs';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'revive-colorize-install-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

const install = (dir: string) => installPack(dir, path.join(work, 'models'), { bundledDir: path.join(work, 'bundled') });

describe('colorize pack install', () => {
  it('installs a generated pack whose graph fits the DDColor layout', async () => {
    await writeColorizePack(path.join(work, 'good'), { id: 'colorize-good', size: 32 });
    await expect(install(path.join(work, 'good'))).resolves.toMatchObject({ id: 'colorize-good' });
  });

  it('refuses a graph with three output channels (an RGB model, not chroma), naming the tensor', async () => {
    await writeColorizePack(path.join(work, 'rgb'), { id: 'colorize-rgb', size: 32, graphOutputShape: [1, 3, 32, 32] });
    await expect(install(path.join(work, 'rgb'))).rejects.toThrow(/output tensor "ab" is \[1, 3, 32, 32\]; this pack kind needs \[1, 2, 32, 32\]/);
  });

  it('refuses a graph whose input is not the manifest\'s size', async () => {
    await writeColorizePack(path.join(work, 'small'), { id: 'colorize-small', size: 32, graphInputShape: [1, 3, 16, 16] });
    await expect(install(path.join(work, 'small'))).rejects.toThrow(/input tensor "grey" is \[1, 3, 16, 16\]; this pack kind needs \[1, 3, 32, 32\]/);
  });

  it('refuses a manifest naming a tensor the graph does not have', async () => {
    const dir = path.join(work, 'renamed');
    const m = await writeColorizePack(dir, { id: 'colorize-renamed', size: 32 });
    await writeFile(path.join(dir, 'revive-pack.json'), JSON.stringify({ ...m, model: { ...m.model, input: 'L' } }));
    await expect(install(dir)).rejects.toThrow(/no input tensor "L" \(it has "grey"\)/);
  });

  it('fills the layout defaults (512, [0, 1], CIELAB a*b*, scale 1) and refuses an empty input range', async () => {
    const m = JSON.parse(await readFile(path.join(work, 'good', 'revive-pack.json'), 'utf8')) as Record<string, unknown>;
    const { colorize: _declared, ...bare } = m;
    expect(parseManifest(bare)).toMatchObject({ kind: 'colorize', colorize: { size: 512, inputRange: [0, 1], outputSpace: 'cielab-ab', outputScale: 1 } });
    expect(() => parseManifest({ ...m, colorize: { size: 32, inputRange: [1, 1] } })).toThrow(/inputRange must be \[low, high\] with low < high/);
    expect(() => parseManifest({ ...m, colorize: { size: 32, outputSpace: 'yuv-uv' } })).toThrow(/colorize\.outputSpace/);
  });
});
