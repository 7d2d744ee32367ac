/**
 * The architecture rules `npm run arch` checks, as pure functions over a list of resolved file imports, so they can be
 * tested on a made-up graph. The scanner (scan.ts) builds the list from the source tree; arch.ts prints the result.
 */

/**
 * Folder ranks of src-main, low → high: a folder may import only folders of a lower rank (and itself). This table is
 * the one statement of the layering in code (ARCHITECTURE.md "Imports point down" says it in words); eslint.config.js
 * repeats only the coarse part (front ends, the engine process) for editor-time feedback.
 *
 * Why this order: `pixels/` is the kernel everything sits on; tiling and imaging work on pixels; pipelines run models
 * over tiles and the store persists rows; models (packs) need both; the engine's host side runs pipelines from packs;
 * settings, library and jobs are the domain on top; `core/` composes them; ipc, bridge, app and cli are front ends.
 * Equal ranks (tiling/imaging, pipelines/store, app/cli) are siblings that must not know each other.
 *
 * Two nodes are not first-level folders: `engine/process` (the child process) sits just above the engine's host side
 * it shares the protocol with, and is further guarded by {@link checkImport} (only itself may import it);
 * `src-preload` (the IPC contract) re-exports domain types of the jobs/models/imaging folders and is imported by the
 * front ends and core, so it sits between jobs and core. `fleet` (the BullMQ/Redis worker fleet) runs each photo
 * through the composition root like a front end does, so it sits just above core; only the CLI starts it, and no
 * front end below the CLI needs it.
 */
export const RANKS: Readonly<Record<string, number>> = {
  pixels: 0,
  tiling: 1,
  imaging: 1,
  pipelines: 2,
  store: 2,
  models: 3,
  engine: 4,
  'engine/process': 4.5,
  settings: 5,
  library: 6,
  jobs: 7,
  'src-preload': 7.5,
  core: 8,
  fleet: 8.5,
  ipc: 9,
  bridge: 10,
  app: 11,
  cli: 11,
};

/** The files of src-preload the renderer may import: the contract and the invoke/on wrappers (neither imports Electron). */
const RENDERER_MAY_IMPORT = new Set(['src-preload/contract.ts', 'src-preload/api.ts']);
/** The one file of src-preload that src-main may import: the contract (channels, schemas). */
const MAIN_MAY_IMPORT = new Set(['src-preload/contract.ts']);

/** One resolved import: repo-relative POSIX paths of both files and the specifier as written. */
export interface FileImport {
  from: string;
  to: string;
  specifier: string;
}

/** A rule break: the import and why it is one. */
export interface Break extends FileImport {
  reason: string;
}

/** Everything the check found. */
export interface ArchReport {
  /** Imports between different nodes, counted per (from node, to node); file pairs are counted once. */
  folderEdges: Map<string, Map<string, number>>;
  breaks: Break[];
  /** Cycles of folder nodes, one per strongly connected group. */
  folderCycles: Cycle[];
  /** Cycles of source files, one per strongly connected group. */
  fileCycles: Cycle[];
}

/** A strongly connected group of nodes and a shortest cycle through its first member (start repeated at the end). */
export interface Cycle {
  members: string[];
  path: string[];
}

/**
 * The graph node of a repo-relative file: the first folder under src-main (with `engine/process` its own node),
 * or `src-preload` / `src-renderer`. Null for files outside those trees.
 */
export function nodeOf(file: string): string | null {
  const parts = file.split('/');
  const [top, first, second] = parts;
  if (top === 'src-preload' || top === 'src-renderer') return top;
  if (top !== 'src-main' || parts.length < 2) return null;
  if (parts.length === 2) return '(src-main)';
  if (first === 'engine' && second === 'process' && parts.length > 3) return 'engine/process';
  return first ?? null;
}

