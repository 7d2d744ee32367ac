import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appPaths, appPathsFor, BUNDLES } from '../../../src-main/pixels/app-paths';

const repo = path.resolve('/home/u/revive');

describe('app paths in the three layouts', () => {
  it('source: everything relative to the repository, the engine and CLI as TypeScript', () => {
    const p = appPathsFor(path.join(repo, 'src-main', 'pixels', 'app-paths.ts'));
    expect(p).toEqual({
      layout: 'source',
      root: repo,
      resources: repo,
      models: path.join(repo, 'models'),
      renderer: path.join(repo, 'dist', 'renderer'),
      preload: path.join(repo, 'dist', 'preload', 'preload.cjs'),
      engineEntry: path.join(repo, 'src-main', 'engine', 'process', 'main.ts'),
      cliEntry: path.join(repo, 'src-main', 'cli', 'main.ts'),
      packageJson: path.join(repo, 'package.json'),
    });
  });

  it('built: the same root from any bundle or chunk, the engine and CLI as bundles', () => {
    for (const f of [BUNDLES.cli, BUNDLES.engine, BUNDLES.main, 'cli/chunk-ABC.js']) {
      const p = appPathsFor(path.join(repo, 'dist', f));
      expect(p.layout, f).toBe('built');
      expect(p.root, f).toBe(repo);
      expect(p.models, f).toBe(path.join(repo, 'models'));
      expect(p.engineEntry, f).toBe(path.join(repo, 'dist', 'engine', 'main.js'));
      expect(p.cliEntry, f).toBe(path.join(repo, 'dist', 'cli', 'main.js'));
    }
  });

  it('packaged: the root is app.asar, the packs are the extra resources beside it', () => {
    const res = path.resolve('/opt/Revive/resources');
    const p = appPathsFor(path.join(res, 'app.asar', 'dist', 'cli', 'main.js'));
    expect(p.layout).toBe('packaged');
    expect(p.root).toBe(path.join(res, 'app.asar'));
    expect(p.resources).toBe(res);
    expect(p.models).toBe(path.join(res, 'models'));
    expect(p.renderer).toBe(path.join(res, 'app.asar', 'dist', 'renderer'));
    expect(p.engineEntry).toBe(path.join(res, 'app.asar', 'dist', 'engine', 'main.js'));
    expect(p.packageJson).toBe(path.join(res, 'app.asar', 'package.json'));
  });

  it('refuses a module in none of the layouts (a bundle written at the wrong depth)', () => {
    expect(() => appPathsFor(path.join(repo, 'dist', 'main.js'))).toThrow(/not inside dist\/<folder>\//);
    expect(() => appPathsFor(path.join(repo, 'src-main', 'app-paths.ts'))).toThrow(/not inside src-main\/<folder>\//);
  });

  it('this process (vitest, from source) finds the repository', () => {
    const p = appPaths();
    expect(p.layout).toBe('source');
    expect(p.packageJson).toBe(path.resolve(import.meta.dirname, '..', '..', '..', 'package.json'));
  });
});
