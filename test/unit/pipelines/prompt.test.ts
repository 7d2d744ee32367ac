import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assemblePrompt,
  loadPromptTokenizer,
  loadTagVocabulary,
  parseTagList,
  parseThresholds,
  PromptEmbedder,
  PromptTokenizer,
  readEmbeddingFile,
  selectTags,
} from '../../../src-main/pipelines/prompt';
import type { FloatTensor, ModelRunner } from '../../../src-main/pixels/types';
import { tinyClipTokenizerJson } from '../../fixtures/clip-tokenizer';

// Ids in the generated tokenizer, worked out by hand from its layout (see test/fixtures/clip-tokenizer.ts):
// printable ASCII c → c − 33; with "</w>" → c − 33 + 256; merges from 512 in order; then start 524, end 525.
const START = 524;
const END = 525;
const PAD = 0; // "!" is the first byte-level character
const A_EOW = 'a'.charCodeAt(0) - 33 + 256; // 320
const PHOTO_EOW = 519;
const O = 'o'.charCodeAt(0) - 33; // 78
const F_EOW = 'f'.charCodeAt(0) - 33 + 256; // 325
const A = 'a'.charCodeAt(0) - 33; // 64
const N_EOW = 'n'.charCodeAt(0) - 33 + 256; // 333
const OLD_EOW = 521;
const CAT_EOW = 513;
const COMMA_EOW = ','.charCodeAt(0) - 33 + 256; // 267
const DOG_EOW = 515;

function padded(ids: number[], length = 77, pad = PAD): number[] {
  return [...ids, ...new Array<number>(length - ids.length).fill(pad)];
}

describe('PromptTokenizer on a generated CLIP tokenizer', () => {
  const tok = new PromptTokenizer(tinyClipTokenizerJson());

  it('reads the pad token "!" (id 0) from tokenizer.json', () => {
    expect(tok.pad).toEqual({ token: '!', id: 0 });
    expect(tok.specialIds).toEqual({ prefix: [START], suffix: [END] });
  });

  it('encodes a sentence to the hand-computed ids: lowercased, split, BPE-merged, wrapped and padded to 77', () => {
    const ids = Array.from(tok.encode('A photo of an old cat, dog', 77));
    expect(ids).toEqual(padded([START, A_EOW, PHOTO_EOW, O, F_EOW, A, N_EOW, OLD_EOW, CAT_EOW, COMMA_EOW, DOG_EOW, END]));
  });

  it('encodes the empty prompt as start, end and 75 pads', () => {
    expect(Array.from(tok.encode('', 77))).toEqual(padded([START, END]));
  });

  it('collapses whitespace and encodes non-ASCII through byte-level characters', () => {
    // "é" is UTF-8 C3 A9 → byte-level chars at vocabulary positions 127 ("Ã") and 102 + 256 ("©</w>").
    expect(Array.from(tok.encode('Café   cat', 77))).toEqual(padded([START, 512, 'f'.charCodeAt(0) - 33, 127, 358, CAT_EOW, END]));
  });

  it('truncates long prompts keeping the end-of-text token', () => {
    const ids = Array.from(tok.encode('cat '.repeat(100), 77));
    expect(ids).toEqual([START, ...new Array<number>(75).fill(CAT_EOW), END]);
    expect(Array.from(tok.encode('cat '.repeat(75), 77))).toEqual([START, ...new Array<number>(75).fill(CAT_EOW), END]);
    expect(Array.from(tok.encode('cat '.repeat(74), 77))).toEqual([START, ...new Array<number>(74).fill(CAT_EOW), END, PAD]);
  });

  it('honours other lengths and refuses one too short for the special tokens', () => {
    expect(Array.from(tok.encode('cat dog', 5))).toEqual([START, CAT_EOW, DOG_EOW, END, PAD]);
    expect(Array.from(tok.encode('cat dog', 3))).toEqual([START, CAT_EOW, END]);
    expect(() => tok.encode('cat', 1)).toThrow(/got 1/);
  });

  it('takes the pad token from tokenizer_config.json when tokenizer.json has no padding block', () => {
    const json = tinyClipTokenizerJson({ padToken: null });
    const sd1 = new PromptTokenizer(json, { pad_token: { content: '<|endoftext|>' } });
    expect(sd1.pad).toEqual({ token: '<|endoftext|>', id: END });
    expect(Array.from(sd1.encode('cat', 5))).toEqual([START, CAT_EOW, END, END, END]);
    expect(new PromptTokenizer(json, { pad_token: '!' }).pad.id).toBe(0);
  });

  it('refuses a tokenizer with no pad token or an unknown one', () => {
    expect(() => new PromptTokenizer(tinyClipTokenizerJson({ padToken: null }), {})).toThrow(/no pad token configured/);
    expect(() => new PromptTokenizer(tinyClipTokenizerJson({ padToken: null }), { pad_token: '<pad>' })).toThrow(/"<pad>" is not in the vocabulary/);
    expect(() => new PromptTokenizer({ nope: 1 })).toThrow(/not a tokenizers JSON/);
  });
});

