/**
 * `UpdateStatus.State` values during which writing the spec is unsafe: an update
 * would resume a paused rollout or become the target of a rollback.
 */
export const ROLLOUT_IN_PROGRESS_STATES: readonly string[] = ['updating', 'paused', 'rollback_started', 'rollback_paused'];
