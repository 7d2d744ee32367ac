/**
 * Writes a generated one-step-diffusion pack (test/fixtures/tiny-packs.ts) to a folder:
 *
 *   npm run make:tiny-pack -- <outdir> [--id ID] [--hidden-size 32] [--tagger] [--group-norm] [--empty-embedding]
 *                                      [--heavy] [--heavy-channels 320] [--heavy-repeats 109]
 *                                      [--timestep-type int64|int32|float32] [--ids-type int64|int32]
 *                                      [--encoder-group-norm] [--group-norm-op]
 *
 * `--group-norm` / `--encoder-group-norm` put a GroupNorm in the VAE decoder / encoder, exported as torch's
 * Reshape → InstanceNormalization → Reshape → Mul → Add, or with `--group-norm-op` as the opset-18 GroupNormalization.
 * The heavy variant's UNet costs ≥ 0.1 G MAC per latent pixel (printed), for benchmarks.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeTinyPack, type TinyPackOptions } from '../test/fixtures/tiny-packs';

const USAGE = 'usage: make-tiny-pack <outdir> [--id ID] [--hidden-size N] [--tagger] [--group-norm] [--empty-embedding] '
  + '[--heavy] [--heavy-channels N] [--heavy-repeats N] [--timestep-type int64|int32|float32] [--ids-type int64|int32] '
  + '[--encoder-group-norm] [--group-norm-op]';

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      'hidden-size': { type: 'string' },
      tagger: { type: 'boolean' },
      'group-norm': { type: 'boolean' },
      'empty-embedding': { type: 'boolean' },
      heavy: { type: 'boolean' },
      'heavy-channels': { type: 'string' },
      'heavy-repeats': { type: 'string' },
      'timestep-type': { type: 'string' },
      'ids-type': { type: 'string' },
      'encoder-group-norm': { type: 'boolean' },
      'group-norm-op': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  const out = path.resolve(positionals[0]!);
  const heavyChannels = positiveInt('heavy-channels', values['heavy-channels']);
  const heavyRepeats = positiveInt('heavy-repeats', values['heavy-repeats']);
  const groupNormExport = values['group-norm-op'] ? 'group-normalization' : true;
  const opts: TinyPackOptions = {
    id: values.id,
    hiddenSize: positiveInt('hidden-size', values['hidden-size']),
    tagger: values.tagger ?? false,
    groupNorm: values['group-norm'] ? groupNormExport : false,
    encoderGroupNorm: values['encoder-group-norm'] ? groupNormExport : false,
    emptyPromptEmbedding: values['empty-embedding'] ?? false,
    heavy: values.heavy || heavyChannels || heavyRepeats ? { channels: heavyChannels, repeats: heavyRepeats } : false,
    timestepType: oneOf('timestep-type', values['timestep-type'], ['int64', 'int32', 'float32'] as const),
    inputIdsType: oneOf('ids-type', values['ids-type'], ['int64', 'int32'] as const),
  };
  await rm(out, { recursive: true, force: true });
  const pack = await writeTinyPack(out, opts);
  const bytes = [...pack.files.values()].reduce((a, b) => a + b.byteLength, 0);
  console.log(`wrote ${pack.manifest.id as string} to ${out}: ${pack.files.size} files, ${bytes} bytes`);
  if (pack.params.heavy) {
    const { channels, repeats, macsPerLatentPixel } = pack.params.heavy;
    console.log(`heavy UNet: ${channels} channels, ${repeats} repeated 3×3 convs, ${(macsPerLatentPixel / 1e9).toFixed(4)} G MAC per latent pixel`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
