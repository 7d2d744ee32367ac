/** Id of the embedded face detector pack (BlazeFace, built by `npm run setup:packs`) that the faces stage uses. */
export const FACE_DETECTOR_PACK_ID = 'blazeface-full';
