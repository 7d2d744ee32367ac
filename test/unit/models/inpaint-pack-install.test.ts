/**
 * Inpainting packs at install: the LaMa layout's three tensors are checked against the graph, and a pack whose
 * shapes cannot fit is refused naming the tensor; a good generated pack installs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPack } from '../../../src-main/models/install';
import { parseManifest } from '../../../src-main/models/manifest';
import { writeInpaintPack } from '../../fixtures/inpaint-packs';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'revive-inpaint-install-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

const install = (dir: string) => installPack(dir, path.join(work, 'models'), { bundledDir: path.join(work, 'bundled') });

describe('inpaint pack install', () => {
  it('installs a generated pack whose graph fits the LaMa layout', async () => {
    await writeInpaintPack(path.join(work, 'good'), { id: 'inpaint-good' });
    await expect(install(path.join(work, 'good'))).resolves.toMatchObject({ id: 'inpaint-good', manifest: { kind: 'inpaint' } });
  });

  it('refuses a graph whose mask is not one channel, naming the tensor and both shapes', async () => {
    await writeInpaintPack(path.join(work, 'rgbmask'), { id: 'inpaint-rgbmask', graphMaskChannels: 3 });
    await expect(install(path.join(work, 'rgbmask'))).rejects.toThrow(/inpaint pack: input tensor "mask" is \[1, 3, 64, 64\]; this pack kind needs \[1, 1, 64, 64\]/);
  });

  it('refuses a manifest whose working size disagrees with the graph, naming each tensor', async () => {
    const dir = path.join(work, 'size');
    const m = await writeInpaintPack(dir, { id: 'inpaint-size' });
    await writeFile(path.join(dir, 'revive-pack.json'), JSON.stringify({ ...m, inpaint: { ...m.inpaint, size: 512 } }));
    await expect(install(dir)).rejects.toThrow(/input tensor "image" is \[1, 3, 64, 64\]; this pack kind needs \[1, 3, 512, 512\].*"mask".*output tensor "output"/);
  });

  it('refuses a manifest naming an image tensor the graph lacks, and a scale other than 1', async () => {
    const dir = path.join(work, 'renamed');
    const m = await writeInpaintPack(dir, { id: 'inpaint-renamed' });
    await writeFile(path.join(dir, 'revive-pack.json'), JSON.stringify({ ...m, model: { ...m.model, image: 'img' } }));
    await expect(install(dir)).rejects.toThrow(/no input tensor "img" \(it has "image", "mask"\)/);
    expect(() => parseManifest({ ...m, scale: 2 })).toThrow(/scale/);
    expect(() => parseManifest({ ...m, inpaint: { ...m.inpaint, outputRange: '0-65535' } })).toThrow(/inpaint\.outputRange/);
  });
});
