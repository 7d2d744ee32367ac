/**
 * The old-photo repair options of `revive enhance`: `--repair off|auto`, `--repair-sensitivity 0..100`,
 * `--colour off|restore`, `--colour-strength 0..100`, `--mask FILE`, `--inpaint-pack ID|auto|none`. Checked here; the mask's size is checked against
 * each photo by the engine (a wrong size fails that photo, naming both sizes). A bad value throws a RangeError naming
 * the option, which options.ts turns into a usage error.
 */
import path from 'node:path';
import { RepairOptionsSchema, type RepairOptions } from '../pipelines/repair/options';

export interface RawRepairOptions {
  repair?: string;
  repairSensitivity?: string;
  colour?: string;
  colourStrength?: string;
  mask?: string;
  inpaintPack?: string;
}

/**
 * What the job settings keep: the pipeline's options, the mask as an absolute path, and the inpainting pack choice
 * (resolved against the installed packs when the batch is queued).
 */
export type RepairCliOptions = RepairOptions & { mask?: string; inpaintPack?: string };

function percent(option: string, value: string): number {
  const text = value.trim().replace(/%$/, '');
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n >= 0 && n <= 100)) throw new RangeError(`${option} must be a number from 0 to 100, got ${JSON.stringify(value)}`);
  return n;
}

function choice<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  const v = value.toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) throw new RangeError(`${option} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return v as T;
}

/** The repair settings, or undefined when no repair option was given; `cwd` resolves a relative --mask. */
export function parseRepairOptions(raw: RawRepairOptions, cwd = process.cwd()): RepairCliOptions | undefined {
  if ([raw.repair, raw.repairSensitivity, raw.colour, raw.colourStrength, raw.mask].every((v) => v === undefined)) {
    if (raw.inpaintPack !== undefined) throw new RangeError('--inpaint-pack needs --repair auto or --mask FILE');
    return undefined;
  }
  const mode = raw.repair !== undefined ? choice('--repair', raw.repair, RepairOptionsSchema.shape.mode.removeDefault().options) : raw.mask !== undefined ? 'off' : 'auto';
  const colour = raw.colour !== undefined ? choice('--colour', raw.colour, RepairOptionsSchema.shape.colour.removeDefault().options) : 'off';
  if (raw.repairSensitivity !== undefined && mode !== 'auto') throw new RangeError('--repair-sensitivity needs --repair auto');
  if (raw.colourStrength !== undefined && colour !== 'restore') throw new RangeError('--colour-strength needs --colour restore');
  const sensitivity = raw.repairSensitivity !== undefined ? Math.round(percent('--repair-sensitivity', raw.repairSensitivity)) : undefined;
  const strength = raw.colourStrength !== undefined ? percent('--colour-strength', raw.colourStrength) / 100 : undefined;
  return {
    ...RepairOptionsSchema.parse({ mode, colour, ...(sensitivity !== undefined ? { sensitivity } : {}), ...(strength !== undefined ? { strength } : {}) }),
    ...(raw.mask !== undefined ? { mask: path.resolve(cwd, raw.mask) } : {}),
    ...(raw.inpaintPack !== undefined ? { inpaintPack: raw.inpaintPack.trim() } : {}),
  };
}
