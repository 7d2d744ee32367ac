/**
 * Which model-pack folders the CLI looks in: the packs that come with the app (the repository's `models/`) and the
 * user's installed packs (`<data dir>/models`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelsDirIn } from '../store/data-dir';

/** The app's own `models/` folder: two levels above this module (src-main/cli → repository root). */
export function bundledModelsDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');
}

/** Pack roots in lookup order: bundled first, then the user's. */
export function packRoots(dataDir: string): string[] {
  return [bundledModelsDir(), modelsDirIn(dataDir)];
}
