/**
 * Recognising errors from the inference runtime. Kept apart from session.ts so pipelines can classify errors without
 * loading onnxruntime's native binding.
 */

/** Messages GPU runtimes use for allocation failures: CUDA, cuDNN/cuBLAS, DirectML (HRESULT), onnxruntime's arena. */
const OUT_OF_MEMORY = [
  /out of memory/i,
  /E_OUTOFMEMORY/,
  /0x8007000E/i,
  /Failed to allocate memory/i,
  /cudaErrorMemoryAllocation/,
  /CUDNN_STATUS_ALLOC_FAILED/,
  /CUBLAS_STATUS_ALLOC_FAILED/,
];

/**
 * True when `err` (or an error in its `cause` chain) reports that the device ran out of memory — the case where a
 * smaller tile can succeed, as opposed to a broken model or input.
 */
export function isOutOfMemory(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
    if (OUT_OF_MEMORY.some((re) => re.test(message))) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}
