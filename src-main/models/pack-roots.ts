/**
 * Which model-pack folders the CLI looks in: the packs that come with the app (the repository's `models/`) and the
 * user's installed packs (`<data dir>/models`).
 */
import { appPaths } from '../pixels/app-paths';
import { modelsDirIn } from '../store/data-dir';

/** The app's own `models/` folder: the repository's, or the installed app's resources (pixels/app-paths.ts). */
export function bundledModelsDir(): string {
  return appPaths().models;
}

/** Pack roots in lookup order: bundled first, then the user's. */
export function packRoots(dataDir: string): string[] {
  return [bundledModelsDir(), modelsDirIn(dataDir)];
}
