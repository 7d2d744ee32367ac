/** How a request's work reports back to the host, shared by the chain, its stages and the image ends (request-io). */
export interface EnhanceHooks {
  onProgress(stage: string, done: number, total: number): void;
  onWarning(message: string): void;
  /** Time left for the model stages, refined as they start (diffusion packs on the CPU). */
  onEstimate?(ms: number, basis: string): void;
  /** Memory the model may use for a tile, in bytes. Default: half of the currently free memory. */
  freeBytes?: () => number;
}
