/**
 * tools/export-osediff's `--face` manifest (the only part of the exporter that runs without torch and the weights):
 * the one-step manifest the script writes, turned into a face pack by its `face_manifest`, must be a face-restore pack
 * of the one-step diffusion layout that Revive accepts, with the same files and graphs. The script's heavy imports
 * (torch, diffusers, peft, transformers, onnx) are stubbed: only the manifest function is called.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src-main/models/manifest';
import { buildTinyPack } from '../../fixtures/tiny-packs';

const SCRIPT = path.resolve(import.meta.dirname, '../../../tools/export-osediff/export_osediff.py');

const PYTHON = `
import importlib.util, json, sys, types
class _Meta(type):
    def __getattr__(cls, attr):
        return cls
class _Stub(metaclass=_Meta):
    pass
for name in ["torch", "onnx", "diffusers", "peft", "peft.tuners", "peft.tuners.tuners_utils", "transformers"]:
    m = types.ModuleType(name)
    m.__getattr__ = lambda attr: _Stub
    sys.modules[name] = m
spec = importlib.util.spec_from_file_location("export_osediff", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
print(json.dumps(mod.face_manifest(json.loads(sys.stdin.read()), 512)))
`;

describe('export_osediff.py --face manifest', () => {
  it('is a face-restore pack of the one-step diffusion layout with the one-step pack\'s files and graphs', () => {
    // A one-step manifest as the script writes it (the tiny pack's has the same fields), with a tagger to drop.
    const oneStep = buildTinyPack({ tagger: true, emptyPromptEmbedding: true }).manifest as Record<string, unknown> & { graphs: unknown; files: unknown };
    // No __pycache__ left in tools/ by loading the script.
    const out = execFileSync('python3', ['-c', PYTHON, SCRIPT], { input: JSON.stringify(oneStep), encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    const face = JSON.parse(out) as Record<string, unknown>;
    const m = parseManifest(face);
    expect(m).toMatchObject({ kind: 'face-restore', layout: 'onestep-diffusion', scale: 1, faces: { size: 512, colorMatch: 'adain' } });
    if (m.kind !== 'face-restore') throw new Error('unreachable');
    expect(m.graphs).toEqual(oneStep.graphs);
    expect(m.files).toEqual(oneStep.files);
    expect(m.diffusion).toMatchObject({ promptMode: 'none', colorFix: 'none' });
    expect(face).not.toHaveProperty('tagger');
    expect(m.model).toBeUndefined();
  });
});
