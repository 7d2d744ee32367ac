/**
 * Where the app's own files are. A module's `import.meta.url` changes meaning once bundled (every module of a bundle
 * shares the bundle's URL), so no other module computes a path from its own location: they ask here. This module
 * knows the three layouts it can run in, told apart by where it finds itself:
 *
 * | layout     | this module is …                                   | root (package.json)        | extra resources     |
 * |------------|----------------------------------------------------|----------------------------|---------------------|
 * | `source`   | `<repo>/src-main/pixels/app-paths.ts` (tsx, vitest) | the repository             | the repository      |
 * | `built`    | inlined in `<repo>/dist/<bundle>/<entry>.js`        | the repository             | the repository      |
 * | `packaged` | inlined in `<resources>/app.asar/dist/<bundle>/…`   | `<resources>/app.asar`     | `<resources>`       |
 *
 * Every bundle therefore sits exactly one folder below `dist/` (scripts/build.ts lays them out so, and this module
 * refuses any other place). It lives in the bottom folder because imaging (the version written into metadata) and
 * models (the embedded packs) need it as much as the front ends.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type AppLayout = 'source' | 'built' | 'packaged';

/** Absolute paths of the app's own files in the layout it runs from. */
export interface AppPaths {
  layout: AppLayout;
  /** The folder holding package.json and dist/: the repository, or `app.asar` inside an installed app. */
  root: string;
  /** Where electron-builder's extraResources land (`models/`, launchers): the installed app's resources folder, else the root. */
  resources: string;
  /** The embedded model packs (`models/` in the repository; extraResources `models` when packaged). */
  models: string;
  /** The built interface (`npm run build`), served by the app's protocol and by `revive serve`. */
  renderer: string;
  /** The bundled preload: a sandboxed preload must be one CommonJS file. */
  preload: string;
  /** The engine process's entry: the TypeScript source from source (run through tsx), the bundle otherwise. */
  engineEntry: string;
  /** The CLI's entry, as a launcher runs it. */
  cliEntry: string;
  packageJson: string;
}

/** Bundle folders under dist/ (scripts/build.ts writes exactly these). */
export const BUNDLES = { main: 'main/main.js', engine: 'engine/main.js', cli: 'cli/main.js', preload: 'preload/preload.cjs' } as const;

/**
 * The paths for a given location of this module (pure; the real location is {@link appPaths}). Throws when the file
 * is in none of the three layouts: a bundle written to the wrong depth must fail loudly, not look in the wrong place.
 */
export function appPathsFor(moduleFile: string): AppPaths {
  const folder = path.dirname(moduleFile);
  const parent = path.dirname(folder);
  const fromSource = path.extname(moduleFile) === '.ts';
  const expected = fromSource ? 'src-main' : 'dist';
  if (path.basename(parent) !== expected) {
    throw new Error(`cannot tell where Revive's files are: ${moduleFile} is not inside ${expected}/<folder>/ (see src-main/pixels/app-paths.ts)`);
  }
  const root = path.dirname(parent);
  const packaged = !fromSource && path.basename(root) === 'app.asar';
  const layout: AppLayout = fromSource ? 'source' : packaged ? 'packaged' : 'built';
  const resources = packaged ? path.dirname(root) : root;
  const dist = path.join(root, 'dist');
  return {
    layout,
    root,
    resources,
    models: path.join(resources, 'models'),
    renderer: path.join(dist, 'renderer'),
    preload: path.join(dist, BUNDLES.preload),
    engineEntry: fromSource ? path.join(root, 'src-main', 'engine', 'process', 'main.ts') : path.join(dist, BUNDLES.engine),
    cliEntry: fromSource ? path.join(root, 'src-main', 'cli', 'main.ts') : path.join(dist, BUNDLES.cli),
    packageJson: path.join(root, 'package.json'),
  };
}

let cached: AppPaths | undefined;

/** The paths for the layout this process runs from. */
export function appPaths(): AppPaths {
  cached ??= appPathsFor(fileURLToPath(import.meta.url));
  return cached;
}
