/**
 * Face boxes from the engine's report to the library row and the interface's entry: the runner stores what the faces
 * stage reported (restored and too-small faces alike), a result without a faces stage has none, a database from
 * before the column gets it on opening, and an unreadable record is named rather than guessed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toLibraryEntry } from '../../../src-main/core/contract-mapping';
import { JobRunner } from '../../../src-main/jobs/runner';
import { LibraryStore } from '../../../src-main/library/library-store';
import type { FaceBox } from '../../../src-main/pipelines/faces/face-box';
import { parseJobSettings } from '../../../src-main/settings/job-settings';
import { openStore } from '../../../src-main/store/database';
import { MIGRATIONS, migrate } from '../../../src-main/store/migrations';
import { LibraryEntrySchema } from '../../../src-preload/contract';
import { FakeEngine } from '../../support/fake-engine';
import { runnerStores, tempWorld, writePhoto, type TempWorld } from '../../support/job-fixtures';

const FACES: FaceBox[] = [
  { x: 120, y: 64, width: 70, height: 74, score: 0.93, status: 'restored' },
  { x: 400, y: 80, width: 31, height: 33, score: 0.81, status: 'too-small' },
];

describe('face boxes in the library', () => {
  let w: TempWorld;
  let engine: FakeEngine;
  let runner: JobRunner;

  beforeEach(() => {
    w = tempWorld();
    engine = new FakeEngine();
    runner = new JobRunner({ ...runnerStores(w, { thumbnails: false }), engine, lock: w.lock, resolveModelDir: (id) => `/packs/${id}` });
  });
  afterEach(() => w.cleanup());

  async function runOne(name: string, seed: number, faces?: FaceBox[]) {
    const photo = await writePhoto(path.join(w.photos, name), seed);
    if (faces) engine.faces.set(photo, faces);
    const job = runner.queue.createJob(parseJobSettings({ model: 'fake-model', scale: 2, format: 'png', faces: 'auto', facePack: 'test-face' }), [photo]);
    await runner.run();
    return new LibraryStore(w.store.db).forItem(runner.queue.items(job.id)[0]!.id)!;
  }

  it('stores the boxes the faces stage reported with the row, and the interface entry carries them', async () => {
    const row = await runOne('group.png', 1, FACES);
    expect(row.status).toBe('done');
    expect(row.faces).toEqual(FACES);
    const entry = toLibraryEntry(row);
    expect(entry.faces).toEqual(FACES);
    // What crosses to the page still parses against the contract (urls as the IPC layer adds them).
    const { thumbPath: _, ...rest } = entry;
    const page = { ...rest, name: 'group.png', sourceUrl: null, outputUrl: null, thumbUrl: null };
    expect(LibraryEntrySchema.parse(page).faces).toEqual(FACES);
  });

  it('keeps "no faces stage" (null, no field for the page) apart from "no faces found" (an empty list)', async () => {
    const none = await runOne('none.png', 2);
    expect(none.faces).toBeNull();
    expect('faces' in toLibraryEntry(none)).toBe(false);
    const empty = await runOne('empty.png', 3, []);
    expect(empty.faces).toEqual([]);
    expect(toLibraryEntry(empty).faces).toEqual([]);
  });

  it('names the row whose face record cannot be read', async () => {
    const row = await runOne('broken.png', 4, FACES);
    w.store.db.prepare('UPDATE library SET faces = ? WHERE id = ?').run('[{"x":1}]', row.id);
    expect(() => new LibraryStore(w.store.db).get(row.id)).toThrow(new RegExp(`library row ${row.id} has unreadable face boxes`));
  });
});

describe('the face boxes migration', () => {
  it('adds the column to a database made before it; older rows read as "no faces stage"', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'revive-faces-migrate-'));
    const old = openStore(dir, { migrations: MIGRATIONS.slice(0, 1) });
    try {
      const columns = (): string[] => (old.db.prepare('PRAGMA table_info(library)').all() as { name: string }[]).map((c) => c.name);
      expect(columns()).not.toContain('faces');
      old.db
        .prepare(
          `INSERT INTO library (source_path, source_name, source_dir, source_hash, model, settings, settings_key, status, finished_at)
           VALUES ('/p/a.jpg', 'a.jpg', '/p', 'h', 'm', ?, 'k', 'done', 1)`,
        )
        .run(JSON.stringify(parseJobSettings({ model: 'm', scale: 2, format: 'png' })));
      expect(migrate(old.db)).toEqual({ from: 1, to: MIGRATIONS.length });
      expect(columns()).toContain('faces');
      expect(new LibraryStore(old.db).recent()[0]!.faces).toBeNull();
    } finally {
      old.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
