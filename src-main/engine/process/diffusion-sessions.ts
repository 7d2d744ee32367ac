/**
 * Opening a one-step diffusion pack for the engine: its four models (five with the tagger), the tokenizer, the tag
 * vocabulary and the empty-prompt embedding, checked against the manifest before anything runs.
 *
 * The result is held by the engine's {@link SessionCache} as one group for a whole batch (the prompt embedder and its
 * cached empty prompt with it) and released with an explicit {@link OneStepSessions.dispose}.
 */
import { oneLine } from '../../pixels/one-line';
import path from 'node:path';
import type { OneStepManifest } from '../../models/manifest';
import { checkOneStepModels, checkTextEncoder, type DiffusionParams, type OneStepModels, type TaggerModel } from '../../pipelines/onestep-diffusion';
import { loadPromptTokenizer, loadTagVocabulary, PromptEmbedder, readEmbeddingFile } from '../../pipelines/prompt';
import { EngineError } from '../engine-error';
import type { LoadedOneStepPack } from './pack';
import { ENGINE_ERROR_CODES } from '../protocol';
import type { OpenedModel } from './session';
import type { OpenGroupMember, SessionGroup } from './session-cache';
import { tileConsistentGraph } from './vae-norm-cache';

export interface OneStepSessions extends SessionGroup {
  models: OneStepModels;
  params: DiffusionParams;
  /** The provider running the UNet (the stage that dominates the time). */
  readonly provider: string;
}

/** The maths parameters of a manifest, as the pipeline takes them. */
export function diffusionParams(m: OneStepManifest): DiffusionParams {
  const d = m.diffusion;
  return { timestep: d.timestep, alphaBar: d.alphaBar, vaeScalingFactor: d.vaeScalingFactor, hiddenSize: d.hiddenSize, maxTokens: d.maxTokens };
}

function message(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}

/**
 * Opens the pack's models with `openMember` (provider and threads are its business). `withTagger` opens the tagger
 * too (only the `tags` prompt mode needs it; it is the largest model after the UNet). A model that fails to load or
 * disagrees with the manifest is refused with BAD_PACK / MODEL_ERROR naming the file; whatever was opened is released.
 */
export async function openOneStepSessions(
  pack: LoadedOneStepPack,
  openMember: OpenGroupMember,
  options: {
    withTagger: boolean;
    /** Where derived tile-consistent VAE graphs are cached (default: a per-user temporary folder); null opens the pack's graphs as they are. */
    normCacheDir?: string | null;
  },
): Promise<OneStepSessions> {
  const m = pack.manifest;
  const file = (p: string): string => path.join(pack.dir, ...p.split('/'));
  const params = diffusionParams(m);
  const opened: OpenedModel[] = [];
  const release = async (): Promise<void> => {
    const all = opened.splice(0);
    const results = await Promise.allSettled(all.map((o) => o.runner.dispose()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw new Error(`releasing the diffusion models failed: ${message(failed.reason)}`, { cause: failed.reason });
  };
  const open = async (packPath: string, consistent = false): Promise<OpenedModel> => {
    try {
      const o = await openMember(consistent ? await vaeGraph(packPath) : file(packPath));
      opened.push(o);
      return o;
    } catch (err) {
      throw new EngineError(ENGINE_ERROR_CODES.MODEL_ERROR, `cannot open ${packPath} of model "${m.id}": ${message(err)}`, { cause: err });
    }
  };
  // The VAEs open as their tile-consistent graphs (GroupNorm statistics shared by all tiles), derived once per graph.
  const vaeGraph = async (packPath: string): Promise<string> => {
    const sha = m.files.find((f) => f.path === packPath)?.sha256;
    return sha && options.normCacheDir !== null ? tileConsistentGraph(file(packPath), sha, options.normCacheDir) : file(packPath);
  };
  try {
    const vaeEncoder = await open(m.graphs.vaeEncoder, true);
    const unet = await open(m.graphs.unet);
    const vaeDecoder = await open(m.graphs.vaeDecoder, true);
    const textEncoder = await open(m.graphs.textEncoder);
    let tagger: TaggerModel | undefined;
    if (options.withTagger && m.tagger) {
      const t = m.tagger;
      const runner = (await open(t.model)).runner;
      const vocabulary = await loadTagVocabulary(file(t.tags), file(t.thresholds)).catch((err: unknown) => {
        throw badPack(m.id, err);
      });
      tagger = { runner, tags: vocabulary.tags, thresholds: vocabulary.thresholds, inputSize: t.inputSize };
    }
    const graphs = { vaeEncoder: vaeEncoder.runner, unet: unet.runner, vaeDecoder: vaeDecoder.runner, ...(tagger ? { tagger } : {}) };
    try {
      checkOneStepModels(graphs, params);
      checkTextEncoder(textEncoder.runner, params);
    } catch (err) {
      throw badPack(m.id, err);
    }
    const tokenizer = await loadPromptTokenizer(file(m.graphs.tokenizer)).catch((err: unknown) => {
      throw badPack(m.id, err);
    });
    const emptyEmbedding = m.graphs.emptyPromptEmbedding
      ? await readEmbeddingFile(file(m.graphs.emptyPromptEmbedding), params.maxTokens, params.hiddenSize).catch((err: unknown) => {
          throw badPack(m.id, err);
        })
      : undefined;
    let embedder: PromptEmbedder;
    try {
      embedder = new PromptEmbedder(textEncoder.runner, tokenizer, {
        maxTokens: params.maxTokens,
        hiddenSize: params.hiddenSize,
        ...(emptyEmbedding ? { emptyEmbedding } : {}),
      });
    } catch (err) {
      throw badPack(m.id, err);
    }
    return {
      models: { ...graphs, prompts: embedder },
      params,
      get provider() {
        return unet.provider;
      },
      dispose: release,
    };
  } catch (err) {
    try {
      await release();
    } catch (releaseErr) {
      // Both matter: the reason the pack was refused, and that memory may not have been returned.
      throw new EngineError(
        err instanceof EngineError ? err.code : ENGINE_ERROR_CODES.INTERNAL,
        `${message(err)}; ${message(releaseErr)}`,
        { cause: err },
      );
    }
    throw err;
  }
}

function badPack(id: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  return new EngineError(ENGINE_ERROR_CODES.BAD_PACK, `model pack "${id}" does not match its manifest: ${message(err)}`, { cause: err });
}
