import { resolveStep } from './parseStep';
import type { ScaleIntent, ScalePolicy } from './types';

/** The largest step among the alerts behind the intent; the service's own step counts when an alert set none. */
function chooseStep(intent: ScaleIntent, serviceStep: number): number {
  const candidates = intent.usesServiceStep ? [...intent.stepOverrides, serviceStep] : intent.stepOverrides;
  return candidates.length === 0 ? serviceStep : Math.max(...candidates);
}

/**
 * Replicas the intent asks for, within the policy's bounds. An `up` never lowers
 * (a service scaled above max by hand stays there), and any action raises a
 * service that is below min up to min.
 */
export function computeDesiredReplicas(intent: ScaleIntent, policy: ScalePolicy, current: number): number {
  let desired: number;
  switch (intent.action) {
    case 'up':
      desired = Math.max(current, Math.min(policy.max, current + chooseStep(intent, resolveStep(policy.stepUp, current))));
      break;
    case 'down':
      desired = current - chooseStep(intent, resolveStep(policy.stepDown, current));
      break;
    case 'to':
      desired = Math.min(policy.max, Math.ceil(intent.target ?? current));
      break;
  }
  return Math.max(policy.min, desired);
}
