/**
 * Loading a pixel-sr pack for the engine: the manifest (validated) and the model file's path.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, parseManifest, type PixelSrManifest } from '../models/manifest';
import { EngineError } from './engine-error';
import { ENGINE_ERROR_CODES } from './protocol';

export interface LoadedPixelSrPack {
  dir: string;
  manifest: PixelSrManifest;
  /** Absolute path of the ONNX model. */
  modelPath: string;
}

/** Reads and validates `<dir>/revive-pack.json`; the pack must be a pixel-sr pack whose model file exists. */
export async function loadPixelSrPack(dir: string): Promise<LoadedPixelSrPack> {
  const where = path.join(dir, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(where, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message;
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack ${dir}: cannot read ${MANIFEST_FILE} (${why})`, { cause: err });
  }
  let manifest;
  try {
    manifest = parseManifest(json, where);
  } catch (err) {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, (err as Error).message, { cause: err });
  }
  if (manifest.kind !== 'pixel-sr') {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${manifest.id}" is a ${manifest.kind} pack; this engine runs pixel-sr packs`);
  }
  const modelPath = path.join(dir, manifest.model.file);
  const st = await stat(modelPath).catch(() => undefined);
  if (!st?.isFile()) {
    throw new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${manifest.id}": model file ${manifest.model.file} is missing`);
  }
  return { dir, manifest, modelPath };
}
