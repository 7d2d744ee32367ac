/**
 * The one message catalogue: every error code the core, the engine and the bridge report, as a sentence a
 * photographer understands. The technical text (the core's message, with its code) stays available behind a
 * "Details" toggle in the app and after the sentence in the CLI; it is never the headline.
 *
 * Pure data and functions — no Node, no Electron, no DOM — so the renderer, the preload and the CLI all import it.
 * Kept in one place so a code has one wording everywhere, and a language file can later replace {@link MESSAGES}.
 */

/** A code's plain sentence, and what the person can do about it (optional). */
export interface Message {
  text: string;
  hint?: string;
}

/** Every known code → its sentence. A code missing here falls back to {@link FALLBACK}. */
export const MESSAGES: Readonly<Record<string, Message>> = {
  // Photos that cannot be read
  NOT_FOUND: { text: 'The file is no longer there.', hint: 'It may have been moved, renamed or deleted.' },
  NOT_AN_IMAGE: { text: 'This file is not a photo.', hint: 'Choose JPEG, PNG, WebP, TIFF, HEIC or AVIF files.' },
  UNSUPPORTED_FORMAT: { text: 'Revive cannot open photos of this type.', hint: 'Save it as JPEG, PNG or TIFF first.' },
  CORRUPT: { text: 'This photo is damaged and cannot be opened.', hint: 'Try another copy of it.' },
  UNREADABLE: { text: 'This photo cannot be read.', hint: 'Check that you may open it.' },
  TOO_LARGE: { text: 'This photo is larger than Revive is set to open.', hint: 'Raise the pixel limit in Settings if your computer has the memory.' },
  // Results that cannot be written
  OUTPUT_TOO_LARGE: { text: 'The result would be too large for the chosen file type.', hint: 'Choose a smaller scale or another format.' },
  WRITE_FAILED: { text: 'The result could not be saved.', hint: 'Check that the disk has room and the folder can be written to.' },
  OUTPUT_NOT_WRITABLE: { text: 'Revive cannot save into that folder.', hint: 'Choose a folder that exists and that you may write to.' },
  OUTPUT_NOT_ALLOWED: { text: 'Results cannot be saved in that folder.', hint: 'Choose another folder.' },
  OUTPUT_IS_INPUT: { text: 'The result would replace the original, so it was not saved.', hint: 'Change the name pattern or the folder.' },
  INSUFFICIENT_SPACE: { text: 'There is not enough free disk space for the result.', hint: 'Free some space or save elsewhere.' },
  // Models
  MODEL_NOT_FOUND: { text: 'The chosen model is not installed.', hint: 'Pick another model or install it on the Models screen.' },
  MODEL_ERROR: { text: 'The model could not process this photo.' },
  BAD_PACK: { text: 'This model pack is incomplete or damaged.', hint: 'Install it again.' },
  PACK_REFUSED: { text: 'This model pack cannot be installed.' },
  DOWNLOAD_FAILED: { text: 'The model could not be downloaded.', hint: 'Check the address and your connection.' },
  INSTALL_FAILED: { text: 'The model could not be installed.' },
  // The engine and the queue
  ENGINE_CRASHED: { text: 'The restoring process stopped unexpectedly.', hint: 'Revive restarts it; try the photo again.' },
  OUT_OF_MEMORY: { text: 'The computer ran out of memory for this photo.', hint: 'Try a smaller scale or close other programs.' },
  RUN_FAILED: { text: 'Restoring stopped because of an error.' },
  // A failure recorded before codes were kept with it (queue and library rows): the details say which.
  FAILED: { text: 'This photo could not be restored.', hint: 'The details say why.' },
  CANCELLED: { text: 'Cancelled.' },
  ABORTED: { text: 'Cancelled.' },
  NOTHING_TO_DO: { text: 'There are no photos to restore.', hint: 'The photos may already be restored, or none could be read.' },
  QUEUE_LOCKED: { text: 'Another Revive window or command is already working on this queue.', hint: 'Close it or wait for it to finish.' },
  INVALID_TRANSITION: { text: 'That photo cannot do this in its current state.' },
  INVALID_REGION: { text: 'The chosen area is outside the photo.' },
  MASK_UNUSABLE: { text: "This result's repair mask cannot be edited.", hint: 'Restore the photo again with the Old photo preset, then edit the new mask.' },
  // Settings and storage
  INVALID_SETTINGS: { text: 'That setting cannot be saved.' },
  STORE_FULL: { text: 'The disk is full: Revive cannot update its history.', hint: 'Free some space.' },
  STORE_CORRUPT: { text: "Revive's history file is damaged." },
  STORE_UNAVAILABLE: { text: "Revive's history cannot be opened." },
  LOCK_HELD: { text: 'Another Revive is using this data folder.' },
  // The app's own plumbing (a bug or an old page, not the person's doing)
  UPLOAD_FAILED: { text: 'The photo could not be sent to Revive.', hint: 'Try adding it again.' },
  NOT_ALLOWED: { text: 'Revive is not allowed to use that file or folder.' },
  UNSUPPORTED: { text: 'This is not available here.' },
  INVALID_PAYLOAD: { text: 'Revive could not understand that request.', hint: 'Reload the page; if it happens again, please report it.' },
  UNKNOWN_CHANNEL: { text: 'Revive could not understand that request.', hint: 'Reload the page.' },
  INVALID_RESPONSE: { text: 'Something went wrong inside Revive.', hint: 'Please report it with the details.' },
  FORBIDDEN_SENDER: { text: 'That request was refused.' },
  BAD_REQUEST: { text: 'Something went wrong inside Revive.', hint: 'Please report it with the details.' },
  BAD_ARGUMENT: { text: 'Something went wrong inside Revive.', hint: 'Please report it with the details.' },
  INVALID_MESSAGE: { text: 'Something went wrong inside Revive.', hint: 'Please report it with the details.' },
  INTERNAL: { text: 'Something went wrong inside Revive.', hint: 'Please report it with the details.' },
};

