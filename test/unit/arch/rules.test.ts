import { describe, expect, it } from 'vitest';
import { analyse, checkImport, cyclicGroups, nodeOf, type FileImport } from '../../../scripts/arch/rules';
import { formatReport, isClean } from '../../../scripts/arch';

const imp = (from: string, to: string, specifier = `./${to.split('/').pop()}`): FileImport => ({ from, to, specifier });

describe('nodeOf', () => {
  it('names the first folder under src-main, engine/process on its own, and the two other trees', () => {
    expect(nodeOf('src-main/jobs/runner.ts')).toBe('jobs');
    expect(nodeOf('src-main/engine/host.ts')).toBe('engine');
    expect(nodeOf('src-main/engine/process/main.ts')).toBe('engine/process');
    expect(nodeOf('src-preload/contract.ts')).toBe('src-preload');
    expect(nodeOf('src-renderer/src/App.svelte')).toBe('src-renderer');
    expect(nodeOf('scripts/bench.ts')).toBeNull();
  });
});

describe('checkImport', () => {
  it('allows imports down the ranks and inside a folder', () => {
    expect(checkImport(imp('src-main/jobs/runner.ts', 'src-main/pixels/types.ts'))).toBeNull();
    expect(checkImport(imp('src-main/jobs/runner.ts', 'src-main/jobs/state.ts'))).toBeNull();
    expect(checkImport(imp('src-main/engine/process/main.ts', 'src-main/engine/protocol.ts'))).toBeNull();
  });

  it('refuses imports up the ranks and between siblings of equal rank', () => {
    expect(checkImport(imp('src-main/pixels/types.ts', 'src-main/jobs/state.ts'))).toMatch(/must point down/);
    expect(checkImport(imp('src-main/tiling/plan.ts', 'src-main/imaging/read.ts'))).toMatch(/equal rank/);
  });

  it('keeps engine/process and cli to themselves', () => {
    expect(checkImport(imp('src-main/engine/host.ts', 'src-main/engine/process/main.ts'))).toMatch(/engine\/process/);
    expect(checkImport(imp('src-main/app/main.ts', 'src-main/cli/main.ts'))).toMatch(/cli/);
  });

  it('keeps the renderer off src-main and off the preload entry', () => {
    expect(checkImport(imp('src-renderer/src/App.svelte', 'src-preload/contract.ts'))).toBeNull();
    expect(checkImport(imp('src-renderer/src/App.svelte', 'src-main/pixels/rect.ts'))).toMatch(/renderer/);
    expect(checkImport(imp('src-renderer/src/App.svelte', 'src-preload/index.ts'))).toMatch(/renderer/);
    expect(checkImport(imp('src-main/ipc/register.ts', 'src-preload/index.ts'))).toMatch(/contract/);
  });

  it('names a folder missing from the rank table', () => {
    expect(checkImport(imp('src-main/faces/detect.ts', 'src-main/pixels/rect.ts'))).toMatch(/faces has no rank/);
  });
});

describe('cyclicGroups', () => {
  it('finds groups of two or more and self-imports, not chains', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a', 'd'])],
      ['e', new Set<string>()],
    ]);
    expect(cyclicGroups(graph)).toEqual([['a', 'b', 'c'], ['d']]);
  });
});

describe('analyse', () => {
  it('reports an upward import, the folder cycle it makes and a file cycle', () => {
    const report = analyse([
      imp('src-main/jobs/runner.ts', 'src-main/store/queue.ts'),
      imp('src-main/store/queue.ts', 'src-main/jobs/state.ts'),
      imp('src-main/pixels/a.ts', 'src-main/pixels/b.ts'),
      imp('src-main/pixels/b.ts', 'src-main/pixels/a.ts'),
    ]);
    expect(report.breaks.map((b) => [b.from, b.to])).toEqual([['src-main/store/queue.ts', 'src-main/jobs/state.ts']]);
    expect(report.folderCycles.map((c) => c.path)).toEqual([['jobs', 'store', 'jobs']]);
    expect(report.fileCycles.map((c) => c.path)).toEqual([['src-main/pixels/a.ts', 'src-main/pixels/b.ts', 'src-main/pixels/a.ts']]);
    expect(isClean(report)).toBe(false);
    const text = formatReport(report);
    expect(text).toContain("  src-main/store/queue.ts imports './state.ts': store (rank 2) → jobs (rank 7): imports must point down");
    expect(text.at(-1)).toBe('1 upward imports, 2 cycles');
  });

  it('passes a clean graph and counts file imports per folder pair once', () => {
    const report = analyse([
      imp('src-main/jobs/runner.ts', 'src-main/store/queue.ts'),
      imp('src-main/jobs/runner.ts', 'src-main/store/queue.ts', '../store/queue'),
      imp('src-main/jobs/state.ts', 'src-main/store/queue.ts'),
      imp('src-main/store/queue.ts', 'src-main/pixels/types.ts'),
    ]);
    expect(isClean(report)).toBe(true);
    expect(report.folderEdges.get('jobs')?.get('store')).toBe(2);
    expect(formatReport(report).at(-1)).toBe('0 upward imports, 0 cycles');
  });
});
