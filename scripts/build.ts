/**
 * `npm run build`: compiles what the app, `revive serve`, the CLI and the engine process run into dist/, so nothing
 * needs a TypeScript loader at run time.
 *
 *   dist/main/main.js          Electron main process (package.json `main`)           ESM
 *   dist/engine/main.js        the engine process (fork or utilityProcess entry)      ESM
 *   dist/cli/main.js           the `revive` command (bin/revive.js, the launchers)    ESM
 *   dist/preload/preload.cjs   the preload (a sandboxed preload must be one CommonJS file)
 *   dist/renderer/             the interface (vite, src-renderer/vite.config.ts)
 *
 * Bundled with esbuild: it is already the project's preload bundler, it bundles TypeScript without a type-check pass
 * (tsc checks in `npm test`), and it builds all four Node bundles in about a second, so the set-up and the package
 * check can afford a full build every time. Packages with native code, executables or WebAssembly stay external and
 * ship in node_modules (unpacked from the asar where they must be): see EXTERNAL. Source maps are written next to
 * the bundles for local debugging (`node --enable-source-maps dist/cli/main.js`); electron-builder.yml keeps them out
 * of the package.
 *
 * `npm run build -- preload` builds only the preload (what `npm start` needs besides the renderer).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { BUNDLES } from '../src-main/pixels/app-paths';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

/**
 * Never bundled, each for a reason the package check (test/package) relies on:
 * - electron: provided by the runtime.
 * - onnxruntime-node, sharp, better-sqlite3: native addons (`.node`, shared libraries) found relative to their package.
 * - exiftool-vendored: starts the Perl exiftool from its sibling package exiftool-vendored.pl by path.
 * - libheif-js: LGPL WebAssembly, kept a separate, replaceable module (README, "Models and credits").
 * @huggingface/tokenizers is plain JavaScript (no native or wasm part) and is bundled.
 */
export const EXTERNAL = ['electron', 'onnxruntime-node', 'sharp', 'better-sqlite3', 'exiftool-vendored', 'libheif-js'] as const;

/**
 * ESM bundles of CommonJS packages (commander, ws, exifr…) call `require` for Node's built-ins; an ES module has no
 * `require`, so each bundle makes one from its own URL.
 */
const ESM_REQUIRE_BANNER = "import { createRequire as __reviveCreateRequire } from 'node:module';\nconst require = __reviveCreateRequire(import.meta.url);";

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  // The CLI runs on the user's Node (package.json engines: >= 20.6); Electron 45 carries a newer one.
  target: 'node20',
  external: [...EXTERNAL],
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'eof',
};

const nodeBundles: { name: string; entry: string; out: string }[] = [
  { name: 'main', entry: 'src-main/app/main.ts', out: BUNDLES.main },
  { name: 'engine', entry: 'src-main/engine/process/main.ts', out: BUNDLES.engine },
  { name: 'cli', entry: 'src-main/cli/main.ts', out: BUNDLES.cli },
];

async function bundleNode(b: (typeof nodeBundles)[number]): Promise<Metafile> {
  const out = path.join(dist, b.out);
  const r = await build({
    ...common,
    entryPoints: { [path.basename(out, '.js')]: path.join(root, b.entry) },
    outdir: path.dirname(out),
    // The CLI loads each command's implementation on demand (dynamic imports): split them into chunks beside the
    // entry (same folder, so pixels/app-paths.ts finds the same root from any of them) and `--help` parses only
    // commander and the option tables.
    splitting: b.name === 'cli',
    chunkNames: 'chunk-[hash]',
    format: 'esm',
    banner: { js: ESM_REQUIRE_BANNER },
  });
  return r.metafile!;
}

async function bundlePreload(): Promise<Metafile> {
  const r = await build({ ...common, entryPoints: [path.join(root, 'src-preload/index.ts')], outfile: path.join(dist, BUNDLES.preload), format: 'cjs' });
  return r.metafile!;
}

function buildRenderer(): void {
  const r = spawnSync('npx', ['vite', 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
}

/** One line per bundle: its entry's size, and its chunks' (the CLI's commands) together. */
function report(metas: Metafile[]): void {
  for (const meta of metas) {
    const outs = Object.entries(meta.outputs).filter(([f]) => !f.endsWith('.map'));
    const entry = outs.find(([f]) => !path.basename(f).startsWith('chunk-'))!;
    const chunks = outs.filter((o) => o !== entry);
    const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
    const more = chunks.length ? ` + ${chunks.length} chunks, ${kib(chunks.reduce((a, [, o]) => a + o.bytes, 0))}` : '';
    console.log(`  ${path.relative(root, path.resolve(root, entry[0])).padEnd(26)} ${kib(entry[1].bytes).padStart(9)}${more}`);
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  if (process.argv.includes('preload')) {
    report([await bundlePreload()]);
    return;
  }
  // Old bundles (a renamed entry, stale maps) must not survive into a package.
  for (const dir of ['main', 'engine', 'cli', 'preload']) rmSync(path.join(dist, dir), { recursive: true, force: true });
  const metas = await Promise.all([...nodeBundles.map(bundleNode), bundlePreload()]);
  const bundled = performance.now() - t0;
  buildRenderer();
  report(metas);
  console.log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s (bundles ${(bundled / 1000).toFixed(1)} s, renderer ${((performance.now() - t0 - bundled) / 1000).toFixed(1)} s)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
