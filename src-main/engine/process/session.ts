/**
 * Opening an ONNX model as a {@link ModelRunner}: provider choice with CPU fallback, dtype conversion of feeds,
 * float32 outputs, explicit release.
 *
 * A GPU provider can fail in two places: when the session is created (libraries missing, driver too old — with
 * ['cuda', 'cpu'] onnxruntime throws rather than falling back by itself) and on the first run (an operator the
 * provider cannot execute). Both fall back to CPU with one warning. Out-of-memory errors are not a reason to leave the
 * GPU: they propagate so the pipeline can retry with smaller tiles.
 */
import { oneLine } from '../../pixels/one-line';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { FloatTensor, ModelRunner, TensorMetadata } from '../../pixels/types';
import { isOutOfMemory } from '../../pixels/out-of-memory';
import {
  defaultThreads,
  detectBackends,
  providerLabel,
  resolveProviders,
  type BackendInfo,
  type ProviderChoice,
  type ProviderName,
} from './providers';

export { isOutOfMemory } from '../../pixels/out-of-memory';

export interface OpenModelOptions {
  /** Default 'auto'. */
  provider?: ProviderChoice;
  /** Intra-op threads; default {@link defaultThreads}. */
  threads?: number;
  /** Warnings that arise after opening (a provider failing on its first run). Also appended to `warnings`. */
  onWarning?: (message: string) => void;
  /**
   * Whether onnxruntime's intra-op threads spin-wait for work between operators (its default, true). A model run in
   * many calls with JavaScript pixel work in between (a face pack between align and paste) gives `false`: spinning
   * threads would take the cores that work needs.
   */
  spinning?: boolean;
  /** What onnxruntime-node offers; default {@link detectBackends} (tests pass their own). */
  backends?: readonly BackendInfo[];
  /** Default process.platform (tests pass their own). */
  platform?: NodeJS.Platform;
}

export interface OpenedModel {
  runner: ModelRunner;
  /** The provider actually running the model (can become 'cpu' after a first-run failure). */
  readonly provider: ProviderName;
  /** Every fallback so far, one message each; grows if the first run falls back. */
  warnings: string[];
}

type ModelSource = string | Uint8Array;

function describe(model: ModelSource): string {
  return typeof model === 'string' ? model : `in-memory model (${model.byteLength} bytes)`;
}

/** First line of an error's message: onnxruntime appends long native stack context we do not want in a UI warning. */
function brief(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}

async function createSession(model: ModelSource, providers: ProviderName[], threads: number, spinning = true): Promise<InferenceSession> {
  const options: InferenceSession.SessionOptions = {
    ...(spinning ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    executionMode: 'sequential',
    // DirectML refuses sessions with memory patterns enabled (onnxruntime DirectML EP documentation).
    enableMemPattern: providers[0] !== 'dml',
  };
  return typeof model === 'string' ? InferenceSession.create(model, options) : InferenceSession.create(model, options);
}

/**
 * Opens a model with the requested provider, falling back to CPU (with one warning) when the provider is unavailable,
 * fails to load, or fails on its first run.
 */
export async function openModel(model: ModelSource, opts: OpenModelOptions = {}): Promise<OpenedModel> {
  const threads = opts.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const resolved = resolveProviders(
    opts.provider ?? 'auto',
    opts.platform ?? process.platform,
    opts.backends ?? detectBackends(),
  );
  const warnings = [...resolved.warnings];
  const first = resolved.providers[0]!;
  let session: InferenceSession;
  let provider: ProviderName = first;
  try {
    session = await createSession(model, resolved.providers, threads, opts.spinning);
  } catch (err) {
    if (first === 'cpu') throw new Error(`cannot load ${describe(model)}: ${brief(err)}`, { cause: err });
    session = await createSession(model, ['cpu'], threads, opts.spinning).catch((cpuErr: unknown) => {
      throw new Error(`cannot load ${describe(model)}: ${brief(cpuErr)}`, { cause: cpuErr });
    });
    provider = 'cpu';
    warnings.push(`${providerLabel(first)} failed to load the model (${brief(err)}); using the CPU`);
  }
  const runner = new OrtRunner(session, provider, async (err) => {
    const message = `${providerLabel(provider)} failed on the first run (${brief(err)}); using the CPU`;
    const cpu = await createSession(model, ['cpu'], threads, opts.spinning);
    provider = 'cpu';
    warnings.push(message);
    opts.onWarning?.(message);
    return cpu;
  });
  return {
    runner,
    get provider() {
      return provider;
    },
    warnings,
  };
}

/** A float32 FloatTensor converted to the element type an input declares. */
function toOrtTensor(name: string, meta: InferenceSession.ValueMetadata | undefined, t: FloatTensor): Tensor {
  const dims = [...t.dims];
  const expected = dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== expected) {
    throw new RangeError(`input "${name}": ${t.data.length} values for dims [${dims.join(', ')}] (${expected})`);
  }
  if (!meta || !meta.isTensor) return new Tensor('float32', t.data, dims);
  if (meta.shape.length > 0) {
    const fixedMismatch = meta.shape.length !== dims.length
      || meta.shape.some((d, i) => typeof d === 'number' && d > 0 && d !== dims[i]);
    if (fixedMismatch) {
      throw new RangeError(`input "${name}" expects shape [${meta.shape.join(', ')}], got [${dims.join(', ')}]`);
    }
  }
  switch (meta.type) {
    case 'float32':
      return new Tensor('float32', t.data, dims);
    case 'float64':
      return new Tensor('float64', Float64Array.from(t.data), dims);
    case 'int64':
      return new Tensor('int64', BigInt64Array.from(t.data, (v) => BigInt(Math.round(v))), dims);
    case 'int32':
      return new Tensor('int32', Int32Array.from(t.data, (v) => Math.round(v)), dims);
    default:
      throw new TypeError(`input "${name}" has element type ${meta.type}; only float32/float64/int32/int64 are supported`);
  }
}

