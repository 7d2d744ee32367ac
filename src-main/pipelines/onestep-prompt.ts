/**
 * One-step diffusion stage 5, the prompt: `tags` (the tagger on the upscaled image at its input size, ImageNet
 * mean/std → per-tag thresholds → "t1, t2, …, text,"), `none` (the empty prompt, cached or shipped) or `custom` (the
 * user's text), turned into the text encoder's hidden state.
 */
import { maxValueOf } from '../pixels/tensor';
import { requireOutput, type OneStepModels, type TaggerModel } from './onestep-models';
import type { OneStepOptions, Resizer } from './onestep-options';
import { assemblePrompt, selectTags } from './prompt';
import type { FloatTensor, PixelBuffer } from '../pixels/types';

/** The tagger's input normalisation (ImageNet statistics, as RAM / DAPE were trained). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** The tagger's input: an RGB image of inputSize² as [1, 3, S, S], normalised with ImageNet mean and std. */
export function taggerInput(img: PixelBuffer): FloatTensor {
  const { width: w, height: h } = img;
  const plane = w * h;
  const out = new Float32Array(3 * plane);
  const max = maxValueOf(img.data);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = (img.data[i * img.channels + c]! / max - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
  }
  return { data: out, dims: [1, 3, h, w] };
}

/** Tags for an image: the tagger on the image resized to its input size, then the per-tag thresholds. */
export async function tagImage(up: PixelBuffer, tagger: TaggerModel, resize: Resizer): Promise<string[]> {
  const small = await resize(up, tagger.inputSize, tagger.inputSize, 'cubic');
  const inputName = tagger.runner.inputNames[0]!;
  const outputName = tagger.runner.outputNames[0]!;
  const out = requireOutput('tagger', await tagger.runner.run({ [inputName]: taggerInput(small) }), outputName);
  if (out.data.length !== tagger.tags.length) {
    throw new RangeError(`tagger returned ${out.data.length} logits ([${out.dims.join(', ')}]) for ${tagger.tags.length} tags`);
  }
  return selectTags(out.data, tagger.tags, tagger.thresholds);
}

/** Stage 5: the prompt text for the mode, and its text-encoder hidden state [1, maxTokens, hiddenSize]. */
export async function promptEmbedding(
  up: PixelBuffer,
  models: OneStepModels,
  o: Pick<OneStepOptions, 'promptMode' | 'prompt' | 'resize' | 'diffusion'>,
): Promise<{ prompt: string; tags: string[]; embedding: FloatTensor }> {
  const tags = o.promptMode === 'tags' ? await tagImage(up, models.tagger!, o.resize) : [];
  const prompt = assemblePrompt(o.promptMode, { tags, ...(o.prompt !== undefined ? { userText: o.prompt } : {}) });
  const embedding = await models.prompts.embed(prompt);
  const want = [1, o.diffusion.maxTokens, o.diffusion.hiddenSize];
  if (embedding.dims.length !== 3 || embedding.dims.some((d, i) => d !== want[i])) {
    throw new RangeError(
      `prompt embedding is [${embedding.dims.join(', ')}] but the manifest says [${want.join(', ')}] (diffusion.maxTokens, diffusion.hiddenSize)`,
    );
  }
  return { prompt, tags, embedding };
}
