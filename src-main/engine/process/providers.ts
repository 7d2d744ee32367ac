/**
 * Choosing onnxruntime execution providers.
 *
 * `auto` picks the GPU provider each platform's onnxruntime-node build can use — DirectML on Windows, CoreML on
 * macOS, CUDA on Linux when its provider libraries are installed — and CPU otherwise. An explicit choice that this
 * machine cannot honour falls back to CPU with a warning, never an error: the photo still gets processed.
 * {@link resolveProviders} is pure so the choice can be tested for every platform from any machine.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { listSupportedBackends } from 'onnxruntime-node';

import { PROVIDER_CHOICES, type ProviderChoice } from '../protocol';

export { PROVIDER_CHOICES, type ProviderChoice };
/** An onnxruntime execution provider this app uses (onnxruntime's own names). */
export type ProviderName = Exclude<ProviderChoice, 'auto'>;

/** What onnxruntime-node reports for a backend, plus whether its provider libraries are present. */
export interface BackendInfo {
  name: string;
  /** Shipped inside the onnxruntime-node binary. */
  bundled: boolean;
  /** For non-bundled backends: the provider libraries were installed next to the binding. */
  installed?: boolean;
}

export interface ProviderResolution {
  /** Providers in order of preference; always ends with 'cpu'. */
  providers: ProviderName[];
  warnings: string[];
}

const LABEL: Record<ProviderName, string> = { cpu: 'CPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML' };
const HOME: Partial<Record<ProviderName, NodeJS.Platform[]>> = {
  cuda: ['linux', 'win32'],
  dml: ['win32'],
  coreml: ['darwin'],
};
const AUTO: Partial<Record<NodeJS.Platform, ProviderName>> = { win32: 'dml', darwin: 'coreml', linux: 'cuda' };

/** Human name of a provider for messages ("DirectML"). */
export function providerLabel(p: ProviderName): string {
  return LABEL[p];
}

/** Why `p` cannot be used here, or undefined when it can. */
function unavailableReason(p: ProviderName, platform: NodeJS.Platform, available: readonly BackendInfo[]): string | undefined {
  const home = HOME[p];
  if (home && !home.includes(platform)) return `${LABEL[p]} is not available on ${platform}`;
  const b = available.find((x) => x.name === p);
  if (!b) return `this onnxruntime-node build has no ${LABEL[p]} support`;
  if (!b.bundled && !b.installed) {
    return `the ${LABEL[p]} provider libraries of onnxruntime-node are not installed`;
  }
  return undefined;
}

/**
 * The ordered execution-provider list for a request on a platform, given what onnxruntime-node offers.
 * `auto` never warns (CPU is a normal outcome on a machine without a GPU); an explicit GPU choice that cannot be
 * honoured gives CPU and one warning saying why.
 */
export function resolveProviders(
  requested: ProviderChoice,
  platform: NodeJS.Platform,
  available: readonly BackendInfo[],
): ProviderResolution {
  if (requested === 'cpu') return { providers: ['cpu'], warnings: [] };
  if (requested === 'auto') {
    const gpu = AUTO[platform];
    if (gpu && !unavailableReason(gpu, platform, available)) return { providers: [gpu, 'cpu'], warnings: [] };
    return { providers: ['cpu'], warnings: [] };
  }
  const why = unavailableReason(requested, platform, available);
  if (why) return { providers: ['cpu'], warnings: [`${LABEL[requested]} was requested but ${why}; using the CPU`] };
  return { providers: [requested, 'cpu'], warnings: [] };
}

/** File names of the provider library that must sit next to the binding for a non-bundled backend. */
const PROVIDER_LIBRARY: Record<string, Partial<Record<NodeJS.Platform, string>>> = {
  cuda: { linux: 'libonnxruntime_providers_cuda.so', win32: 'onnxruntime_providers_cuda.dll' },
  tensorrt: { linux: 'libonnxruntime_providers_tensorrt.so', win32: 'onnxruntime_providers_tensorrt.dll' },
};

/** Folder holding onnxruntime-node's native binding for this platform (where installed providers land). */
function bindingFolder(): string {
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * The backends of the loaded onnxruntime-node, with `installed` set for non-bundled ones by looking for their
 * provider library next to the binding (onnxruntime-node's install script downloads it there; listing alone says
 * nothing about presence).
 */
export function detectBackends(): BackendInfo[] {
  const folder = bindingFolder();
  return listSupportedBackends().map((b) => {
    if (b.bundled) return { name: b.name, bundled: true };
    const lib = PROVIDER_LIBRARY[b.name]?.[process.platform];
    return { name: b.name, bundled: false, installed: lib !== undefined && existsSync(path.join(folder, lib)) };
  });
}

/**
 * Intra-op threads for a machine with `cores` logical cores: all of them on small machines, one fewer from 4 cores
 * up so the main process (UI, job queue) keeps a core while the engine process computes.
 */
export function defaultThreads(cores: number = os.availableParallelism()): number {
  if (!Number.isFinite(cores) || cores < 1) return 1;
  return cores >= 4 ? Math.floor(cores) - 1 : Math.floor(cores);
}
