import type { Decision } from './types';

/** A `scaled` verdict turned into `dry_run`: decided in full, applied never. */
export function markDryRun<T extends Decision>(decision: T): Decision {
  const { service, action, key, decidedAt, from, to, direction } = decision;
  return { service, action, key, decidedAt, from, to, direction, outcome: 'dry_run', reason: `dry_run: would scale ${direction} ${from}→${to}; DRY_RUN=true applies nothing` };
}

/** A scale-down held back because capacity is still being asked for. */
export function markBlocked<T extends Decision>(decision: T, why: string): Decision {
  const { service, action, key, decidedAt, from, to, direction } = decision;
  return { service, action, key, decidedAt, from, to, direction, outcome: 'blocked', reason: `blocked: ${why}` };
}
