/**
 * The history library: one row per result (done or failed), kept after the queue forgets the job.
 *
 * Queries are built for 100 000 rows in well under 50 ms (measured in test/bench/library-bench.ts):
 * - two phases: the ids of the page are found first, from indexes that all end with finished_at (so matching and
 *   ordering need no table row), then only those rows are read — a row carries paths and a settings snapshot and is
 *   many times larger than an index entry;
 * - folder, date taken, model and status are index ranges (a folder with its subfolders is "dir" plus the range
 *   ["dir/", "dir0"), '0' being the character after '/');
 * - "contains" text (name, camera) cannot use a B-tree range, so it scans the narrow (text, finished_at) index instead
 *   of the table: one predictable pass whether the text is rare or common. (A full-text trigram index was measured
 *   too: it cannot honour LIKE's ESCAPE, and is slower than this scan for short common fragments such as "IMG".)
 */
import path from 'node:path';
import { FaceBoxesSchema, type FaceBox } from '../pipelines/faces/face-box';
import type { Db } from '../store/types';
import { type JobSettings, parseJobSettings } from '../settings/job-settings';

export type LibraryStatus = 'done' | 'failed';

export interface LibraryEntry {
  id: number;
  /** The queue item that produced it, while the queue still has it. */
  itemId: number | null;
  jobId: number | null;
  sourcePath: string;
  sourceName: string;
  sourceDir: string;
  sourceHash: string;
  sourceSize: number | null;
  sourceWidth: number | null;
  sourceHeight: number | null;
  outputPath: string | null;
  outputSize: number | null;
  outputWidth: number | null;
  outputHeight: number | null;
  model: string;
  settings: JobSettings;
  settingsKey: string;
  status: LibraryStatus;
  error: string | null;
  /** Processing time; null when the result was adopted after a crash (the time was lost with the process). */
  ms: number | null;
  startedAt: number | null;
  finishedAt: number;
  /** Execution provider that ran the model. */
  device: string | null;
  dateTaken: string | null;
  camera: string | null;
  hasGps: boolean;
  thumbBefore: string | null;
  thumbAfter: string | null;
  /** The faces stage's boxes in the result's pixels (restored or too small); null when no faces stage ran. */
  faces: FaceBox[] | null;
  /** What the colour stage did (null: the chain had none). */
  colorize: LibraryColorize | null;
  /**
   * The repair mask this result used (PNG in the data folder, white = repaired): the detected one, or the mask edited
   * in the app (then also `settings.repair.mask`). Null without a repair stage.
   */
  repairMask: string | null;
}

/** The colour stage's record: colourised, or left alone because 'auto' found the photo in colour. */
export interface LibraryColorize {
  pack: string;
  mode: 'auto' | 'on';
  applied: boolean;
  /** The photo as judged: 'greyscale', 'toned' (sepia, cyanotype) or 'colour'. */
  photo: 'greyscale' | 'toned' | 'colour';
  strength: number;
}

/** What a caller provides; names, folders and thumbnails are derived or set later. */
export type NewLibraryEntry = Omit<LibraryEntry, 'id' | 'sourceName' | 'sourceDir' | 'thumbBefore' | 'thumbAfter' | 'faces' | 'colorize' | 'repairMask'> & {
  faces?: FaceBox[] | null;
  colorize?: LibraryColorize | null;
  repairMask?: string | null;
};

export interface LibraryQuery {
  /** Case-insensitive part of the source file name. */
  name?: string;
  /** Source folder; with `includeSubfolders` (default true) everything below it too. */
  folder?: string;
  includeSubfolders?: boolean;
  /** Date taken range, inclusive, compared as "YYYY-MM-DD HH:MM:SS" prefixes ("1987", "1987-06" work). */
  takenFrom?: string;
  takenTo?: string;
  /** Case-insensitive part of the camera name. */
  camera?: string;
  /** Exact model pack id. */
  model?: string;
  failedOnly?: boolean;
  /** Newest first; default 100, at most 10 000. */
  limit?: number;
  offset?: number;
}

