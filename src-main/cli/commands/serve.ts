/**
 * `revive serve [--port N] [--data-dir DIR] [--output-root DIR]…`: runs the core and the web bridge on 127.0.0.1 and prints the URL (with
 * its token) to open in a browser — locally, or through `ssh -L N:127.0.0.1:N host` from another machine. Runs until
 * Ctrl-C, then closes the sockets, finishes nothing new and releases the queue.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { appPaths } from '../../pixels/app-paths';
import { defaultDataDir } from '../../store/data-dir';
import { printError, UsageError } from '../errors';

/** The built interface: `dist/renderer` in the repository or inside the installed app (`npm run build`). */
export function defaultRendererDir(): string {
  return appPaths().renderer;
}

export interface ServeDeps {
  io?: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean }; cwd: string };
  /** Stops the server (the program wires Ctrl-C to it). Without one the server runs until the process ends. */
  signal?: AbortSignal;
}

/** Parses `--port`: 0 (any free port) to 65535. */
export function parsePort(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(raw)}`);
  return n;
}

/** Adds the `serve` subcommand to the `revive` program. */
export function register(program: Command, deps: ServeDeps = {}): void {
  const io = deps.io ?? { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
  program
    .command('serve')
    .description('serve the Revive interface to a browser on 127.0.0.1 (open the printed URL, token included)')
    .option('-p, --port <n>', 'port on 127.0.0.1 (0 picks a free one)', '7471')
    .addOption(new Option('--data-dir <dir>', 'user data folder (queue, library, models, settings)').env('REVIVE_DATA_DIR'))
    .option('--renderer-dir <dir>', 'the built interface (default: dist/renderer)')
    .option(
      '--output-root <dir>',
      'a folder the page may choose output folders in, repeatable (default: your home folder)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .action(async (raw: { port: string; dataDir?: string; rendererDir?: string; outputRoot?: string[] }) => {
      const port = parsePort(raw.port);
      const dataDir = raw.dataDir ? path.resolve(io.cwd, raw.dataDir) : defaultDataDir();
      const rendererDir = raw.rendererDir ? path.resolve(io.cwd, raw.rendererDir) : defaultRendererDir();
      if (!existsSync(path.join(rendererDir, 'index.html'))) {
        throw new UsageError(`the interface is not built in ${rendererDir}: run "npm run build" first`);
      }
      // Loaded here, not at the top: every other `revive` command would otherwise pay for the bridge and the whole core.
      const [{ openReviveCore }, { startBridge }] = await Promise.all([import('../../core/services'), import('../../bridge/server')]);
      // Anyone holding the token drives this server: results go only where its owner said they may.
      const outputRoots = raw.outputRoot?.length ? raw.outputRoot.map((r) => path.resolve(io.cwd, r)) : [os.homedir()];
      const core = await openReviveCore(dataDir, { outputRoots });
      let bridge;
      try {
        bridge = await startBridge({
          core,
          rendererDir,
          port,
          onError: (message, err) => printError(io.stderr, `serve: ${message}${err instanceof Error ? `: ${err.message}` : ''}`),
        });
      } catch (err) {
        await core.close();
        throw err;
      }
      io.stdout.write(`Revive is ready: ${bridge.url}\n(data: ${dataDir}; Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        if (deps.signal?.aborted) resolve();
        deps.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      await bridge.close();
      await core.close();
    });
}
