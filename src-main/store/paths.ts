/**
 * Names inside the user-data folder. Where that folder is (and `--data-dir`/`REVIVE_DATA_DIR`) is decided by
 * store/data-dir.ts for the CLI and by the shell for the app; the store only needs to be told.
 */

/** The database file inside a data folder. */
export const DATABASE_FILE = 'revive.db';
/** The thumbnail cache inside a data folder. */
export const THUMBNAIL_DIR = 'thumbnails';
/** Repair masks inside a data folder: the mask each repaired result used, and the masks edited in the app. */
export const MASK_DIR = 'masks';
