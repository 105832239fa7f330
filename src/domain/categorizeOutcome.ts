import type { Outcome } from './types';

/** How an operator reads an outcome at a glance: it scaled, it was held back on purpose, it was refused, or it failed. */
export type OutcomeCategory = 'scaled' | 'held_back' | 'refused' | 'error';

const CATEGORY: Record<Outcome, OutcomeCategory> = {
  scaled: 'scaled',
  dry_run: 'scaled',
  duplicate: 'held_back',
  cooldown: 'held_back',
  at_bound: 'held_back',
  no_change: 'held_back',
  paused: 'held_back',
  deferred: 'held_back',
  blocked: 'held_back',
  conflict: 'held_back',
  not_found: 'refused',
  not_enabled: 'refused',
  not_replicated: 'refused',
  invalid_policy: 'refused',
  invalid_alert: 'refused',
  error: 'error',
};

export function categorizeOutcome(outcome: Outcome): OutcomeCategory {
  return CATEGORY[outcome];
}
