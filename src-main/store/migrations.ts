/**
 * The database schema, as an ordered list of migrations.
 *
 * `PRAGMA user_version` holds the number of migrations applied. Each migration runs in its own transaction together
 * with the version bump, so a kill during an upgrade leaves the database at the previous version, never half-way.
 * Migrations are append-only: never edit one that has shipped; add the next.
 */
import type { Db } from './types';

export interface Migration {
  /** What the migration does, for error messages. */
  name: string;
  up(db: Db): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'queue, library, throughput and locks',
    // eslint-disable-next-line max-lines-per-function -- one CREATE script (a declarative table); shipped migrations are never edited
    up(db) {
      db.exec(`
        -- A batch the user started. Its settings are a snapshot: changing the app's settings later does not change
        -- what an unfinished batch produces when it resumes.
        CREATE TABLE jobs (
          id          INTEGER PRIMARY KEY,
          created_at  INTEGER NOT NULL,
          settings    TEXT    NOT NULL,
          force       INTEGER NOT NULL DEFAULT 0,
          paused      INTEGER NOT NULL DEFAULT 0,
          state       TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'finished', 'cancelled')),
          finished_at INTEGER
        );

        -- One source image of a job. planned_output is written before the engine writes anything, so a restart knows
        -- which file belongs to the item (adopt it or replace it; never invent a "-1" name for our own file).
        CREATE TABLE items (
          id             INTEGER PRIMARY KEY,
          job_id         INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
          position       INTEGER NOT NULL,
          source_path    TEXT    NOT NULL,
          state          TEXT    NOT NULL DEFAULT 'queued'
                         CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
          source_hash    TEXT,
          settings_key   TEXT,
          source_size    INTEGER,
          width          INTEGER,
          height         INTEGER,
          planned_output TEXT,
          output_path    TEXT,
          skipped        INTEGER NOT NULL DEFAULT 0,
          adopted        INTEGER NOT NULL DEFAULT 0,
          attempts       INTEGER NOT NULL DEFAULT 0,
          error          TEXT,
          started_at     INTEGER,
          finished_at    INTEGER,
          ms             INTEGER,
          UNIQUE (job_id, source_path)
        );
        CREATE INDEX items_job_order ON items (job_id, state, position);
        CREATE INDEX items_state ON items (state);
        CREATE INDEX items_planned_output ON items (planned_output);

        -- One row per result (done or failed). Rows outlive the queue: item_id is cleared if the item is purged.
        CREATE TABLE library (
          id            INTEGER PRIMARY KEY,
          item_id       INTEGER UNIQUE REFERENCES items(id) ON DELETE SET NULL,
          job_id        INTEGER,
          source_path   TEXT    NOT NULL,
          source_name   TEXT    NOT NULL,
          source_dir    TEXT    NOT NULL,
          source_hash   TEXT    NOT NULL,
          source_size   INTEGER,
          source_width  INTEGER,
          source_height INTEGER,
          output_path   TEXT,
          output_dir    TEXT,
          output_size   INTEGER,
          output_width  INTEGER,
          output_height INTEGER,
          model         TEXT    NOT NULL,
          settings      TEXT    NOT NULL,
          settings_key  TEXT    NOT NULL,
          status        TEXT    NOT NULL CHECK (status IN ('done', 'failed')),
          error         TEXT,
          ms            INTEGER,
          started_at    INTEGER,
          finished_at   INTEGER NOT NULL,
          device        TEXT,
          date_taken    TEXT,
          camera        TEXT,
          has_gps       INTEGER,
          thumb_before  TEXT,
          thumb_after   TEXT
        );
        -- Each filter's index ends with finished_at, so "matching ids, newest first" is answered from the index
        -- alone (library-store.ts fetches whole rows only for the page it returns).
        CREATE INDEX library_finished ON library (finished_at);
        CREATE INDEX library_status_finished ON library (status, finished_at);
        CREATE INDEX library_name ON library (source_name, finished_at);
        CREATE INDEX library_dir ON library (source_dir, finished_at);
        CREATE INDEX library_date_taken ON library (date_taken, finished_at);
        CREATE INDEX library_camera ON library (camera, finished_at);
        CREATE INDEX library_model ON library (model, finished_at);
        CREATE INDEX library_match ON library (source_hash, settings_key);
        CREATE INDEX library_output ON library (output_path);
        CREATE INDEX library_source ON library (source_path);

        -- Measured speed of a model on a device, the prior for the next batch's ETA.
        CREATE TABLE throughput (
          model      TEXT    NOT NULL,
          device     TEXT    NOT NULL,
          scale      INTEGER NOT NULL,
          px_per_ms  REAL    NOT NULL,
          samples    INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (model, device, scale)
        );

        -- The lock between processes (see lock.ts).
        CREATE TABLE locks (
          name         TEXT    PRIMARY KEY,
          pid          INTEGER NOT NULL,
          host         TEXT    NOT NULL,
          token        TEXT    NOT NULL,
          acquired_at  INTEGER NOT NULL,
          heartbeat_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    name: 'library: face boxes',
    up(db) {
      // The faces stage's boxes as JSON (pipelines/faces/face-box.ts); NULL where no faces stage ran.
      db.exec('ALTER TABLE library ADD COLUMN faces TEXT');
    },
  },
  {
    name: 'library: what the colour stage did',
    up(db) {
      // JSON ({pack, mode, applied, photo, strength}) or NULL when the result's chain had no colour stage.
      db.exec('ALTER TABLE library ADD COLUMN colorize TEXT');
    },
  },
  {
    // The mask a repaired result used (detected, or edited in the app), kept in the data folder so the overlay shows
    // it and "Repair again" starts from it; NULL for results without a repair stage.
    name: 'library repair mask',
    up(db) {
      db.exec('ALTER TABLE library ADD COLUMN repair_mask TEXT');
    },
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database up to {@link SCHEMA_VERSION}. Refuses a database written by a newer Revive (its schema may
 * mean things this build does not know) rather than guessing.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  const from = version();
  for (;;) {
    // Read the version inside an IMMEDIATE transaction (write lock held), so two processes opening an old database
    // at the same moment do not both run the same migration.
    const applied = db
      .transaction((): boolean => {
        const v = version();
        if (v > migrations.length) {
          throw new Error(
            `the database ${db.name} has schema version ${v}, newer than this build knows (${migrations.length}); ` +
              'update Revive or use another --data-dir',
          );
        }
        if (v === migrations.length) return false;
        const m = migrations[v]!;
        try {
          m.up(db);
        } catch (e) {
          throw new Error(`database migration ${v + 1} ("${m.name}") failed on ${db.name}: ${(e as Error).message}`, {
            cause: e,
          });
        }
        db.pragma(`user_version = ${v + 1}`);
        return true;
      })
      .immediate();
    if (!applied) break;
  }
  return { from, to: version() };
}
