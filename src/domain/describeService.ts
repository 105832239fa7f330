import { findCooldownStarts } from './findCooldownStarts';
import { formatInstant } from './formatInstant';
import { parsePolicy } from './parsePolicy';
import { readRecordedState } from './readRecordedState';
import { ROLLOUT_IN_PROGRESS_STATES } from './rolloutStates';
import { POLICY_LABEL } from './serviceLabels';
import type { ScaleAction, ScalePolicy, ServiceState } from './types';

export interface ServiceDescription {
  name: string;
  replicas: number;
  mode: ServiceState['mode'];
  enabled: boolean;
  policy?: ScalePolicy;
  /** Why the policy is refused, naming the label. */
  policyError?: string;
  paused: boolean;
  rolloutInProgress: boolean;
  state?: { action: ScaleAction; at: string; key: string; from: number };
  lastChange?: { at: string; description: string };
  nextUpAllowedAt?: string;
  nextDownAllowedAt?: string;
}

/** What an operator needs to see about one service to know what alertscale would do next. */
export function describeService(service: ServiceState, ceiling: number): ServiceDescription {
  const parsed = parsePolicy(service.labels, ceiling);
  const recorded = readRecordedState(service.labels, service.replicas, service.updatedAt);
  const starts = findCooldownStarts(service, recorded);
  const lastChange = starts.down;
  const policy = parsed.ok ? parsed.policy : undefined;
  return {
    name: service.name,
    replicas: service.replicas,
    mode: service.mode,
    enabled: service.labels[POLICY_LABEL.enabled] === 'true',
    ...(parsed.ok ? { policy: parsed.policy } : { policyError: parsed.reason }),
    paused: policy?.paused ?? false,
    rolloutInProgress: service.updateState !== undefined && ROLLOUT_IN_PROGRESS_STATES.includes(service.updateState),
    ...(recorded ? { state: { action: recorded.action, at: formatInstant(recorded.atMs), key: recorded.key, from: recorded.from } } : {}),
    ...(lastChange ? { lastChange: { at: formatInstant(lastChange.atMs), description: lastChange.description } } : {}),
    ...(policy && starts.up ? { nextUpAllowedAt: formatInstant(starts.up.atMs + policy.cooldownUpMs) } : {}),
    ...(policy && starts.down ? { nextDownAllowedAt: formatInstant(starts.down.atMs + policy.cooldownDownMs) } : {}),
  };
}
