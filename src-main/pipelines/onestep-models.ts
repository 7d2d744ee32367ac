/**
 * The models a one-step diffusion pack provides, as the pipeline sees them, and the checks that refuse a pack whose
 * tensors disagree with its manifest or with the standard Stable Diffusion ONNX layout before anything runs.
 */
import type { FloatTensor, ModelRunner, TensorMetadata } from '../pixels/types';

/** Tensor names of the standard Stable Diffusion ONNX export (diffusers / optimum), which packs must use. */
export const SD_TENSORS = {
  vaeEncoder: { input: 'sample', output: 'latent_sample' },
  unet: { sample: 'sample', timestep: 'timestep', hidden: 'encoder_hidden_states', output: 'out_sample' },
  vaeDecoder: { input: 'latent_sample', output: 'sample' },
  textEncoder: { input: 'input_ids', output: 'last_hidden_state' },
} as const;

/** Anything that turns prompt text into the text encoder's hidden state [1, maxTokens, hiddenSize] (PromptEmbedder). */
export interface PromptSource {
  embed(prompt: string): Promise<FloatTensor>;
}

/** The optional image tagger (DAPE): image [1, 3, S, S] → logits [1, N], with the pack's tag list and thresholds. */
export interface TaggerModel {
  runner: ModelRunner;
  tags: readonly string[];
  thresholds: readonly number[];
  inputSize: number;
}

export interface OneStepModels {
  vaeEncoder: ModelRunner;
  unet: ModelRunner;
  vaeDecoder: ModelRunner;
  prompts: PromptSource;
  tagger?: TaggerModel;
}

/** What the pack's manifest says about the maths (manifest `diffusion`). */
export interface DiffusionParams {
  timestep: number;
  alphaBar: number;
  vaeScalingFactor: number;
  hiddenSize: number;
  maxTokens: number;
}

/** Latent channels of the SD VAE. */
export const LATENT_CHANNELS = 4;

/** Element types the runner can cast float feeds to (ids and timesteps travel as float32). */
const CASTABLE_TYPES = new Set(['int64', 'int32', 'float32', 'float64']);

