/**
 * The prompt stage of OSEDiff: building the prompt text, tokenizing it, and turning it into the text encoder's
 * hidden state (with the empty prompt's embedding cached).
 *
 * Tokenization uses `@huggingface/tokenizers` (Hugging Face's pure-JS tokenizers, the implementation inside
 * transformers.js, no dependencies and no model runtime): it reads the pack's `tokenizer.json` as exported by the
 * `tokenizers` library, including CLIP's normalizer, split regex, byte-level BPE with the `</w>` suffix and the
 * start/end-of-text post-processor. It does not pad or truncate, so that is done here, the way `CLIPTokenizer(…,
 * padding="max_length", truncation=True)` does: content truncated so the special tokens survive, then padded on the
 * configured side with the configured pad token (SD 2.x: "!", id 0) — read from the tokenizer files, never assumed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { PromptMode } from './options';
import type { FloatTensor, ModelRunner } from '../pixels/types';

/** Name of the optional file next to tokenizer.json that carries `pad_token` when tokenizer.json has no padding block. */
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `pad_token` in tokenizer_config.json is either a string or an AddedToken object `{content: …}`. */
function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

/** A tokenizer that always yields exactly `maxTokens` ids, truncated and padded like CLIP's. */
export class PromptTokenizer {
  readonly #tokenizer: Tokenizer;
  readonly #prefix: number[];
  readonly #suffix: number[];
  /** The pad token and its id, as configured by the tokenizer files. */
  readonly pad: { readonly token: string; readonly id: number };
  readonly padSide: 'right' | 'left';

  /**
   * @param tokenizerJson the parsed tokenizer.json
   * @param config the parsed tokenizer_config.json, when the pack has one
   * @param where names the source in error messages
   */
  constructor(tokenizerJson: unknown, config: unknown = {}, where = 'tokenizer.json') {
    if (!isObject(tokenizerJson) || !isObject(tokenizerJson.model)) {
      throw new Error(`${where}: not a tokenizers JSON file (no "model" object)`);
    }
    const cfg = isObject(config) ? config : {};
    this.#tokenizer = new Tokenizer(tokenizerJson, cfg);

    // The pad token: tokenizer.json's padding block first (what `tokenizers` itself would use), then the config.
    const padding = isObject(tokenizerJson.padding) ? tokenizerJson.padding : undefined;
    const padToken = (typeof padding?.pad_token === 'string' ? padding.pad_token : undefined) ?? tokenContent(cfg.pad_token);
    if (padToken === undefined) {
      throw new Error(`${where}: no pad token configured (neither "padding.pad_token" nor ${TOKENIZER_CONFIG_FILE} "pad_token")`);
    }
    const padId = this.#tokenizer.token_to_id(padToken);
    if (padId === undefined) throw new Error(`${where}: pad token ${JSON.stringify(padToken)} is not in the vocabulary`);
    if (padding && typeof padding.pad_id === 'number' && padding.pad_id !== padId) {
      throw new Error(`${where}: padding.pad_id ${padding.pad_id} disagrees with the vocabulary id ${padId} of ${JSON.stringify(padToken)}`);
    }
    this.pad = { token: padToken, id: padId };
    this.padSide = padding?.direction === 'Left' || cfg.padding_side === 'left' ? 'left' : 'right';

    // The post-processor's special tokens around any content: the empty text gives prefix + suffix. Where the split
    // lies is learnt from a non-empty probe whose content ids we know.
    const probe = 'a';
    const withSpecial = this.#tokenizer.encode(probe).ids;
    const content = this.#tokenizer.encode(probe, { add_special_tokens: false }).ids;
    const at = findSubsequence(withSpecial, content);
    if (at < 0) throw new Error(`${where}: the post-processor does not keep the content contiguous; cannot truncate safely`);
    this.#prefix = withSpecial.slice(0, at);
    this.#suffix = withSpecial.slice(at + content.length);
  }

