/**
 * "Download all" in serve mode: one zip of chosen results, streamed as it is built. The request names results by
 * library row or by batch, never by path, so only files Revive wrote can be asked for; each must also still be on
 * the allow-list (and resolve inside it) before a byte of it is sent.
 */
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { resolveAllowedFile } from '../core/allowed-file';
import type { ReviveCore } from '../core/port';
import { errorCode } from '../pixels/coded-error';
import { refuse } from './files';

/** More ids than any library page or batch the interface offers: a bound on the work one request can ask for. */
const MAX_RESULTS = 10_000;

type Selection = { kind: 'library' | 'job'; ids: number[] };

/** Reads `?library=1&library=2` or `?job=7&job=8`; null when neither (or both, or a malformed id) is given. */
export function parseZipSelection(params: URLSearchParams): Selection | null {
  const rows = params.getAll('library');
  const jobs = params.getAll('job');
  if (rows.length && jobs.length) return null;
  const kind = rows.length ? 'library' : 'job';
  const ids = rows.length ? rows : jobs;
  const isId = (s: string): boolean => /^[1-9]\d{0,15}$/.test(s);
  if (!ids.length || ids.length > MAX_RESULTS || !ids.every(isId)) return null;
  return { kind, ids: [...new Set(ids.map(Number))] };
}

/** The result files a selection stands for: library rows that succeeded, or the batches' finished items. */
async function selectedOutputs(core: ReviveCore, sel: Selection): Promise<string[]> {
  if (sel.kind === 'job') {
    const { items } = await core.queue();
    return items.filter((i) => sel.ids.includes(i.jobId) && i.state === 'done' && i.output).map((i) => i.output!);
  }
  const out: string[] = [];
  for (const id of sel.ids) {
    const entry = await core.libraryGet(id);
    if (entry.status === 'done' && entry.output) out.push(entry.output);
  }
  return out;
}

/** Names inside the zip: each file's own name, made unique with `-1`, `-2`, … before the extension. */
export function zipEntryNames(files: string[]): string[] {
  const taken = new Set<string>();
  return files.map((file) => {
    const base = path.basename(file);
    const ext = path.extname(base);
    const stem = base.slice(0, base.length - ext.length);
    let name = base;
    for (let i = 1; taken.has(name.toLowerCase()); i += 1) name = `${stem}-${i}${ext}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** Answers `GET /zip?…` with a zip of the selected results, or a plain-text refusal when any of them may not be sent. */
export async function serveResultsZip(core: ReviveCore, params: URLSearchParams, res: ServerResponse): Promise<void> {
  const sel = parseZipSelection(params);
  if (!sel) return refuse(res, 400, 'name the results as ?library=ID (repeated) or ?job=ID');
  let files: string[];
  try {
    files = await selectedOutputs(core, sel);
  } catch (err) {
    return refuse(res, errorCode(err) === 'NOT_FOUND' ? 404 : 500, (err as Error).message);
  }
  if (!files.length) return refuse(res, 404, 'none of the chosen photos has a finished result');
  const real: string[] = [];
  for (const file of files) {
    try {
      real.push(await resolveAllowedFile(core.allowList, file));
    } catch (err) {
      const missing = errorCode(err) === 'NOT_FOUND';
      return refuse(res, missing ? 404 : 403, `${path.basename(file)}: ${missing ? 'the result file is gone' : 'not on the allow-list'}`);
    }
  }
  const zip = new yazl.ZipFile();
  // Photos are already compressed: storing them keeps the zip as fast as a copy and barely larger.
  zipEntryNames(real).forEach((name, i) => zip.addFile(real[i]!, name, { compress: false }));
  zip.end();
  const name = sel.kind === 'job' && sel.ids.length === 1 ? `revive-batch-${sel.ids[0]}.zip` : 'revive-results.zip';
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  await pipeline(zip.outputStream, res);
}
