/**
 * Writes a generated inpainting pack whose output is known (test/fixtures/inpaint-packs.ts: every pixel it is asked
 * to fill becomes one colour) to a folder, for trying large-hole repair end to end (`revive models add <dir>`, then
 * `revive enhance photo.jpg --mask torn.png`, which picks the installed pack):
 *
 *   npm run make:inpaint-pack -- <outdir> [--size 512] [--colour 1,0,1] [--id ID]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeInpaintPack } from '../test/fixtures/inpaint-packs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { size: { type: 'string', default: '512' }, colour: { type: 'string', default: '1,0,1' }, id: { type: 'string' } },
});
const size = Number(values.size);
const colour = values.colour.split(',').map(Number);
if (positionals.length !== 1 || !Number.isInteger(size) || size < 64 || size > 4096 || colour.length !== 3 || colour.some((c) => !(c >= 0 && c <= 1))) {
  console.error('usage: make-inpaint-pack <outdir> [--size 64..4096] [--colour R,G,B (each 0..1)] [--id ID]');
  process.exit(2);
}
const m = await writeInpaintPack(path.resolve(positionals[0]!), { size, colour: colour as [number, number, number], ...(values.id ? { id: values.id } : {}) });
console.log(`inpaint pack "${m.id}" written to ${positionals[0]}`);
