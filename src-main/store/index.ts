/** The one SQLite database (queue + library), its schema migrations and the lock between processes. */
export { openStore, type Store, type OpenOptions } from './database';
export { StoreError, type StoreErrorCode } from './store-error';
export { migrate, MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations';
export {
  acquireLock,
  lockHolder,
  processExists,
  ProcessLock,
  LockHeldError,
  QUEUE_LOCK,
  type LockHolder,
  type LockOptions,
} from './lock';
export { DATABASE_FILE, THUMBNAIL_DIR } from './paths';
export type { Db } from './types';
