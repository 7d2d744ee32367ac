/**
 * One whole image in the engine process: the request's restoration chain between one decode and one write.
 *   1. check   — output is not the input (nor a preview's 'before' file); every stage's pack loaded, looked up in
 *                the stage table (stages/table.ts) and checked against its options and scale
 *   2. decode  — imaging: upright RGB + alpha, at 16 bits when every stage keeps depth; pixel limit checked before
 *                decoding; a region preview continues with its crop
 *   3. size    — the output format can hold the result (checked before the long run)
 *   4. stages  — in the request's order, each image in → image out (sessions, model runs, resizes: stages/*.ts)
 *   5. encode  — alpha upscaled to match; converted back into the original's colour profile
 *   6. write   — atomically, the temp file named after the request id so a host that kills us can remove it; the
 *                original's metadata (ExifTool) is copied onto the temp file before the rename
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../engine-error';
import type { EnhanceHooks } from './hooks';
import { loadPack } from './pack';
import { decodeForRequest, writeForRequest } from './request-io';
import { ENGINE_ERROR_CODES, type DoneEvent, type EnhanceRequest } from '../protocol';
import type { SessionCache } from './session-cache';
import type { PreparedStage, StageKind, StageOutput } from './stages/stage-kind';
import { CLASSICAL_REPAIR, prepareClassicalRepair } from './stages/repair';
import { stageKindOf } from './stages/table';

export type { EnhanceHooks } from './hooks';

/** Resolves symlinks where the file exists, so "is this the original?" compares real files. */
async function realOrResolved(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

async function refuseOverwritingInput(req: EnhanceRequest): Promise<void> {
  const input = await realOrResolved(req.input);
  for (const out of [req.output, ...(req.region ? [req.region.before] : [])]) {
    if ((await realOrResolved(out)) === input) throw new EngineError('OUTPUT_IS_INPUT', `refusing to write ${out}: it is the original photo`);
  }
}

interface ChainStep {
  kind: Pick<StageKind, 'serves' | 'depth' | 'enlarges'>;
  prepared: PreparedStage;
}

/**
 * Stage 1 for the chain: loads each stage's pack and prepares it through the table. The one enlarging stage makes
 * the request's scale; a chain without one can only restore at 1×.
 */
async function prepareChain(req: EnhanceRequest): Promise<ChainStep[]> {
  const packs = [];
  const classical: { index: number; step: ChainStep }[] = [];
  for (const [index, options] of req.stages.entries()) {
    if (options.modelDir === undefined) {
      if (options.stage !== 'repair') throw new EngineError('BAD_REQUEST', `the ${options.stage} stage needs a model pack (modelDir)`);
      // Repair without a pack: the classical pipeline, which keeps depth and size.
      classical.push({ index, step: { kind: CLASSICAL_REPAIR, prepared: prepareClassicalRepair(options) } });
      continue;
    }
    const pack = await loadPack(options.modelDir);
    const kind = stageKindOf(pack);
    if (kind.serves !== options.stage) {
      throw new EngineError(
        ENGINE_ERROR_CODES.BAD_PACK,
        `model pack "${pack.manifest.id}" is a ${pack.manifest.kind} pack, which serves the ${kind.serves} stage, not ${options.stage}`,
      );
    }
    packs.push({ pack, kind, options });
  }
  const enlarging = packs.filter((p) => p.kind.enlarges).length;
  if (enlarging > 1) throw new EngineError('BAD_REQUEST', `a chain may enlarge once; ${enlarging} of its stages enlarge`);
  if (enlarging === 0 && req.scale !== 1) throw new EngineError('BAD_REQUEST', `no stage of the chain enlarges, so it cannot make ${req.scale}×`);
  const steps: ChainStep[] = packs.map(({ pack, kind, options }) => ({ kind, prepared: kind.prepare(pack, options, kind.enlarges ? req.scale : 1) }));
  for (const c of classical) steps.splice(c.index, 0, c.step);
  return steps;
}

/** Runs one enhance request to completion; throws ImageError / EngineError (or the runtime's error) on failure. */
export async function enhanceImage(req: EnhanceRequest, sessions: SessionCache, hooks: EnhanceHooks): Promise<Omit<DoneEvent, 'type' | 'id'>> {
  const started = performance.now();

  // 1. check
  await refuseOverwritingInput(req);
  const chain = await prepareChain(req);

  // 2. decode + 3. size (before any model work)
  const workingScale = Math.max(req.scale, ...chain.map((s) => s.prepared.workingScale ?? 1));
  const decoded = await decodeForRequest(req, hooks, { keepDepth: chain.every((s) => s.kind.depth === 'keep'), workingScale });
  const { outW, outH } = decoded;

  // 4. stages
  const ctx = { provider: req.provider, ...(req.threads !== undefined ? { threads: req.threads } : {}), sessions, hooks };
  let rgb = decoded.image.rgb;
  let provider = '';
  let faces: StageOutput['faces'];
  let colorize: StageOutput['colorize'];
  const history: string[] = [];
  for (const step of chain) {
    const out = await step.prepared.run(rgb, ctx);
    ({ rgb } = out);
    // A stage without a model of its own (faces skipped) keeps the provider the image was made with.
    if (out.provider) provider = out.provider;
    if (out.faces) faces = out.faces;
    if (out.colorize) colorize = out.colorize;
    history.push(out.provenance ?? step.prepared.modelId);
  }
  if (rgb.width !== outW || rgb.height !== outH) {
    throw new EngineError(ENGINE_ERROR_CODES.INTERNAL, `the chain made ${rgb.width}×${rgb.height}, expected ${outW}×${outH}`);
  }

  // 5. encode + 6. write
  await writeForRequest(req, hooks, decoded, rgb, history.join(' + '));

  return { width: outW, height: outH, ms: Math.round(performance.now() - started), provider, ...(faces ? { faces } : {}), ...(colorize ? { colorize } : {}) };
}
