/**
 * docs/scale-out.md: the Kubernetes Indexed Job and the AWS Batch array job it shows are parsed and checked field by
 * field (no cluster here): they run the CLI with a shard from the environment, their shard count agrees everywhere,
 * the archive is shared and the data folder per node, and the command line is one `revive` accepts. The Job is also
 * validated against the Kubernetes OpenAPI schema (kubernetes-models, generated from it). AWS publishes no JSON
 * schema for Batch job definitions in an npm package, so that one is checked against the documented fields only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { Job } from 'kubernetes-models/batch/v1';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';

const DOC = readFileSync(path.resolve(import.meta.dirname, '../../../docs/scale-out.md'), 'utf8');

/** The fenced block right after `<!-- scale-out:NAME -->`. */
function block(name: string): string {
  const m = new RegExp(`<!-- scale-out:${name} -->\\s*\`\`\`(?:yaml|json)\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  if (!m) throw new Error(`docs/scale-out.md has no block ${name}`);
  return m[1]!;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Whether commander accepts every option of `revive <args>`: outside a scheduler no shard index is set, so a command
 * line commander accepts reaches Revive's own shard check and stops there (nothing is queued); an unknown or
 * misspelt option stops earlier, with commander's message.
 */
async function cliAccepts(args: string[]): Promise<boolean> {
  let err = '';
  const code = await main(args, { stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true) }, cwd: '/' });
  return code === 2 && err.includes('none of JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set');
}

describe('docs/scale-out.md', () => {
  const job = yaml.load(block('kubernetes-job')) as Obj;
  const def = JSON.parse(block('aws-batch-job-definition')) as Obj;
  const submit = JSON.parse(block('aws-batch-submit')) as Obj;

  it('the Kubernetes manifest is an Indexed Job whose completions equal REVIVE_SHARD_COUNT', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(job.spec.completionMode).toBe('Indexed');
    expect(Number.isInteger(job.spec.completions) && job.spec.completions > 1).toBe(true);
    expect(job.spec.parallelism).toBeLessThanOrEqual(job.spec.completions);
    const pod = job.spec.template.spec as Obj;
    // Indexed Jobs with a per-index backoff limit need restartPolicy Never.
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0] as Obj;
    expect(c.args[0]).toBe('enhance');
    expect(c.args).toContain('--shard-from-env');
    const env = Object.fromEntries((c.env as Obj[]).map((e) => [e.name, e.value]));
    expect(Number(env.REVIVE_SHARD_COUNT)).toBe(job.spec.completions);
    // The archive is a shared claim; the data folder is the pod's own.
    const mounts = Object.fromEntries((c.volumeMounts as Obj[]).map((m) => [m.name, m.mountPath]));
    const volumes = Object.fromEntries((pod.volumes as Obj[]).map((v) => [v.name, v]));
    expect(volumes.archive.persistentVolumeClaim.claimName).toBeTruthy();
    expect(volumes.data.emptyDir).toEqual({});
    expect(env.REVIVE_DATA_DIR).toBe(mounts.data);
    expect(c.args[1].startsWith(mounts.archive)).toBe(true);
    expect(c.args[c.args.indexOf('-o') + 1].startsWith(mounts.archive)).toBe(true);
  });

  it('the Kubernetes manifest validates against the Kubernetes schema (which does reject a broken one)', () => {
    expect(() => new Job(job as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
    const broken = structuredClone(job);
    broken.spec.completions = String(job.spec.completions);
    expect(() => new Job(broken as ConstructorParameters<typeof Job>[0]).validate()).toThrow(/completions must be integer/);
  });

  it('the AWS Batch job definition runs the same command, with the array size as the shard count', () => {
    expect(def.type).toBe('container');
    expect(def.jobDefinitionName).toBe(submit.jobDefinition);
    const cp = def.containerProperties as Obj;
    expect(cp.command[0]).toBe('enhance');
    expect(cp.command).toContain('--shard-from-env');
    const env = Object.fromEntries((cp.environment as Obj[]).map((e) => [e.name, e.value]));
    expect(Number(env.REVIVE_SHARD_COUNT)).toBe(submit.arrayProperties.size);
    // Array jobs hold 2 to 10 000 children.
    expect(submit.arrayProperties.size).toBeGreaterThanOrEqual(2);
    expect(submit.arrayProperties.size).toBeLessThanOrEqual(10_000);
    expect(def.retryStrategy.attempts).toBeGreaterThanOrEqual(1);
    expect(def.retryStrategy.attempts).toBeLessThanOrEqual(10);
    for (const r of cp.resourceRequirements as Obj[]) expect(['VCPU', 'MEMORY', 'GPU']).toContain(r.type);
    const volumes = Object.fromEntries((cp.volumes as Obj[]).map((v) => [v.name, v]));
    const mounts = Object.fromEntries((cp.mountPoints as Obj[]).map((m) => [m.sourceVolume, m.containerPath]));
    expect(volumes.archive.efsVolumeConfiguration.fileSystemId).toMatch(/^fs-[0-9a-f]+$/);
    expect(env.REVIVE_DATA_DIR).toBe(mounts.data);
    expect(cp.command[1].startsWith(mounts.archive)).toBe(true);
    // Both schedulers run the same revive command.
    expect(cp.command).toEqual(job.spec.template.spec.containers[0].args);
  });

  it('the command lines are ones revive accepts', async () => {
    expect(process.env.JOB_COMPLETION_INDEX ?? process.env.AWS_BATCH_JOB_ARRAY_INDEX).toBeUndefined();
    expect(await cliAccepts(def.containerProperties.command as string[])).toBe(true);
    expect(await cliAccepts(['enhance', '/x', '--shard-from-env', '--no-such-option'])).toBe(false);
  });
});
