/**
 * Keeps onnxruntime offline and quiet on disk. Imported first by main.ts, before onnxruntime-node is loaded.
 *
 * onnxruntime's Linux/macOS builds carry a telemetry client (1DS) that stores events with a device id under
 * ~/.cache/Microsoft/DeveloperTools and writes an empty `mat-debug-<pid>.log` trace into the temp folder. The
 * JavaScript API (`ort.env`) has no switch for it; the native library reads the `ORT_DISABLE_TELEMETRY` environment
 * variable when it creates its environment (first session), so it is set here for this process.
 */
process.env['ORT_DISABLE_TELEMETRY'] = '1';
