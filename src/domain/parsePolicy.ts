import { parseDuration } from './parseDuration';
import { parseStep } from './parseStep';
import { findClosestName } from './findClosestName';
import { LABEL_PREFIX, POLICY_LABEL, STATE_LABEL_PREFIX } from './serviceLabels';
import type { ScalePolicy, Step } from './types';

export type PolicyResult = { ok: true; policy: ScalePolicy } | { ok: false; reason: string };

const REPLICA_COUNT = /^\d{1,6}$/;
const DEFAULTS = { min: 1, step: '1', cooldownUp: '60s', cooldownDown: '300s' } as const;

class PolicyLabelError extends Error {}

function fail(label: string, value: string, expected: string): never {
  throw new PolicyLabelError(`invalid_policy: label ${label}="${value}" ${expected}`);
}

function readCount(labels: Record<string, string>, label: string, fallback?: number): number {
  const value = labels[label];
  if (value === undefined) {
    if (fallback === undefined) {
      throw new PolicyLabelError(`invalid_policy: label ${label} is required (the most replicas alertscale may set), e.g. ${label}=10`);
    }
    return fallback;
  }
  if (!REPLICA_COUNT.test(value)) fail(label, value, 'must be a whole number of replicas, e.g. 3');
  return Number(value);
}

function readStep(labels: Record<string, string>, label: string, fallback: Step): Step {
  const value = labels[label];
  if (value === undefined) return fallback;
  return parseStep(value) ?? fail(label, value, 'must be a positive count (2) or a percentage of current replicas (50%)');
}

function readDuration(labels: Record<string, string>, label: string, fallback: string): number {
  const value = labels[label] ?? fallback;
  const ms = parseDuration(value);
  return ms ?? fail(label, value, 'must be a Prometheus duration such as 30s, 5m or 1h30m');
}

function readPaused(labels: Record<string, string>): boolean {
  const value = labels[POLICY_LABEL.paused];
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return fail(POLICY_LABEL.paused, value, 'must be "true" or "false"');
}

const KNOWN_LABELS: readonly string[] = Object.values(POLICY_LABEL);

/** A misspelt label is a policy the operator believes in and we would silently ignore: refuse it. */
function refuseUnknownLabels(labels: Record<string, string>): void {
  for (const label of Object.keys(labels).sort()) {
    if (!label.startsWith(LABEL_PREFIX) || label.startsWith(STATE_LABEL_PREFIX) || KNOWN_LABELS.includes(label)) continue;
    const closest = findClosestName(label, KNOWN_LABELS);
    const hint = closest ? `did you mean ${closest}?` : `known labels: ${KNOWN_LABELS.join(', ')}`;
    throw new PolicyLabelError(`invalid_policy: unknown label ${label}="${String(labels[label]).slice(0, 40)}" (${hint}); remove or rename it`);
  }
}

/**
 * Reads the scaling policy from a service's labels. Never guesses: a malformed
 * label makes the whole policy invalid, with that label named in the reason.
 */
export function parsePolicy(labels: Record<string, string>, ceiling: number): PolicyResult {
  try {
    refuseUnknownLabels(labels);
    const max = readCount(labels, POLICY_LABEL.max);
    const min = readCount(labels, POLICY_LABEL.min, DEFAULTS.min);
    if (max < 1) fail(POLICY_LABEL.max, String(max), 'must be at least 1');
    if (min > max) {
      throw new PolicyLabelError(`invalid_policy: ${POLICY_LABEL.min}=${min} is above ${POLICY_LABEL.max}=${max}`);
    }
    if (min > ceiling) {
      throw new PolicyLabelError(`invalid_policy: ${POLICY_LABEL.min}=${min} is above the global ceiling MAX_REPLICAS_CEILING=${ceiling}`);
    }
    const step = readStep(labels, POLICY_LABEL.step, parseStep(DEFAULTS.step) as Step);
    return {
      ok: true,
      policy: {
        min,
        max: Math.min(max, ceiling),
        stepUp: readStep(labels, POLICY_LABEL.stepUp, step),
        stepDown: readStep(labels, POLICY_LABEL.stepDown, step),
        cooldownUpMs: readDuration(labels, POLICY_LABEL.cooldownUp, DEFAULTS.cooldownUp),
        cooldownDownMs: readDuration(labels, POLICY_LABEL.cooldownDown, DEFAULTS.cooldownDown),
        paused: readPaused(labels),
      },
    };
  } catch (error) {
    if (error instanceof PolicyLabelError) return { ok: false, reason: error.message };
    throw error;
  }
}