describe('loading tokenizer files from disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'revive-prompt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads tokenizer.json and a sibling tokenizer_config.json', async () => {
    await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tinyClipTokenizerJson({ padToken: null })));
    await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '!' }));
    const tok = await loadPromptTokenizer(path.join(dir, 'tokenizer.json'));
    expect(Array.from(tok.encode('old dog', 6))).toEqual([START, OLD_EOW, DOG_EOW, END, PAD, PAD]);
  });

  it('reads tags and thresholds, and refuses files that disagree', async () => {
    await writeFile(path.join(dir, 'tags.txt'), 'cat\ndog\nold photo\n');
    await writeFile(path.join(dir, 'thr.json'), '[0.5, 0.7, 1]');
    await writeFile(path.join(dir, 'thr2.json'), '[0.5, 0.7]');
    expect(await loadTagVocabulary(path.join(dir, 'tags.txt'), path.join(dir, 'thr.json'))).toEqual({
      tags: ['cat', 'dog', 'old photo'],
      thresholds: [0.5, 0.7, 1],
    });
    await expect(loadTagVocabulary(path.join(dir, 'tags.txt'), path.join(dir, 'thr2.json'))).rejects.toThrow(/2 thresholds for 3 tags/);
  });

  it('reads a raw float32 embedding and refuses a wrong size', async () => {
    const values = Float32Array.from({ length: 3 * 4 }, (_, i) => i * 0.5 - 1);
    await writeFile(path.join(dir, 'emb.f32'), new Uint8Array(values.buffer));
    expect(Array.from(await readEmbeddingFile(path.join(dir, 'emb.f32'), 3, 4))).toEqual(Array.from(values));
    await expect(readEmbeddingFile(path.join(dir, 'emb.f32'), 3, 5)).rejects.toThrow(/48 bytes, expected 60/);
  });
});

describe('prompt text', () => {
  it('builds "t1, t2, {user}," in tags mode, as the reference does', () => {
    expect(assemblePrompt('tags', { tags: ['cat', 'dog'], userText: 'old photo' })).toBe('cat, dog, old photo,');
    expect(assemblePrompt('tags', { tags: ['cat', 'dog'] })).toBe('cat, dog, ,');
    expect(assemblePrompt('tags', { tags: [], userText: 'x' })).toBe(', x,');
  });

  it('gives the empty string for none and the user text for custom', () => {
    expect(assemblePrompt('none', { tags: ['cat'], userText: 'x' })).toBe('');
    expect(assemblePrompt('custom', { tags: ['cat'], userText: 'a faded portrait' })).toBe('a faded portrait');
  });

  it('selects tags whose sigmoid exceeds the threshold, in model order', () => {
    const tags = ['a', 'b', 'c', 'd', 'e'];
    const logits = [2, -1, 0.1, 5, 0.9];
    const thresholds = [0.8, 0.2, 0.5, 1, 0.7];
    // Independent: sigmoid(x) > t ⇔ x > log(t / (1 − t)); a threshold of 1 never passes.
    const expected = tags.filter((_, i) => thresholds[i]! < 1 && logits[i]! > Math.log(thresholds[i]! / (1 - thresholds[i]!)));
    expect(selectTags(Float32Array.from(logits), tags, thresholds)).toEqual(expected);
    expect(expected).toEqual(['a', 'b', 'c', 'e']);
  });

  it('refuses mismatched tag data and malformed files', () => {
    expect(() => selectTags([1, 2], ['a'], [0.5])).toThrow(/2 logits, 1 tags and 1 thresholds/);
    expect(() => parseThresholds([0.5, 'x'], 2)).toThrow(/thresholds\[1\]: expected a number in \[0, 1\], got "x"/);
    expect(() => parseTagList('a\n\nb\n')).toThrow(/line 2 is empty/);
    expect(parseTagList('a\r\nb c\r\n')).toEqual(['a', 'b c']);
  });
});

