import { computeDesiredReplicas } from './computeDesiredReplicas';
import { findLastChange } from './findLastChange';
import { formatInstant } from './formatInstant';
import { parsePolicy } from './parsePolicy';
import { buildStateLabels, readRecordedState } from './readRecordedState';
import { ROLLOUT_IN_PROGRESS_STATES } from './rolloutStates';
import { POLICY_LABEL } from './serviceLabels';
import type { Decision, DecisionSettings, Direction, Outcome, ScaleIntent, ServiceState } from './types';

export interface DecisionInput {
  intent: ScaleIntent;
  /** Undefined when no service of that name exists. */
  service: ServiceState | undefined;
  settings: DecisionSettings;
  nowMs: number;
}

export interface ScaleDecision extends Decision {
  /** Present when the outcome is `scaled`: labels to write in the same update as the replicas. */
  stateLabels?: Record<string, string>;
}

/**
 * Decides what one intent does to one service. Pure: the same input always gives
 * the same decision, so every rule is tested as a row of a table.
 */
export function decideScale({ intent, service, settings, nowMs }: DecisionInput): ScaleDecision {
  const decide = (outcome: Outcome, reason: string, extra: Partial<ScaleDecision> = {}): ScaleDecision => ({
    service: intent.service,
    action: intent.action,
    outcome,
    reason,
    key: intent.key,
    decidedAt: new Date(nowMs).toISOString(),
    ...extra,
  });

  if (!service) {
    return decide('not_found', `not_found: no Swarm service named "${intent.service}"; check the alert's scale_service label against \`docker service ls\``);
  }
  if (service.labels[POLICY_LABEL.enabled] !== 'true') {
    return decide('not_enabled', `not_enabled: service ${service.name} has no label ${POLICY_LABEL.enabled}=true; alertscale only touches services that opt in`);
  }
  if (service.mode !== 'replicated') {
    return decide('not_replicated', `not_replicated: service ${service.name} runs in ${service.mode} mode; only replicated services can be scaled`);
  }
  const parsed = parsePolicy(service.labels, settings.ceiling);
  if (!parsed.ok) return decide('invalid_policy', parsed.reason);
  const policy = parsed.policy;
  const current = service.replicas;
  if (policy.paused) {
    return decide('paused', `paused: service ${service.name} has ${POLICY_LABEL.paused}=true; set it to false to resume`, { from: current });
  }
  if (service.updateState !== undefined && ROLLOUT_IN_PROGRESS_STATES.includes(service.updateState)) {
    return decide('deferred', `deferred: a rollout of ${service.name} is ${service.updateState}; scaling now could resume or become its rollback target, the next repeat of the alert will retry`, { from: current });
  }
  const recorded = readRecordedState(service.labels);
  if (recorded && recorded.key === intent.key && nowMs - recorded.atMs < settings.dedupWindowMs) {
    return decide('duplicate', `duplicate: this notification was already acted on at ${formatInstant(recorded.atMs)} (same idempotency key within DEDUP_WINDOW)`, { from: current });
  }

  const desired = computeDesiredReplicas(intent, policy, current);
  const direction: Direction | undefined = desired > current ? 'up' : desired < current ? 'down' : undefined;
  if (direction === undefined) {
    if (intent.action === 'to') {
      return decide('no_change', `no_change: target ${intent.target} within [${policy.min}, ${policy.max}] is ${desired}, which is the current replica count`, { from: current, to: desired });
    }
    const bound = intent.action === 'up' ? `${POLICY_LABEL.max}=${policy.max}` : `${POLICY_LABEL.min}=${policy.min}`;
    return decide('at_bound', `at_bound: ${service.name} has ${current} replicas, already at ${bound}`, { from: current, to: desired });
  }

  const lastChange = findLastChange(service);
  if (lastChange) {
    const cooldownMs = direction === 'up' ? policy.cooldownUpMs : policy.cooldownDownMs;
    const allowedAtMs = lastChange.atMs + cooldownMs;
    if (nowMs < allowedAtMs) {
      return decide(
        'cooldown',
        `cooldown: next ${direction} allowed at ${formatInstant(allowedAtMs)} (last change at ${formatInstant(lastChange.atMs)}: ${lastChange.description})`,
        { from: current, to: desired, direction },
      );
    }
  }

  return decide('scaled', `scaled ${direction} ${current}→${desired}`, {
    from: current,
    to: desired,
    direction,
    stateLabels: buildStateLabels(intent.action, nowMs, intent.key, current),
  });
}
