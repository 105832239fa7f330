import { resolveStep } from './parseStep';
import type { ScaleIntent, ScalePolicy } from './types';

/** The largest step a `scale_step` may ask for; the alert contract refuses more. */
const MAX_STEP = 999_999;
/**
 * Prometheus computes `scale_replicas` in floating point: ceil(30/10) can arrive as
 * 3.0000000000000004. Values within this of a whole number are that number.
 */
export const TARGET_EPSILON = 1e-6;

function isUsableStep(step: number): boolean {
  return Number.isInteger(step) && step >= 1 && step <= MAX_STEP;
}

/** The largest step among the alerts behind the intent; the service's own step counts when an alert set none. */
function chooseStep(intent: ScaleIntent, serviceStep: number): number {
  // Overrides come from alerts or, in AMQP mode, from the queue: anything unusable falls back to the service's step.
  const overrides = intent.stepOverrides.filter(isUsableStep);
  const candidates = intent.usesServiceStep || overrides.length === 0 ? [...overrides, serviceStep] : overrides;
  return Math.max(...candidates);
}

/** Whole replicas for a `to` target, tolerating floating-point noise before rounding up. */
export function roundTarget(target: number): number {
  return Math.max(0, Math.ceil(target - TARGET_EPSILON));
}

/**
 * Replicas the intent asks for, within the policy's bounds. `max` bounds what
 * alertscale adds: an action that asks for more never lowers (a service scaled above
 * max by hand, or above a lowered MAX_REPLICAS_CEILING, stays there). `min` bounds
 * what it removes, and any action raises a service that is below min up to min.
 */
export function computeDesiredReplicas(intent: ScaleIntent, policy: ScalePolicy, current: number): number {
  let desired: number;
  switch (intent.action) {
    case 'up':
      desired = current + chooseStep(intent, resolveStep(policy.stepUp, current));
      break;
    case 'down':
      desired = current - chooseStep(intent, resolveStep(policy.stepDown, current));
      break;
    case 'to':
      desired = intent.target === undefined || !Number.isFinite(intent.target) ? current : roundTarget(intent.target);
      break;
  }
  return clampToPolicy(desired, current, policy);
}

/** Whatever asked for `desired`, alertscale adds no more than max allows and removes no more than min allows. */
export function clampToPolicy(desired: number, current: number, policy: ScalePolicy): number {
  if (current < policy.min) return Math.max(policy.min, Math.min(desired, Math.max(policy.max, policy.min)));
  if (desired > current) return Math.max(current, Math.min(desired, policy.max));
  if (desired < current) return Math.max(desired, policy.min);
  return current;
}
