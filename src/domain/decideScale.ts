import { computeDesiredReplicas, roundTarget } from './computeDesiredReplicas';
import { computeGroupId, identifyAlerts } from './computeGroupId';
import { describeNotEnabled } from './describeNotEnabled';
import { findCooldownStarts } from './findCooldownStarts';
import { findDuplicateAction } from './findDuplicateAction';
import { formatInstant } from './formatInstant';
import { makeDecision } from './makeDecision';
import { parsePolicy } from './parsePolicy';
import { buildStateLabels, readRecordedState } from './readRecordedState';
import { ROLLOUT_IN_PROGRESS_STATES } from './rolloutStates';
import { POLICY_LABEL } from './serviceLabels';
import type { Decision, DecisionSettings, Direction, Outcome, ScaleIntent, ScalePolicy, ServiceState } from './types';

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

function describeNothingToDo(intent: ScaleIntent, service: ServiceState, policy: ScalePolicy): { outcome: Outcome; reason: string } {
  const current = service.replicas;
  const maxLabel = `${POLICY_LABEL.max}=${policy.max}`;
  const atMax = current > policy.max ? `above ${maxLabel} (e.g. scaled by hand; an action asking for more never lowers it)` : `already at ${maxLabel}`;
  if (intent.action === 'to' && roundTarget(intent.target ?? 0) > current) {
    return { outcome: 'at_bound', reason: `at_bound: target ${intent.target} asks for more than the ${current} replicas ${service.name} has, which is ${atMax}` };
  }
  if (intent.action === 'to') {
    return { outcome: 'no_change', reason: `no_change: target ${intent.target} within [${policy.min}, ${policy.max}] is ${current}, which is the current replica count` };
  }
  const bound = intent.action === 'up' ? atMax : `already at ${POLICY_LABEL.min}=${policy.min}`;
  return { outcome: 'at_bound', reason: `at_bound: ${service.name} has ${current} replicas, ${bound}` };
}

/**
 * Decides what one intent does to one service. Pure: the same input always gives
 * the same decision, so every rule is tested as a row of a table.
 */
export function decideScale({ intent, service, settings, nowMs }: DecisionInput): ScaleDecision {
  const decide = (outcome: Outcome, reason: string, extra: Partial<ScaleDecision> = {}): ScaleDecision => ({
    ...makeDecision({ service: intent.service, action: intent.action, key: intent.key, outcome, reason, nowMs }),
    ...extra,
  });

  if (!service) {
    return decide('not_found', `not_found: no Swarm service named "${intent.service}"; check the alert's scale_service label against \`docker service ls\``);
  }
  if (service.labels[POLICY_LABEL.enabled] !== 'true') return decide('not_enabled', describeNotEnabled(service));
  if (service.mode !== 'replicated') {
    return decide('not_replicated', `not_replicated: service ${service.name} runs in ${service.mode} mode; only replicated services can be scaled`);
  }
  const parsed = parsePolicy(service.labels, settings.ceiling);
  if (!parsed.ok) return decide('invalid_policy', parsed.reason);
  const policy = parsed.policy;
  const current = service.replicas;
  if (intent.action === 'to' && (intent.target === undefined || !Number.isFinite(intent.target) || intent.target < 0)) {
    return decide('invalid_alert', `invalid_alert: a "to" for ${service.name} carries no usable target (scale_replicas); nothing is changed`, { from: current });
  }
  if (policy.paused) {
    return decide('paused', `paused: service ${service.name} has ${POLICY_LABEL.paused}=true; set it to false to resume`, { from: current });
  }
  if (service.updateState !== undefined && ROLLOUT_IN_PROGRESS_STATES.includes(service.updateState)) {
    return decide(
      'deferred',
      `deferred: a rollout of ${service.name} is ${service.updateState}; scaling now could resume or become its rollback target, the next repeat of the alert will retry`,
      { from: current },
    );
  }
  const recorded = readRecordedState(service.labels, current, service.updatedAt);
  const duplicate = findDuplicateAction(intent, recorded, settings, nowMs);
  if (duplicate) return decide('duplicate', duplicate, { from: current });

  const desired = computeDesiredReplicas(intent, policy, current);
  const direction: Direction | undefined = desired > current ? 'up' : desired < current ? 'down' : undefined;
  if (direction === undefined) {
    const nothing = describeNothingToDo(intent, service, policy);
    return decide(nothing.outcome, nothing.reason, { from: current, to: desired });
  }

  const lastChange = findCooldownStarts(service, recorded)[direction];
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

  const change = {
    action: intent.action,
    direction,
    atMs: nowMs,
    key: intent.key,
    from: current,
    group: computeGroupId(intent),
    fingerprints: identifyAlerts(intent),
  };
  return decide('scaled', `scaled ${direction} ${current}→${desired}`, { from: current, to: desired, direction, stateLabels: buildStateLabels(change, recorded) });
}