  /** Special-token ids the post-processor puts before and after the content (CLIP: start and end of text). */
  get specialIds(): { prefix: readonly number[]; suffix: readonly number[] } {
    return { prefix: this.#prefix, suffix: this.#suffix };
  }

  /** Ids of `text` without special tokens, untruncated. */
  contentIds(text: string): number[] {
    return this.#tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * Exactly `maxTokens` ids: prefix + content (truncated to fit) + suffix, padded with the pad id.
   * The end-of-text token always survives truncation.
   */
  encode(text: string, maxTokens: number): Int32Array {
    const room = maxTokens - this.#prefix.length - this.#suffix.length;
    if (!Number.isInteger(maxTokens) || room < 0) {
      throw new RangeError(
        `maxTokens must be an integer ≥ ${this.#prefix.length + this.#suffix.length} (the special tokens), got ${maxTokens}`,
      );
    }
    const content = this.contentIds(text).slice(0, room);
    const ids = [...this.#prefix, ...content, ...this.#suffix];
    const out = new Int32Array(maxTokens).fill(this.pad.id);
    out.set(ids, this.padSide === 'left' ? maxTokens - ids.length : 0);
    return out;
  }

  /** Text of the given ids (for logs and tests). */
  decode(ids: ArrayLike<number>, skipSpecial = true): string {
    return this.#tokenizer.decode(Array.from(ids), { skip_special_tokens: skipSpecial });
  }
}

function findSubsequence(hay: readonly number[], needle: readonly number[]): number {
  for (let i = 0; i + needle.length <= hay.length; i++) {
    let ok = true;
    for (let j = 0; j < needle.length && ok; j++) ok = hay[i + j] === needle[j];
    if (ok) return i;
  }
  return -1;
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file}: invalid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

/** Loads `tokenizer.json` and, when present beside it, `tokenizer_config.json`. */
export async function loadPromptTokenizer(tokenizerJsonPath: string): Promise<PromptTokenizer> {
  const json = await readJson(tokenizerJsonPath);
  const configPath = path.join(path.dirname(tokenizerJsonPath), TOKENIZER_CONFIG_FILE);
  let config: unknown = {};
  try {
    config = await readJson(configPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return new PromptTokenizer(json, config, tokenizerJsonPath);
}

// ---------------------------------------------------------------------------------------------------------------
// Prompt text

export interface PromptParts {
  /** Tags from the tagger, in the model's tag order (mode `tags`). */
  tags?: readonly string[];
  /** The user's text (modes `tags` and `custom`). */
  userText?: string;
}

/**
 * The prompt text for a mode:
 * - `tags`: `"t1, t2, …, {user text},"` exactly as the OSEDiff reference builds it (`f"{tags}, {user_prompt},"` with
 *   tags joined by ", "), including its `", ,"` tail when the user text is empty — the model was tuned on that form;
 * - `none`: the empty prompt (the paper's fidelity setting);
 * - `custom`: the user's text as typed.
 */
export function assemblePrompt(mode: PromptMode, parts: PromptParts = {}): string {
  switch (mode) {
    case 'none':
      return '';
    case 'custom':
      return parts.userText ?? '';
    case 'tags':
      return `${(parts.tags ?? []).join(', ')}, ${parts.userText ?? ''},`;
  }
}

/**
 * Tags whose probability sigmoid(logit) exceeds that tag's threshold, in the model's order. A threshold of 1 or more
 * disables a tag (how a pack expresses the reference's list of deleted tags).
 */
export function selectTags(logits: ArrayLike<number>, tags: readonly string[], thresholds: readonly number[]): string[] {
  if (logits.length !== tags.length || thresholds.length !== tags.length) {
    throw new RangeError(`selectTags: ${logits.length} logits, ${tags.length} tags and ${thresholds.length} thresholds must agree`);
  }
  const out: string[] = [];
  for (let i = 0; i < tags.length; i++) {
    const t = thresholds[i]!;
    if (t >= 1) continue;
    const p = 1 / (1 + Math.exp(-logits[i]!));
    if (p > t) out.push(tags[i]!);
  }
  return out;
}

/** Tag list file: one tag per line, in output order; trailing whitespace and a final empty line ignored. */
export function parseTagList(text: string, where = 'tags'): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const blank = lines.indexOf('');
  if (blank >= 0) throw new Error(`${where}: line ${blank + 1} is empty`);
  return lines;
}

/** Thresholds file: a JSON array of probabilities in [0, 1] (1 disables), one per tag. */
export function parseThresholds(json: unknown, count: number, where = 'thresholds'): number[] {
  if (!Array.isArray(json)) throw new Error(`${where}: expected a JSON array of numbers`);
  if (json.length !== count) throw new Error(`${where}: ${json.length} thresholds for ${count} tags`);
  return json.map((v, i) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${where}[${i}]: expected a number in [0, 1], got ${JSON.stringify(v)}`);
    return v;
  });
}

/** Reads a pack's tag list and thresholds files and checks they agree. */
export async function loadTagVocabulary(tagsPath: string, thresholdsPath: string): Promise<{ tags: string[]; thresholds: number[] }> {
  const tags = parseTagList(await readFile(tagsPath, 'utf8'), tagsPath);
  const thresholds = parseThresholds(await readJson(thresholdsPath), tags.length, thresholdsPath);
  return { tags, thresholds };
}

// ---------------------------------------------------------------------------------------------------------------
// Embeddings

/** Reads a raw little-endian float32 embedding [1, maxTokens, hiddenSize], checking its size. */
export async function readEmbeddingFile(file: string, maxTokens: number, hiddenSize: number): Promise<Float32Array> {
  const bytes = await readFile(file);
  const expected = maxTokens * hiddenSize * 4;
  if (bytes.byteLength !== expected) {
    throw new Error(`${file}: ${bytes.byteLength} bytes, expected ${expected} (float32 [1, ${maxTokens}, ${hiddenSize}])`);
  }
  // Copy into an aligned buffer: a Buffer from the pool may start at an offset that is not a multiple of 4. The file is
  // little-endian, like every platform we ship for, so the bytes go in as they are.
  const out = new Float32Array(maxTokens * hiddenSize);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export interface PromptEmbedderOptions {
  maxTokens: number;
  hiddenSize: number;
  /** Input and output names of the text encoder (standard SD export: `input_ids` → `last_hidden_state`). */
  inputName?: string;
  outputName?: string;
  /** A precomputed empty-prompt embedding (from the pack); otherwise the first request computes and keeps it. */
  emptyEmbedding?: Float32Array;
  /** How many distinct non-empty prompts to keep (a batch re-uses one custom prompt); default 4. */
  cacheSize?: number;
}

/**
 * Prompt text → text-encoder hidden state [1, maxTokens, hiddenSize]. The empty prompt's embedding is computed at most
 * once (or taken from the pack); a few recent prompts are kept too. Returned tensors are shared: do not modify them.
 */
export class PromptEmbedder {
  readonly #runner: ModelRunner;
  readonly #tokenizer: PromptTokenizer;
  readonly #opts: Required<Omit<PromptEmbedderOptions, 'emptyEmbedding'>>;
  readonly #cache = new Map<string, Promise<FloatTensor>>();
  #empty: Promise<FloatTensor> | undefined;

  constructor(runner: ModelRunner, tokenizer: PromptTokenizer, opts: PromptEmbedderOptions) {
    this.#runner = runner;
    this.#tokenizer = tokenizer;
    this.#opts = { inputName: 'input_ids', outputName: 'last_hidden_state', cacheSize: 4, ...opts };
    for (const [what, name, list] of [
      ['input', this.#opts.inputName, runner.inputNames],
      ['output', this.#opts.outputName, runner.outputNames],
    ] as const) {
      if (!list.includes(name)) throw new Error(`text encoder has no ${what} "${name}" (it has: ${list.join(', ')})`);
    }
    if (opts.emptyEmbedding) {
      const n = opts.maxTokens * opts.hiddenSize;
      if (opts.emptyEmbedding.length !== n) {
        throw new Error(`empty-prompt embedding has ${opts.emptyEmbedding.length} values, expected ${opts.maxTokens}×${opts.hiddenSize} = ${n}`);
      }
      this.#empty = Promise.resolve({ data: opts.emptyEmbedding, dims: [1, opts.maxTokens, opts.hiddenSize] });
    }
  }

  /** The hidden state for `prompt` (the empty string takes the cached empty-prompt embedding). */
  embed(prompt: string): Promise<FloatTensor> {
    if (prompt === '') return this.emptyPrompt();
    const hit = this.#cache.get(prompt);
    if (hit) {
      // Refresh its place: Map iteration order is insertion order, so the oldest entry is first.
      this.#cache.delete(prompt);
      this.#cache.set(prompt, hit);
      return hit;
    }
    const made = this.#encode(prompt);
    this.#cache.set(prompt, made);
    made.catch(() => this.#cache.delete(prompt));
    while (this.#cache.size > this.#opts.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    return made;
  }

  /** The empty prompt's hidden state: the pack's precomputed file when given, else computed once. */
  emptyPrompt(): Promise<FloatTensor> {
    if (!this.#empty) {
      const made = this.#encode('');
      // A failure is not cached: the next call tries again.
      made.catch(() => {
        if (this.#empty === made) this.#empty = undefined;
      });
      this.#empty = made;
    }
    return this.#empty;
  }

  async #encode(prompt: string): Promise<FloatTensor> {
    const { maxTokens, hiddenSize, inputName, outputName } = this.#opts;
    const ids = this.#tokenizer.encode(prompt, maxTokens);
    // Ids travel as float32 (exact below 2^24); the engine casts to the session's integer type.
    const result = await this.#runner.run({ [inputName]: { data: Float32Array.from(ids), dims: [1, maxTokens] } });
    const out = result[outputName];
    if (!out) throw new Error(`text encoder returned no "${outputName}"`);
    const want = [1, maxTokens, hiddenSize];
    if (out.dims.length !== 3 || out.dims.some((d, i) => d !== want[i])) {
      throw new Error(`text encoder "${outputName}" has shape [${out.dims.join(', ')}], expected [${want.join(', ')}]`);
    }
    return out;
  }
}
