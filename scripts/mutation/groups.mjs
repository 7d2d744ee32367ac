// The module groups `npm run mutate` mutates, one StrykerJS run each (see docs/mutation.md). A group is the sources
// whose silent break hurts users most (`mutate`) and the unit tests that guard them (`tests`, run against every
// mutant; naming them beats vitest's "related" search, which pulls in every slow test that imports a shared module).
// Adding a module is one entry here. Plain JavaScript: stryker.config.mjs
// and vitest.mutation.config.ts import it without a TypeScript loader.

/** @type {Record<string, { mutate: string[]; tests: string[] }>} */
export const MUTATION_GROUPS = {
  'pipelines-color-fix': { mutate: ['src-main/pipelines/color-fix.ts'], tests: ['test/unit/pipelines/color-fix.test.ts'] },
  'pipelines-schedule': { mutate: ['src-main/pipelines/schedule.ts'], tests: ['test/unit/pipelines/schedule.test.ts'] },
  // Their own model-free tests: the tiny-pack diffusion suite (onestep-diffusion.test.ts) also covers them but costs
  // minutes per mutant here (onnxruntime sessions in beforeAll).
  'pipelines-maths': {
    mutate: ['src-main/pipelines/onestep-geometry.ts', 'src-main/pipelines/latent-tiles.ts'],
    tests: ['test/unit/pipelines/onestep-geometry.test.ts', 'test/unit/pipelines/latent-tiles.test.ts'],
  },
  'tiling-plan': { mutate: ['src-main/tiling/plan.ts'], tests: ['test/unit/tiling/tiling-plan.test.ts'] },
  'tiling-blend': { mutate: ['src-main/tiling/blend.ts'], tests: ['test/unit/tiling/blend.test.ts', 'test/unit/tiling/blend-contract.test.ts'] },
  'imaging-atomic': { mutate: ['src-main/imaging/atomic.ts'], tests: ['test/unit/imaging/imaging.test.ts', 'test/unit/imaging/icc-temp.test.ts'] },
  'imaging-metadata': {
    mutate: ['src-main/imaging/metadata.ts'],
    tests: [
      'test/unit/imaging/metadata-args.test.ts',
      'test/unit/imaging/metadata-copy.test.ts',
      'test/unit/imaging/metadata-tool.test.ts',
      'test/unit/imaging/icc-temp.test.ts',
    ],
  },
  // Read and write in two runs: one run of both would take over 40 minutes on this shared machine.
  // HEIC through its own small unit file (read-heic): test/integration/heic.test.ts also runs the engine process.
  'imaging-read': {
    mutate: ['src-main/imaging/read.ts'],
    tests: [
      'test/unit/imaging/imaging.test.ts',
      'test/unit/imaging/lying-header.test.ts',
      'test/unit/imaging/one-line-reasons.test.ts',
      'test/unit/imaging/read-decode.test.ts',
      'test/unit/imaging/read-heic.test.ts',
    ],
  },
  'imaging-write': {
    mutate: ['src-main/imaging/write.ts'],
    tests: ['test/unit/imaging/imaging.test.ts', 'test/unit/imaging/write-encode.test.ts', 'test/unit/imaging/icc-temp.test.ts', 'test/unit/imaging/metadata-args.test.ts'],
  },
  'core-allow-list': { mutate: ['src-main/core/allow-list.ts'], tests: ['test/unit/core/allow-list.test.ts'] },
  'jobs-recovery': { mutate: ['src-main/jobs/recovery.ts'], tests: ['test/unit/jobs/recovery.test.ts', 'test/unit/jobs/recovery-adopt.test.ts'] },
  // The repair stage's pure maths (the engine glue, inpaint.ts and run-repair.ts, runs models and is left out), in two
  // runs: the colour maths (lab.ts, the file least likely to change under the repair work) and the rest.
  'pipelines-repair-lab': {
    mutate: ['src-main/pipelines/repair/lab.ts'],
    tests: [
      'test/unit/pipelines/repair/lab.test.ts',
      'test/unit/pipelines/repair/lab-inverse.test.ts',
      'test/unit/pipelines/repair/colour-restore.test.ts',
    ],
  },
  // The colour restore alone: the detection files below make ~900 mutants whose tests take ~3 hours here.
  'pipelines-repair-colour': {
    mutate: ['src-main/pipelines/repair/colour-restore.ts'],
    tests: ['test/unit/pipelines/repair/colour-restore.test.ts'],
  },
  // The scratch line evidence's maths alone (its unit tests run in seconds); the detector's own files need the slow
  // detect-inpaint suite.
  'pipelines-repair-lines': {
    mutate: ['src-main/pipelines/repair/lines.ts'],
    tests: ['test/unit/pipelines/repair/lines.test.ts'],
  },
  'pipelines-repair-morphology': {
    mutate: ['src-main/pipelines/repair/morphology.ts'],
    tests: ['test/unit/pipelines/repair/morphology.test.ts'],
  },
  'pipelines-repair-detect': {
    mutate: ['src-main/pipelines/repair/detect.ts'],
    tests: ['test/unit/pipelines/repair/detect-inpaint.test.ts', 'test/unit/pipelines/repair/lines.test.ts'],
  },
  // The face stage's geometry and detector decoding (detect.ts, paste.ts and restore-faces.ts run models or sharp).
  'pipelines-faces': {
    mutate: [
      'src-main/pipelines/faces/nms.ts',
      'src-main/pipelines/faces/blazeface.ts',
      'src-main/pipelines/faces/windows.ts',
      'src-main/pipelines/faces/align.ts',
    ],
    tests: ['test/unit/pipelines/faces/face-geometry.test.ts', 'test/unit/pipelines/faces/face-maths.test.ts'],
  },
};

/** The group `MUTATE_GROUP` names (default: tiling-plan); throws naming the choices when there is no such group. */
export function mutationGroup(name = process.env.MUTATE_GROUP ?? 'tiling-plan') {
  const group = MUTATION_GROUPS[name];
  if (!group) throw new Error(`unknown MUTATE_GROUP "${name}"; one of ${Object.keys(MUTATION_GROUPS).join(', ')}`);
  return { name, ...group };
}
