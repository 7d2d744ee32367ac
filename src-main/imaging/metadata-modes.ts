/**
 * The metadata settings, free of ExifTool so the protocol, the CLI and settings can name them without loading it.
 */

/** How much of the original's metadata an output keeps: everything, everything but the location, or nothing. */
export const METADATA_MODES = ['all', 'no-gps', 'none'] as const;
export type MetadataMode = (typeof METADATA_MODES)[number];
