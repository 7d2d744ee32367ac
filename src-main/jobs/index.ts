/** Batch jobs: the persistent queue, the item state machine, progress + ETA, control and crash recovery. */
export { JobRunner, type RunnerOptions, type RunOptions, type RunSummary } from './runner';
export { QueueStore, type JobRecord, type ItemRecord, type JobState, type ItemUpdate } from './queue-store';
export { ITEM_STATES, canTransition, assertTransition, isTerminal, InvalidTransitionError, type ItemState } from './state';
export { EtaEstimator, estimatePixels, type EtaSample, type EtaQuery } from './eta';
export type {
  JobProgress,
  JobProgressListener,
  TileProgress,
  ItemProgress,
  BatchProgress,
  BatchCounts,
  WarningProgress,
} from './progress';
export {
  JobSettingsSchema,
  parseJobSettings,
  settingsKey,
  type JobSettings,
  type JobSettingsInput,
} from '../settings/job-settings';
export { engineFromHost, type Engine, type EnhanceJob, type EnhanceResult, type EnhanceCallOptions, type EstimateListener } from './engine';
export { rerun, removeEntry, type RemoveOptions, type RemoveResult } from './library-actions';
export { enqueue, type EnqueueOptions, type EnqueueResult } from './enqueue';
export { checkSpace, InsufficientSpaceError, estimateOutputBytes, formatBytes, type SpaceCheck } from './disk-space';
export { recoverInterrupted, removeTempsFor, type RecoveryReport } from './recovery';
export { hashFile } from './hash';
