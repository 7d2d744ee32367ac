/**
 * Face-restore packs at install: the graph's tensors are read from the ONNX file and a pack whose shapes cannot fit
 * its kind's layout is refused with the tensor named; a good generated pack installs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPack } from '../../../src-main/models/install';
import { OneStepManifestSchema, oneStepFaceView, parseManifest, type FaceRestoreManifest } from '../../../src-main/models/manifest';
import { writeDiffusionFacePack, writeFacePack } from '../../fixtures/face-packs';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'revive-face-install-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

const install = (dir: string) => installPack(dir, path.join(work, 'models'), { bundledDir: path.join(work, 'bundled') });

describe('face-restore pack install', () => {
  it('installs a generated pack whose graph fits the GAN layout (with a scalar fidelity input)', async () => {
    await writeFacePack(path.join(work, 'good'), { id: 'face-good', effect: 'brighten', fidelityInput: true });
    await expect(install(path.join(work, 'good'))).resolves.toMatchObject({ id: 'face-good' });
  });

  it('refuses a graph whose input is not the manifest\'s face size, naming the tensor and both shapes', async () => {
    await writeFacePack(path.join(work, 'small'), { id: 'face-small', graphSize: 256 });
    await expect(install(path.join(work, 'small'))).rejects.toThrow(/input tensor "input" is \[1, 3, 256, 256\]; this pack kind needs \[1, 3, 512, 512\]/);
  });

  it('refuses a manifest naming a tensor the graph does not have', async () => {
    const dir = path.join(work, 'renamed');
    const m = await writeFacePack(dir, { id: 'face-renamed' });
    await writeFile(path.join(dir, 'revive-pack.json'), JSON.stringify({ ...m, model: { ...m.model, output: 'restored' } }));
    await expect(install(dir)).rejects.toThrow(/no output tensor "restored" \(it has "output"\)/);
  });

  it('installs a one-step diffusion face pack (SD graphs, no model) and says what each layout needs', async () => {
    const dir = path.join(work, 'diffusion');
    await writeDiffusionFacePack(dir, { id: 'face-diffusion' });
    await expect(install(dir)).resolves.toMatchObject({ id: 'face-diffusion' });
    const m = JSON.parse(await readFile(path.join(dir, 'revive-pack.json'), 'utf8')) as Record<string, unknown>;
    const view = oneStepFaceView(parseManifest(m) as FaceRestoreManifest);
    expect(OneStepManifestSchema.parse(view)).toMatchObject({ kind: 'onestep-diffusion', scale: 1, id: 'face-diffusion', graphs: m.graphs });
    expect(() => parseManifest({ ...m, layout: 'gan' })).toThrow(/layout "gan" needs "model"/);
    expect(() => parseManifest({ ...m, model: { file: 'unet/model.onnx', input: 'sample', output: 'out_sample' } })).toThrow(/takes "diffusion" and "graphs", not "model"/);
    const { graphs: _graphs, ...noGraphs } = m;
    expect(() => parseManifest(noGraphs)).toThrow(/needs "diffusion" and "graphs"/);
    expect(() => parseManifest({ ...m, diffusion: { ...(m.diffusion as object), alphaBar: 0.5 } })).toThrow(/diffusion\.alphaBar/);
  });
});
