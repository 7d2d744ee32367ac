/**
 * "Download all" in serve mode: the bridge's `/zip` address for a set of results. Results are named by library row
 * or by batch (never by path), so the bridge can check that each is a file Revive wrote.
 */
import type { LibraryEntry, QueueItem } from '../../../src-preload/contract';

function zipUrl(kind: 'library' | 'job', ids: Iterable<number>): string | null {
  const unique = [...new Set(ids)];
  if (!unique.length) return null;
  return `/zip?${unique.map((id) => `${kind}=${id}`).join('&')}`;
}

/** A zip of the shown library entries that have a result; null when none has. */
export function libraryZipUrl(entries: readonly LibraryEntry[]): string | null {
  return zipUrl('library', entries.filter((e) => e.status === 'done' && e.output).map((e) => e.id));
}

/** A zip of every finished result in the queue, by batch (a short address however many photos it holds); null when none. */
export function queueZipUrl(items: readonly QueueItem[]): string | null {
  return zipUrl('job', items.filter((i) => i.state === 'done').map((i) => i.jobId));
}