/** Why an import breaks a rule, or null when it is allowed. Checks are ordered from the most specific. */
export function checkImport(imp: FileImport): string | null {
  const from = nodeOf(imp.from);
  const to = nodeOf(imp.to);
  if (from === null || to === null || from === to) return null;
  if (from === 'src-renderer') {
    return RENDERER_MAY_IMPORT.has(imp.to) ? null : 'the renderer may import only src-preload/contract and src-preload/api';
  }
  if (to === 'src-renderer') return 'nothing outside src-renderer imports the renderer';
  if (to === 'src-preload' && from !== 'src-preload' && !MAIN_MAY_IMPORT.has(imp.to)) {
    return 'src-main may import only src-preload/contract';
  }
  if (to === 'engine/process') return 'only engine/process/ imports engine/process/ (it runs in the child process)';
  if (to === 'cli') return 'nothing outside cli/ imports cli/ (the CLI is a front end, a leaf)';
  const rankFrom = RANKS[from];
  const rankTo = RANKS[to];
  if (rankFrom === undefined) return `folder ${from} has no rank in scripts/arch/rules.ts`;
  if (rankTo === undefined) return `folder ${to} has no rank in scripts/arch/rules.ts`;
  if (rankTo === rankFrom) return `${from} → ${to}: siblings of equal rank (${rankFrom}) must not import each other`;
  if (rankTo > rankFrom) return `${from} (rank ${rankFrom}) → ${to} (rank ${rankTo}): imports must point down`;
  return null;
}

/**
 * Strongly connected components (Tarjan) of a directed graph that contain a cycle: groups of two or more, or one
 * node that imports itself. Iterative, so a long import chain cannot overflow the stack.
 */
export function cyclicGroups(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  const next = (n: string): string[] => [...(graph.get(n) ?? [])].sort();

  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; edges: string[]; i: number }[] = [];
    const visit = (n: string): void => {
      index.set(n, counter);
      low.set(n, counter);
      counter++;
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, edges: next(n), i: 0 });
    };
    visit(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.edges.length) {
        const m = frame.edges[frame.i++]!;
        if (!index.has(m)) visit(m);
        else if (onStack.has(m)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(m)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const group: string[] = [];
      let m: string;
      do {
        m = stack.pop()!;
        onStack.delete(m);
        group.push(m);
      } while (m !== frame.node);
      if (group.length > 1 || graph.get(frame.node)?.has(frame.node)) groups.push(group.sort());
    }
  }
  return groups;
}

/** A shortest cycle through the first member of a cyclic group (breadth-first inside the group), start repeated at the end. */
export function cycleThrough(group: readonly string[], graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const start = group[0]!;
  const members = new Set(group);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const n = queue.shift()!;
    for (const m of [...(graph.get(n) ?? [])].sort()) {
      if (!members.has(m)) continue;
      if (m === start) {
        const path = [n];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(m)) {
        cameFrom.set(m, n);
        queue.push(m);
      }
    }
  }
  return [...group, start];
}

function addEdge(graph: Map<string, Set<string>>, from: string, to: string): void {
  if (!graph.has(from)) graph.set(from, new Set());
  if (!graph.has(to)) graph.set(to, new Set());
  graph.get(from)!.add(to);
}

/** Files whose import cycles count: all three trees (a circle of files cannot be read or tested in parts). */
const CYCLE_CHECKED = /^(src-main|src-preload|src-renderer)\//;

/** Runs every rule over the imports. */
export function analyse(imports: readonly FileImport[]): ArchReport {
  const seen = new Set<string>();
  const unique = imports.filter((i) => {
    const key = `${i.from}\0${i.to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  const folderEdges = new Map<string, Map<string, number>>();
  const folderGraph = new Map<string, Set<string>>();
  const fileGraph = new Map<string, Set<string>>();
  for (const imp of unique) {
    const from = nodeOf(imp.from);
    const to = nodeOf(imp.to);
    if (from !== null && to !== null && from !== to) {
      const row = folderEdges.get(from) ?? new Map<string, number>();
      row.set(to, (row.get(to) ?? 0) + 1);
      folderEdges.set(from, row);
      addEdge(folderGraph, from, to);
    }
    if (CYCLE_CHECKED.test(imp.from) && CYCLE_CHECKED.test(imp.to)) addEdge(fileGraph, imp.from, imp.to);
  }

  const breaks: Break[] = [];
  for (const imp of unique) {
    const reason = checkImport(imp);
    if (reason) breaks.push({ ...imp, reason });
  }
  return {
    folderEdges,
    breaks,
    folderCycles: cyclicGroups(folderGraph).map((members) => ({ members, path: cycleThrough(members, folderGraph) })),
    fileCycles: cyclicGroups(fileGraph).map((members) => ({ members, path: cycleThrough(members, fileGraph) })),
  };
}
