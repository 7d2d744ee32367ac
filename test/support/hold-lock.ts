/**
 * Child process for the lock test: opens the store in the data folder given as argv[2], takes the queue lock,
 * prints "locked <pid>" and waits until killed (or prints "refused <message>" and exits 3).
 */
import { openStore } from '../../src-main/store/database';
import { acquireLock, QUEUE_LOCK } from '../../src-main/store/lock';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: hold-lock.ts <data-dir>\n');
  process.exit(2);
}
const store = openStore(dataDir);
try {
  acquireLock(store.db, QUEUE_LOCK, { heartbeatMs: 200 });
  process.stdout.write(`locked ${process.pid}\n`);
  setInterval(() => undefined, 1 << 30);
} catch (e) {
  process.stdout.write(`refused ${(e as Error).message}\n`);
  process.exit(3);
}