interface Row {
  id: number;
  item_id: number | null;
  job_id: number | null;
  source_path: string;
  source_name: string;
  source_dir: string;
  source_hash: string;
  source_size: number | null;
  source_width: number | null;
  source_height: number | null;
  output_path: string | null;
  output_dir: string | null;
  output_size: number | null;
  output_width: number | null;
  output_height: number | null;
  model: string;
  settings: string;
  settings_key: string;
  status: string;
  error: string | null;
  ms: number | null;
  started_at: number | null;
  finished_at: number;
  device: string | null;
  date_taken: string | null;
  camera: string | null;
  has_gps: number | null;
  thumb_before: string | null;
  thumb_after: string | null;
  faces: string | null;
  colorize: string | null;
  repair_mask: string | null;
}

function toEntry(r: Row): LibraryEntry {
  if (r.status !== 'done' && r.status !== 'failed') throw new Error(`library row ${r.id} has unknown status ${r.status}`);
  let settings: JobSettings;
  try {
    settings = parseJobSettings(JSON.parse(r.settings));
  } catch (e) {
    throw new Error(`library row ${r.id} has unreadable settings: ${(e as Error).message}`, { cause: e });
  }
  let faces: FaceBox[] | null = null;
  try {
    faces = r.faces === null ? null : FaceBoxesSchema.parse(JSON.parse(r.faces));
  } catch (e) {
    throw new Error(`library row ${r.id} has unreadable face boxes: ${(e as Error).message}`, { cause: e });
  }
  return {
    id: r.id,
    itemId: r.item_id,
    jobId: r.job_id,
    sourcePath: r.source_path,
    sourceName: r.source_name,
    sourceDir: r.source_dir,
    sourceHash: r.source_hash,
    sourceSize: r.source_size,
    sourceWidth: r.source_width,
    sourceHeight: r.source_height,
    outputPath: r.output_path,
    outputSize: r.output_size,
    outputWidth: r.output_width,
    outputHeight: r.output_height,
    model: r.model,
    settings,
    settingsKey: r.settings_key,
    status: r.status,
    error: r.error,
    ms: r.ms,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    device: r.device,
    dateTaken: r.date_taken,
    camera: r.camera,
    hasGps: r.has_gps === 1,
    thumbBefore: r.thumb_before,
    thumbAfter: r.thumb_after,
    faces,
    colorize: r.colorize === null ? null : (JSON.parse(r.colorize) as LibraryColorize),
    repairMask: r.repair_mask,
  };
}

/** Escapes LIKE wildcards so user text matches literally. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The smallest string greater than every "YYYY-MM-DD…" string starting with `prefix`. */
function afterPrefix(prefix: string): string {
  return `${prefix}\uffff`;
}

export class LibraryStore {
  constructor(readonly db: Db) {}

  /** Adds a result. Returns its id. An item has at most one row: a second insert for it replaces the first. */
  insert(e: NewLibraryEntry): number {
    const r = this.db
      .prepare(
        `INSERT INTO library (item_id, job_id, source_path, source_name, source_dir, source_hash, source_size,
           source_width, source_height, output_path, output_dir, output_size, output_width, output_height, model,
           settings, settings_key, status, error, ms, started_at, finished_at, device, date_taken, camera, has_gps, faces,
           colorize, repair_mask)
         VALUES (@itemId, @jobId, @sourcePath, @sourceName, @sourceDir, @sourceHash, @sourceSize, @sourceWidth,
           @sourceHeight, @outputPath, @outputDir, @outputSize, @outputWidth, @outputHeight, @model, @settings,
           @settingsKey, @status, @error, @ms, @startedAt, @finishedAt, @device, @dateTaken, @camera, @hasGps, @faces,
           @colorize, @repairMask)
         ON CONFLICT (item_id) DO UPDATE SET output_path = excluded.output_path, output_dir = excluded.output_dir,
           output_size = excluded.output_size, output_width = excluded.output_width,
           output_height = excluded.output_height, status = excluded.status, error = excluded.error, ms = excluded.ms,
           started_at = excluded.started_at, finished_at = excluded.finished_at, device = excluded.device,
           faces = excluded.faces,
           colorize = excluded.colorize,
           repair_mask = excluded.repair_mask
         RETURNING id`,
      )
      .get({
        ...e,
        sourceName: path.basename(e.sourcePath),
        sourceDir: path.dirname(e.sourcePath),
        outputDir: e.outputPath === null ? null : path.dirname(e.outputPath),
        settings: JSON.stringify(e.settings),
        hasGps: e.hasGps ? 1 : 0,
        faces: e.faces ? JSON.stringify(e.faces) : null,
        colorize: e.colorize ? JSON.stringify(e.colorize) : null,
        repairMask: e.repairMask ?? null,
      }) as { id: number };
    return r.id;
  }

