/**
 * The colour stage's options of `revive enhance`: `--colorize off|auto|on`, `--colorize-pack ID`,
 * `--colorize-strength 0..100`. 'auto' colourises only the photos judged black-and-white or toned (sepia, cyanotype)
 * and reports the others as skipped; 'on' forces it on every photo. A bad value throws a RangeError naming the option,
 * which options.ts turns into a usage error.
 */

export interface RawColorizeOptions {
  colorize?: string;
  colorizePack?: string;
  colorizeStrength?: string;
}

export interface ColorizeCliOptions {
  mode: 'auto' | 'on';
  pack: string;
  /** 0–100. */
  strength?: number;
}

const MODES = ['off', 'auto', 'on'] as const;

/** The colour stage asked for, or undefined when it is off; options that need it without it are a mistake worth saying. */
export function parseColorizeOptions(raw: RawColorizeOptions): ColorizeCliOptions | undefined {
  const mode = raw.colorize === undefined ? 'off' : raw.colorize.toLowerCase();
  if (!(MODES as readonly string[]).includes(mode)) throw new RangeError(`--colorize must be one of ${MODES.join(', ')}, got ${JSON.stringify(raw.colorize)}`);
  if (mode === 'off') {
    if (raw.colorizePack !== undefined || raw.colorizeStrength !== undefined) throw new RangeError('--colorize-pack and --colorize-strength need --colorize auto or on');
    return undefined;
  }
  if (raw.colorizePack === undefined) throw new RangeError(`--colorize ${mode} needs --colorize-pack ID (a colorize pack; \`revive models\` lists them)`);
  let strength: number | undefined;
  if (raw.colorizeStrength !== undefined) {
    const text = raw.colorizeStrength.trim().replace(/%$/, '');
    strength = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !(strength >= 0 && strength <= 100)) {
      throw new RangeError(`--colorize-strength must be a percentage from 0 to 100, got ${JSON.stringify(raw.colorizeStrength)}`);
    }
  }
  return { mode: mode as 'auto' | 'on', pack: raw.colorizePack, ...(strength !== undefined ? { strength } : {}) };
}
