/**
 * The one place sharp is configured. Every module in imaging/ imports sharp from here so the settings apply before
 * the first operation.
 */
import sharp from 'sharp';

// libvips' operation cache keeps decoded images (memory we want back between photos) and matches file loads by
// name, so a file replaced at the same path could come back stale. One photo at a time gains nothing from it.
sharp.cache(false);

export { sharp };
export type { Sharp } from 'sharp';
