/** The database handle type jobs/ and library/ receive from store/ (they never open the file themselves). */
import type Database from 'better-sqlite3';

export type Db = Database.Database;