/** The sentence for a code nobody has written one for yet. */
export const FALLBACK: Message = { text: 'Something went wrong.', hint: 'The details say what.' };

/** A failure explained: the sentence (with its hint) for the headline, the technical text for "Details". */
export interface Explained {
  /** The photographer's sentence, e.g. "This photo is damaged and cannot be opened." */
  text: string;
  hint: string | null;
  /** The core's own message, internal paths removed; for the "Details" toggle and bug reports. */
  detail: string;
  code: string;
}

/**
 * Paths of the bridge's upload folders (`…/uploads/<connection>/photo.jpg`) say nothing to a person and reveal the
 * host's layout: only the file name is kept.
 */
export function withoutUploadPaths(text: string): string {
  return text.replace(/(?:[A-Za-z]:)?[\\/][^\s"'“”]*?[\\/]uploads[\\/][^\s\\/"'“”]+[\\/]/g, '');
}

/** Explains a failure reported with `code` and the core's `message`. */
export function explain(code: string | undefined, message: string): Explained {
  const c = code ?? 'INTERNAL';
  const m = MESSAGES[c] ?? FALLBACK;
  return { text: m.text, hint: m.hint ?? null, detail: withoutUploadPaths(message), code: c };
}

/** The one-line form (CLI, a list row): "This photo is damaged and cannot be opened. (CORRUPT: …detail)". */
export function explainLine(code: string | undefined, message: string): string {
  const e = explain(code, message);
  return `${e.text} (${e.code}: ${e.detail})`;
}

/**
 * The Settings screen's words for how Revive uses the computer (threads, tile size), kept here with the other
 * sentences so a language file replaces them together.
 */
export const SETTINGS_WORDS = {
  threads: 'Processor threads',
  threadsAuto: 'Automatic (from the processor’s cores)',
  threadsHint: 'Fewer threads leave the computer more responsive while photos restore; more finish sooner.',
  tile: 'Piece size',
  tileAuto: 'Automatic (from the model and the memory)',
  tileHint: 'Large photos are restored in square pieces of this many pixels. Smaller pieces use less memory; the result is the same.',
  fileManager: 'File manager',
  shellMenu: 'Right-click → Enhance with Revive',
  shellMenuHint: 'Adds “Enhance with Revive” to the right-click menu of photos in',
} as const;
