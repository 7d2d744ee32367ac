/**
 * Writes a generated face-restore pack whose output is known (test/fixtures/face-packs.ts) to a folder, for trying
 * the faces stage end to end (`revive models add <dir>`, then `revive enhance --faces auto --face-pack <id>`):
 *
 *   npm run make:face-pack -- <outdir> [--effect identity|brighten|cast|heavy] [--amount 0.1] [--id ID] [--fidelity-input]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFacePack, type FacePackEffect } from '../test/fixtures/face-packs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { effect: { type: 'string', default: 'brighten' }, amount: { type: 'string', default: '0.1' }, id: { type: 'string' }, 'fidelity-input': { type: 'boolean', default: false } },
});
const effects: readonly FacePackEffect[] = ['identity', 'brighten', 'cast', 'heavy'];
if (positionals.length !== 1 || !effects.includes(values.effect as FacePackEffect) || !(Number(values.amount) >= -1 && Number(values.amount) <= 1)) {
  console.error('usage: make-face-pack <outdir> [--effect identity|brighten|cast|heavy] [--amount -1..1] [--id ID] [--fidelity-input]');
  process.exit(2);
}
const m = await writeFacePack(path.resolve(positionals[0]!), {
  effect: values.effect as FacePackEffect,
  amount: Number(values.amount),
  fidelityInput: values['fidelity-input'],
  // A pack meant to show its change must not have it matched away.
  colorMatch: values.effect === 'identity' || values.effect === 'heavy' ? 'adain' : 'none',
  ...(values.id ? { id: values.id } : {}),
});
console.log(`face-restore pack "${m.id}" written to ${positionals[0]}`);