function toFloatOutputs(results: InferenceSession.ReturnType): Record<string, FloatTensor> {
  const out: Record<string, FloatTensor> = {};
  for (const [name, value] of Object.entries(results)) out[name] = toFloatTensor(name, value as Tensor);
  return out;
}

function toFloatTensor(name: string, t: Tensor): FloatTensor {
  const dims = [...t.dims];
  const d = t.data;
  if (d instanceof Float32Array) return { data: d, dims };
  if (d instanceof Float64Array || d instanceof Int32Array || d instanceof Uint8Array || d instanceof Int8Array
    || d instanceof Uint16Array || d instanceof Int16Array || d instanceof Uint32Array) {
    return { data: Float32Array.from(d), dims };
  }
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    return { data: Float32Array.from(d, (v) => Number(v)), dims };
  }
  throw new TypeError(`output "${name}" has element type ${t.type}, which cannot be returned as float32`);
}

/** The tensor entries of a session's metadata in the pipelines' terms (non-tensor values are left out). */
function tensorMetadata(list: readonly InferenceSession.ValueMetadata[]): TensorMetadata[] {
  return list.flatMap((m) => (m.isTensor ? [{ name: m.name, type: m.type, shape: [...m.shape] }] : []));
}

/** A {@link ModelRunner} over an onnxruntime session. Runs are meant to be awaited one at a time. */
class OrtRunner implements ModelRunner {
  #session: InferenceSession;
  #verified: boolean;
  #disposed = false;
  readonly #fallback: (err: unknown) => Promise<InferenceSession>;

  constructor(session: InferenceSession, provider: ProviderName, fallback: (err: unknown) => Promise<InferenceSession>) {
    this.#session = session;
    this.#verified = provider === 'cpu';
    this.#fallback = fallback;
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  get inputMetadata(): readonly TensorMetadata[] {
    return tensorMetadata(this.#session.inputMetadata);
  }

  get outputMetadata(): readonly TensorMetadata[] {
    return tensorMetadata(this.#session.outputMetadata);
  }

  async run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>> {
    if (this.#disposed) throw new Error('model runner used after dispose()');
    // Built before running so a caller's mistake (unknown name, wrong shape) is never blamed on the provider.
    const ortFeeds = this.#toFeeds(feeds);
    try {
      const out = await this.#session.run(ortFeeds);
      this.#verified = true;
      return toFloatOutputs(out);
    } catch (err) {
      // Only an untried GPU session is suspect; OOM means "smaller tiles", which the caller handles.
      if (this.#verified || isOutOfMemory(err)) throw err;
      const cpu = await this.#fallback(err);
      await this.#session.release();
      this.#session = cpu;
      this.#verified = true;
      return toFloatOutputs(await cpu.run(ortFeeds));
    }
  }

  #toFeeds(feeds: Record<string, FloatTensor>): Record<string, Tensor> {
    const s = this.#session;
    const ortFeeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      if (!s.inputNames.includes(name)) {
        throw new RangeError(`model has no input "${name}"; its inputs are ${s.inputNames.join(', ')}`);
      }
      ortFeeds[name] = toOrtTensor(name, s.inputMetadata.find((m) => m.name === name), t);
    }
    return ortFeeds;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#session.release();
  }
}
