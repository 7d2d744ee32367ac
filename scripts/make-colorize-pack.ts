/**
 * Writes a generated colorize pack whose output is known (test/fixtures/colorize-packs.ts) to a folder, for trying
 * the colour stage end to end (`revive models add <dir>`, then `revive enhance --colorize auto --colorize-pack <id>`):
 *
 *   npm run make:colorize-pack -- <outdir> [--effect tint|zero|ramp] [--tint 20,30] [--size 256] [--id ID]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeColorizePack, type ColorizePackEffect } from '../test/fixtures/colorize-packs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { effect: { type: 'string', default: 'tint' }, tint: { type: 'string', default: '20,30' }, size: { type: 'string', default: '256' }, id: { type: 'string' } },
});
const effects: readonly ColorizePackEffect[] = ['tint', 'zero', 'ramp'];
const tint = values.tint.split(',').map(Number);
const size = Number(values.size);
if (positionals.length !== 1 || !effects.includes(values.effect as ColorizePackEffect) || tint.length !== 2 || tint.some((v) => !(Math.abs(v) <= 128)) || !(Number.isInteger(size) && size >= 16 && size <= 2048)) {
  console.error('usage: make-colorize-pack <outdir> [--effect tint|zero|ramp] [--tint A,B (each -128..128)] [--size 16..2048] [--id ID]');
  process.exit(2);
}
const m = await writeColorizePack(path.resolve(positionals[0]!), {
  effect: values.effect as ColorizePackEffect,
  tint: [tint[0]!, tint[1]!],
  size,
  ...(values.id ? { id: values.id } : {}),
});
console.log(`colorize pack "${m.id}" written to ${positionals[0]}`);