/** A fake text encoder: hidden[t][d] = id_t · (d + 1) + t, counted per call. */
function fakeEncoder(hidden: number, names = { input: 'input_ids', output: 'last_hidden_state' }): ModelRunner & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    inputNames: [names.input],
    outputNames: [names.output],
    calls,
    async run(feeds: Record<string, FloatTensor>) {
      const ids = feeds[names.input]!;
      calls.push(Array.from(ids.data));
      const T = ids.dims[1]!;
      const data = new Float32Array(T * hidden);
      for (let t = 0; t < T; t++) for (let d = 0; d < hidden; d++) data[t * hidden + d] = ids.data[t]! * (d + 1) + t;
      return { [names.output]: { data, dims: [1, T, hidden] } };
    },
    async dispose() {},
  };
}

describe('PromptEmbedder', () => {
  const tok = new PromptTokenizer(tinyClipTokenizerJson());

  it('feeds the 77 token ids and returns the encoder hidden state', async () => {
    const enc = fakeEncoder(4);
    const emb = new PromptEmbedder(enc, tok, { maxTokens: 77, hiddenSize: 4 });
    const out = await emb.embed('old cat');
    expect(enc.calls).toEqual([padded([START, OLD_EOW, CAT_EOW, END])]);
    expect(out.dims).toEqual([1, 77, 4]);
    expect(out.data[1 * 4 + 2]).toBe(OLD_EOW * 3 + 1);
  });

  it('computes the empty prompt once and reuses it', async () => {
    const enc = fakeEncoder(4);
    const emb = new PromptEmbedder(enc, tok, { maxTokens: 77, hiddenSize: 4 });
    const a = await emb.embed('');
    const b = await emb.emptyPrompt();
    expect(a).toBe(b);
    expect(enc.calls).toEqual([padded([START, END])]);
  });

  it('uses a precomputed empty-prompt embedding without running the encoder', async () => {
    const enc = fakeEncoder(2);
    const pre = Float32Array.from({ length: 77 * 2 }, (_, i) => -i);
    const emb = new PromptEmbedder(enc, tok, { maxTokens: 77, hiddenSize: 2, emptyEmbedding: pre });
    expect((await emb.emptyPrompt()).data).toBe(pre);
    expect(enc.calls).toHaveLength(0);
    expect(() => new PromptEmbedder(enc, tok, { maxTokens: 77, hiddenSize: 3, emptyEmbedding: pre })).toThrow(/154 values, expected 77×3 = 231/);
  });

  it('keeps a few recent prompts and evicts the oldest', async () => {
    const enc = fakeEncoder(1);
    const emb = new PromptEmbedder(enc, tok, { maxTokens: 8, hiddenSize: 1, cacheSize: 2 });
    await emb.embed('cat');
    await emb.embed('dog');
    await emb.embed('cat');
    expect(enc.calls).toHaveLength(2);
    await emb.embed('old');
    await emb.embed('dog'); // evicted by "old" (cat was used more recently)
    expect(enc.calls).toHaveLength(4);
  });

  it('refuses an encoder without the expected names or with the wrong output shape', async () => {
    expect(() => new PromptEmbedder(fakeEncoder(4, { input: 'ids', output: 'last_hidden_state' }), tok, { maxTokens: 77, hiddenSize: 4 })).toThrow(
      /no input "input_ids" \(it has: ids\)/,
    );
    const emb = new PromptEmbedder(fakeEncoder(4), tok, { maxTokens: 77, hiddenSize: 8 });
    await expect(emb.embed('cat')).rejects.toThrow(/shape \[1, 77, 4\], expected \[1, 77, 8\]/);
  });
});
