/**
 * Loading a pack for the engine: the manifest (validated) and the absolute paths of its files.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  MANIFEST_FILE,
  parseManifest,
  referencedPaths,
  type ColorizeManifest,
  type FaceDetectManifest,
  type FaceRestoreManifest,
  type InpaintManifest,
  type OneStepManifest,
  type PackManifest,
  type PixelSrManifest,
} from '../../models/manifest';
import { EngineError } from '../engine-error';
import { ENGINE_ERROR_CODES } from '../protocol';

export interface LoadedPixelSrPack {
  dir: string;
  manifest: PixelSrManifest;
  /** Absolute path of the ONNX model. */
  modelPath: string;
}

export interface LoadedOneStepPack {
  dir: string;
  manifest: OneStepManifest;
}

/** A one-model pack of the faces family (a detector or a restorer) or a colouriser, with its model's absolute path. */
export interface LoadedSingleModelPack<M extends FaceDetectManifest | FaceRestoreManifest | ColorizeManifest> {
  dir: string;
  manifest: M;
  modelPath: string;
}
export type LoadedFaceDetectPack = LoadedSingleModelPack<FaceDetectManifest>;

/** A face restorer: the GAN layout's one model, or (layout 'onestep-diffusion') the SD graphs in `dir`. */
export interface LoadedFaceRestorePack {
  dir: string;
  manifest: FaceRestoreManifest;
  /** The GAN layout's model (absolute path); absent for the one-step diffusion layout. */
  modelPath?: string;
}
export type LoadedColorizePack = LoadedSingleModelPack<ColorizeManifest>;
/** An inpainting pack (LaMa layout) with its model's absolute path; the repair stage runs it on large holes. */
export interface LoadedInpaintPack {
  dir: string;
  manifest: InpaintManifest;
  modelPath: string;
}

/** A pack of any kind, told apart by `manifest.kind` ({@link isOneStepPack}). */
export type LoadedPack = LoadedPixelSrPack | LoadedOneStepPack | LoadedFaceDetectPack | LoadedFaceRestorePack | LoadedInpaintPack | LoadedColorizePack;

export function isOneStepPack(p: LoadedPack): p is LoadedOneStepPack {
  return p.manifest.kind === 'onestep-diffusion';
}

/** Reads and validates `<dir>/revive-pack.json`; the pack must be a pixel-sr pack whose model file exists. */
export async function loadPixelSrPack(dir: string): Promise<LoadedPixelSrPack> {
  const manifest = await readPackManifest(dir);
  if (manifest.kind !== 'pixel-sr') {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${manifest.id}" is a ${manifest.kind} pack; this engine runs pixel-sr packs`);
  }
  return pixelSrPack(dir, manifest);
}

/** Reads a pack of any kind the engine runs (pixel-sr or onestep-diffusion), checking that the files it uses exist. */
export async function loadPack(dir: string): Promise<LoadedPack> {
  const manifest = await readPackManifest(dir);
  if (manifest.kind === 'pixel-sr') return pixelSrPack(dir, manifest);
  if (manifest.kind === 'face-detect') return { dir, manifest, modelPath: await modelFile(dir, manifest.id, manifest.model.file) };
  if (manifest.kind === 'face-restore' && manifest.model) return { dir, manifest, modelPath: await modelFile(dir, manifest.id, manifest.model.file) };
  if (manifest.kind === 'inpaint') return { dir, manifest, modelPath: await modelFile(dir, manifest.id, manifest.model.file) };
  if (manifest.kind === 'colorize') return { dir, manifest, modelPath: await modelFile(dir, manifest.id, manifest.model.file) };
  for (const file of referencedPaths(manifest)) {
    const st = await stat(path.join(dir, file)).catch(() => undefined);
    if (!st?.isFile()) throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${manifest.id}": file ${file} is missing`);
  }
  // A one-step-diffusion face pack: its graphs, like a one-step-diffusion pack's, are found in `dir`.
  if (manifest.kind === 'face-restore') return { dir, manifest };
  return { dir, manifest };
}

async function readPackManifest(dir: string): Promise<PackManifest> {
  const where = path.join(dir, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(where, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message;
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack ${dir}: cannot read ${MANIFEST_FILE} (${why})`, { cause: err });
  }
  try {
    return parseManifest(json, where);
  } catch (err) {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, (err as Error).message, { cause: err });
  }
}

async function pixelSrPack(dir: string, manifest: PixelSrManifest): Promise<LoadedPixelSrPack> {
  return { dir, manifest, modelPath: await modelFile(dir, manifest.id, manifest.model.file) };
}

/** The absolute path of a one-model pack's model, which must exist. */
async function modelFile(dir: string, id: string, file: string): Promise<string> {
  const modelPath = path.join(dir, file);
  const st = await stat(modelPath).catch(() => undefined);
  if (!st?.isFile()) {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${id}": model file ${file} is missing`);
  }
  return modelPath;
}

/** Loads a face detector pack (the faces stage's `detectorDir`). */
export async function loadFaceDetectPack(dir: string): Promise<LoadedFaceDetectPack> {
  const pack = await loadPack(dir);
  if (pack.manifest.kind !== 'face-detect') {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${pack.manifest.id}" is a ${pack.manifest.kind} pack, not a face detector`);
  }
  return pack as LoadedFaceDetectPack;
}
