/** The device the interface shows: this machine's CPU and memory, and the execution provider that ran last. */
import os from 'node:os';
import type { DeviceInfo } from '../../src-preload/contract';

const LABELS = { cpu: 'CPU', cuda: 'CUDA GPU', dml: 'DirectML GPU', coreml: 'Core ML' } as const;

/**
 * `lastProvider` is the provider recorded with the newest result, or null before any photo ran. The host process
 * does not load onnxruntime (only the engine does), so the provider that last ran tells the truth.
 */
export function describeDevice(lastProvider: string | null): DeviceInfo {
  const cpus = os.cpus();
  const provider = lastProvider === 'cuda' || lastProvider === 'dml' || lastProvider === 'coreml' ? lastProvider : 'cpu';
  return {
    label: LABELS[provider],
    provider,
    available: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
    cpuCores: Math.max(1, cpus.length),
    memoryBytes: os.totalmem(),
    warnings: lastProvider === null ? ['The device is confirmed when the first photo runs.'] : [],
  };
}
