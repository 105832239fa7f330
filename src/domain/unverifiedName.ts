import type { Outcome } from './types';

/**
 * Outcomes decided without finding the named service (it does not exist, the
 * alert was refused, or the payload alone settled it). Their service names come
 * from whoever sent the alert, so nothing keyed by name may grow with them.
 */
const UNVERIFIED_NAME_OUTCOMES: ReadonlySet<Outcome> = new Set(['not_found', 'invalid_alert', 'conflict']);

export function hasUnverifiedServiceName(outcome: Outcome): boolean {
  return UNVERIFIED_NAME_OUTCOMES.has(outcome);
}
