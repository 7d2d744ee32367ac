/**
 * Install-time checks of a pack's graphs against its kind's layout (faces, inpaint and colorize packs): a pack whose
 * tensors cannot fit is refused before it is installed, with the tensor named, instead of failing on the first photo.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PackManifest } from './manifest';
import { readGraphSignature, tensorProblem } from './onnx/signature';

/** The problems of the pack's graph in `dir` (staged files), one line each; empty when it fits or the kind has no check. */
export async function packTensorProblems(dir: string, manifest: PackManifest): Promise<string[]> {
  if (manifest.kind !== 'face-restore' && manifest.kind !== 'face-detect' && manifest.kind !== 'inpaint' && manifest.kind !== 'colorize') return [];
  // A one-step-diffusion face pack has no single model: its SD graphs are checked when it opens, as a
  // one-step-diffusion pack's are (their sizes are dynamic, so a file alone says little).
  const model = manifest.model;
  if (!model) return [];
  let sig;
  try {
    sig = readGraphSignature(await readFile(path.join(dir, model.file)));
  } catch (err) {
    return [`${model.file} cannot be read as ONNX: ${(err as Error).message}`];
  }
  const problems: (string | null)[] = [];
  if (manifest.kind === 'face-restore') {
    const s = manifest.faces.size;
    const m = manifest.model!;
    problems.push(tensorProblem(sig.inputs, 'input', m.input, [1, 3, s, s]));
    problems.push(tensorProblem(sig.outputs, 'output', m.output, [1, 3, s, s]));
    if (m.fidelityInput) {
      const f = sig.inputs.find((t) => t.name === m.fidelityInput);
      problems.push(!f ? `the graph has no input tensor "${m.fidelityInput}" (fidelityInput)` : f.shape.length > 1 || (f.shape.length === 1 && f.shape[0] !== 1) ? `input tensor "${f.name}" (fidelityInput) must be a scalar or [1], got [${f.shape.join(', ')}]` : null);
    }
  } else if (manifest.kind === 'inpaint') {
    const s = manifest.inpaint.size;
    problems.push(tensorProblem(sig.inputs, 'input', manifest.model.image, [1, 3, s, s]));
    problems.push(tensorProblem(sig.inputs, 'input', manifest.model.mask, [1, 1, s, s]));
    problems.push(tensorProblem(sig.outputs, 'output', manifest.model.output, [1, 3, s, s]));
  } else if (manifest.kind === 'colorize') {
    // The DDColor layout: grey RGB in, a*b* out, both at the pack's square size.
    const s = manifest.colorize.size;
    problems.push(tensorProblem(sig.inputs, 'input', manifest.model.input, [1, 3, s, s]));
    problems.push(tensorProblem(sig.outputs, 'output', manifest.model.output, [1, 2, s, s]));
  } else {
    problems.push(tensorProblem(sig.inputs, 'input', manifest.model.input, [1, 256, 256, 3]));
  }
  return problems.filter((p): p is string => p !== null);
}
