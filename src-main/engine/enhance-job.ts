/**
 * What callers of the engine host give for one photo, and how it becomes a protocol request.
 *
 * The protocol carries the restoration chain as an ordered list of stages. Callers that run one pack (the job
 * runner, the CLI, the region preview) may keep naming a single `modelDir` with that pack's options beside it: the
 * host turns that into a one-stage chain (`enhance`), so the chain can grow without every caller learning it at once.
 */
import type { EnhanceRequest, EnhanceStage } from './protocol';

/** The per-stage options a single-pack caller may give at the top level. */
const STAGE_OPTION_KEYS = ['tile', 'promptMode', 'prompt', 'colorFix', 'strength'] as const;
type StageOptions = Pick<EnhanceStage, (typeof STAGE_OPTION_KEYS)[number]>;

/**
 * An enhance request as callers give it: either `stages` (the chain), or `modelDir` and that pack's options (one
 * `enhance` stage). The host assigns a fresh id unless the caller brings one (the job queue uses its own ids); ids
 * must be unique among requests in flight, since they also name the temp file.
 */
export type EnhanceJob = Omit<EnhanceRequest, 'type' | 'id' | 'stages'> &
  Partial<StageOptions> & {
    id?: string;
    type?: 'enhance';
    stages?: EnhanceStage[];
    modelDir?: string;
    /** With `modelDir`: a repair stage run before the pack's (old-photo repair without a pack, or an inpaint pack). */
    repairStage?: EnhanceStage;
  };

/**
 * The request for `job` under `id`, not yet validated (the host parses it against the protocol schema, so a job
 * without a chain or a model fails there with the field named). Throws when a job gives both forms: which options
 * belong to which stage would be a guess.
 */
export function requestFromJob(job: EnhanceJob, id: string): Record<string, unknown> {
  const { stages, modelDir, repairStage, tile, promptMode, prompt, colorFix, strength, ...rest } = job;
  const options: StageOptions = { tile, promptMode, prompt, colorFix, strength };
  const given = STAGE_OPTION_KEYS.filter((k) => options[k] !== undefined);
  if (stages !== undefined && (modelDir !== undefined || given.length > 0)) {
    const extra = [...(modelDir !== undefined ? ['modelDir'] : []), ...given].join(', ');
    throw new RangeError(`give either stages or modelDir with its options, not both (also given: ${extra})`);
  }
  const single = modelDir !== undefined ? [{ stage: 'enhance', modelDir, ...Object.fromEntries(given.map((k) => [k, options[k]])) }] : undefined;
  // The repair stage (no pack) always comes first, before the chain the caller gave or the one pack's stage.
  const requested = stages ?? single;
  const chain = requested && repairStage ? [repairStage, ...requested] : requested;
  return { ...rest, type: 'enhance', id, ...(chain !== undefined ? { stages: chain } : {}) };
}
