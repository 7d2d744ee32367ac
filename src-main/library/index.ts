/** The history library: one row per result, queries, thumbnails and the actions on an entry. */
export { LibraryStore, type LibraryEntry, type LibraryQuery, type LibraryStatus, type NewLibraryEntry } from './library-store';
export { ThumbnailCache, THUMBNAIL_SIZE, type ThumbnailPair } from './thumbnails';
export { readPhotoFacts, cameraName, normaliseExifDate, type PhotoFacts } from './photo-facts';
