import { stat } from 'node:fs/promises';

/** Whether `p` exists; errors other than "not found" (permissions, I/O) are thrown, not taken for "no". */
export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