  get(id: number): LibraryEntry {
    const r = this.db.prepare('SELECT * FROM library WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new Error(`no library entry with id ${id}`);
    return toEntry(r);
  }

  /** The row an item produced, if any. */
  forItem(itemId: number): LibraryEntry | null {
    const r = this.db.prepare('SELECT * FROM library WHERE item_id = ?').get(itemId) as Row | undefined;
    return r ? toEntry(r) : null;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM library').get() as { n: number }).n;
  }

  /** The newest results. */
  recent(limit = 100): LibraryEntry[] {
    return this.search({ limit });
  }

  /** Results matching every given filter, newest first. */
  search(q: LibraryQuery = {}): LibraryEntry[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.failedOnly) where.push("status = 'failed'");
    if (q.name) {
      where.push("source_name LIKE ? ESCAPE '\\'");
      args.push(likeContains(q.name));
    }
    if (q.folder) {
      const dir = path.resolve(q.folder);
      if (q.includeSubfolders === false) {
        where.push('source_dir = ?');
        args.push(dir);
      } else {
        // Subfolders are "dir/…": the range [dir/, dir0) in byte order ('0' follows '/'), which uses the index.
        const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
        where.push('(source_dir = ? OR (source_dir >= ? AND source_dir < ?))');
        args.push(dir, prefix, prefix.slice(0, -1) + String.fromCharCode(path.sep.charCodeAt(0) + 1));
      }
    }
    if (q.takenFrom) {
      where.push('date_taken >= ?');
      args.push(q.takenFrom);
    }
    if (q.takenTo) {
      where.push('date_taken < ?');
      args.push(afterPrefix(q.takenTo));
    }
    if (q.camera) {
      where.push("camera LIKE ? ESCAPE '\\'");
      args.push(likeContains(q.camera));
    }
    if (q.model) {
      where.push('model = ?');
      args.push(q.model);
    }
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new RangeError(`limit must be 1–10000, got ${limit}`);
    const offset = q.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a whole number ≥ 0, got ${offset}`);
    // Text filters make the planner guess; point it at the text's covering index (see the module comment).
    const hint = q.name ? 'INDEXED BY library_name' : q.camera && !q.folder && !q.takenFrom && !q.takenTo ? 'INDEXED BY library_camera' : '';
    const order = 'ORDER BY finished_at DESC, id DESC';
    const sql = `SELECT * FROM library WHERE id IN (
        SELECT id FROM library ${hint} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT ? OFFSET ?
      ) ${order}`;
    return (this.db.prepare(sql).all(...args, limit, offset) as Row[]).map(toEntry);
  }

  /**
   * The newest successful result for the same content and settings written into `outputDir` — what skip-if-done
   * compares against. Whether its file still exists is the caller's check.
   */
  findMatch(sourceHash: string, settingsKey: string, outputDir: string): LibraryEntry | null {
    const r = this.db
      .prepare(
        `SELECT * FROM library WHERE source_hash = ? AND settings_key = ? AND status = 'done' AND output_dir = ?
         ORDER BY finished_at DESC LIMIT 1`,
      )
      .get(sourceHash, settingsKey, outputDir) as Row | undefined;
    return r ? toEntry(r) : null;
  }

  /** Library rows whose output is this file. */
  byOutputPath(outputPath: string): LibraryEntry[] {
    return (this.db.prepare('SELECT * FROM library WHERE output_path = ?').all(outputPath) as Row[]).map(toEntry);
  }

  /** Whether any row names this file as its source (an original, never to be deleted). */
  isSource(filePath: string): boolean {
    return this.db.prepare('SELECT 1 FROM library WHERE source_path = ? LIMIT 1').get(filePath) !== undefined;
  }

  setThumbnails(id: number, before: string | null, after: string | null): void {
    this.db.prepare('UPDATE library SET thumb_before = ?, thumb_after = ? WHERE id = ?').run(before, after, id);
  }

  /** Deletes the row only (files are jobs/library-actions.ts's business). */
  delete(id: number): void {
    const r = this.db.prepare('DELETE FROM library WHERE id = ?').run(id);
    if (r.changes === 0) throw new Error(`no library entry with id ${id}`);
  }
}