function dimsText(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

export function metadataOf(list: readonly TensorMetadata[] | undefined, name: string): TensorMetadata | undefined {
  return list?.find((m) => m.name === name);
}

function requireNames(what: string, runner: ModelRunner, inputs: readonly string[], outputs: readonly string[]): void {
  for (const name of inputs) {
    if (!runner.inputNames.includes(name)) {
      throw new RangeError(`${what} has no input "${name}" (it has: ${runner.inputNames.join(', ') || 'none'})`);
    }
  }
  for (const name of outputs) {
    if (!runner.outputNames.includes(name)) {
      throw new RangeError(`${what} has no output "${name}" (it has: ${runner.outputNames.join(', ') || 'none'})`);
    }
  }
}

/** Checks a declared dimension that is fixed in the graph (symbolic dimensions pass). */
function requireDim(what: string, meta: TensorMetadata | undefined, axis: number, expected: number, because: string): void {
  if (!meta) return;
  const d = meta.shape[axis];
  if (typeof d === 'number' && d > 0 && d !== expected) {
    throw new RangeError(`${what} "${meta.name}" is ${dimsText(meta.shape)}: dimension ${axis} is ${d}, but ${because} is ${expected}`);
  }
}

/**
 * Refuses models that disagree with the pack's manifest or with the SD layout, before anything runs: missing tensor
 * names, a hidden size or token count other than the manifest's, latent channels other than 4 (8 for the encoder's
 * mean‖logvar), a timestep of an unsupported type. Uses declared metadata where the runner has it.
 */
export function checkOneStepModels(models: Omit<OneStepModels, 'prompts'>, p: DiffusionParams): void {
  const { vaeEncoder: enc, unet, vaeDecoder: dec } = SD_TENSORS;
  requireNames('VAE encoder', models.vaeEncoder, [enc.input], [enc.output]);
  requireNames('UNet', models.unet, [unet.sample, unet.timestep, unet.hidden], [unet.output]);
  requireNames('VAE decoder', models.vaeDecoder, [dec.input], [dec.output]);

  const encIn = metadataOf(models.vaeEncoder.inputMetadata, enc.input);
  requireDim('VAE encoder input', encIn, 1, 3, 'an RGB image has channels');
  const encOut = metadataOf(models.vaeEncoder.outputMetadata, enc.output);
  const encChannels = encOut?.shape[1];
  if (typeof encChannels === 'number' && encChannels !== 4 && encChannels !== 8) {
    throw new RangeError(`VAE encoder output "${enc.output}" is ${dimsText(encOut!.shape)}: expected 4 (mean) or 8 (mean‖logvar) channels`);
  }
  requireDim('UNet input', metadataOf(models.unet.inputMetadata, unet.sample), 1, LATENT_CHANNELS, 'the latent channel count');
  requireDim('UNet output', metadataOf(models.unet.outputMetadata, unet.output), 1, LATENT_CHANNELS, 'the latent channel count');
  const hidden = metadataOf(models.unet.inputMetadata, unet.hidden);
  requireDim('UNet input', hidden, 1, p.maxTokens, 'the manifest\'s diffusion.maxTokens');
  requireDim('UNet input', hidden, 2, p.hiddenSize, 'the manifest\'s diffusion.hiddenSize');
  const ts = metadataOf(models.unet.inputMetadata, unet.timestep);
  if (ts && !CASTABLE_TYPES.has(ts.type)) {
    throw new RangeError(`UNet input "${unet.timestep}" has element type ${ts.type}; supported: ${[...CASTABLE_TYPES].join(', ')}`);
  }
  requireDim('VAE decoder input', metadataOf(models.vaeDecoder.inputMetadata, dec.input), 1, LATENT_CHANNELS, 'the latent channel count');
  requireDim('VAE decoder output', metadataOf(models.vaeDecoder.outputMetadata, dec.output), 1, 3, 'an RGB image has channels');

  const tagger = models.tagger;
  if (tagger) {
    if (tagger.runner.inputNames.length !== 1 || tagger.runner.outputNames.length < 1) {
      throw new RangeError(`tagger must have one image input and a logits output (it has inputs: ${tagger.runner.inputNames.join(', ')})`);
    }
    const tin = tagger.runner.inputMetadata?.[0];
    requireDim('tagger input', tin, 2, tagger.inputSize, 'the manifest\'s tagger.inputSize');
    requireDim('tagger input', tin, 3, tagger.inputSize, 'the manifest\'s tagger.inputSize');
    const tout = tagger.runner.outputMetadata?.[0];
    if (tout) requireDim('tagger output', tout, tout.shape.length - 1, tagger.tags.length, 'the number of tags in the tag list');
    if (tagger.thresholds.length !== tagger.tags.length) {
      throw new RangeError(`tagger has ${tagger.tags.length} tags but ${tagger.thresholds.length} thresholds`);
    }
  }
}

/**
 * The text encoder's declared tensors against the manifest: `input_ids` [1, maxTokens] of an integer type and
 * `last_hidden_state` [1, maxTokens, hiddenSize]. (Its names are checked by PromptEmbedder.)
 */
export function checkTextEncoder(runner: ModelRunner, p: DiffusionParams): void {
  const { input, output } = SD_TENSORS.textEncoder;
  requireNames('text encoder', runner, [input], [output]);
  const ids = metadataOf(runner.inputMetadata, input);
  requireDim('text encoder input', ids, 1, p.maxTokens, 'the manifest\'s diffusion.maxTokens');
  if (ids && !CASTABLE_TYPES.has(ids.type)) throw new RangeError(`text encoder input "${input}" has element type ${ids.type}`);
  const out = metadataOf(runner.outputMetadata, output);
  requireDim('text encoder output', out, 1, p.maxTokens, 'the manifest\'s diffusion.maxTokens');
  requireDim('text encoder output', out, 2, p.hiddenSize, 'the manifest\'s diffusion.hiddenSize');
}

/** A model's named output, or an error naming what the model returned instead. */
export function requireOutput(what: string, out: Record<string, FloatTensor>, name: string): FloatTensor {
  const t = out[name];
  if (!t) throw new Error(`${what} returned no "${name}" (it returned: ${Object.keys(out).join(', ')})`);
  return t;
}
