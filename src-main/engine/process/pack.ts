/**
 * Loading a pack for the engine: the manifest (validated) and the absolute paths of its files.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, parseManifest, referencedPaths, type OneStepManifest, type PackManifest, type PixelSrManifest } from '../../models/manifest';
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

/** A pack of either kind, told apart by `manifest.kind` ({@link isOneStepPack}). */
export type LoadedPack = LoadedPixelSrPack | LoadedOneStepPack;

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
  for (const file of referencedPaths(manifest)) {
    const st = await stat(path.join(dir, file)).catch(() => undefined);
    if (!st?.isFile()) throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${manifest.id}": file ${file} is missing`);
  }
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
  const modelPath = path.join(dir, manifest.model.file);
  const st = await stat(modelPath).catch(() => undefined);
  if (!st?.isFile()) {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${manifest.id}": model file ${manifest.model.file} is missing`);
  }
  return { dir, manifest, modelPath };
}
