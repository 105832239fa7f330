import { checkAlertContract } from './alertContract';
import { computeIdempotencyKey } from './computeIdempotencyKey';
import type { AlertNotification, NotifiedAlert } from './notification';
import { makeDecision } from './makeDecision';
import { INVALID_ACTION, type Decision, type DecisionAction, type ScaleAction, type ScaleIntent } from './types';

export interface NotificationCounts {
  firing: number;
  resolved: number;
  /** Firing alerts without `scale_service`: not for alertscale (the receiver may share a route). */
  unlabelled: number;
  invalid: number;
  /** Alerts Alertmanager left out of the group (`truncatedAlerts`). */
  truncated: number;
}

export interface NotificationPlan {
  intents: ScaleIntent[];
  /** Decisions made from the payload alone: `invalid_alert` and `conflict`. */
  settled: Decision[];
  counts: NotificationCounts;
}

/** Name shown for alerts that do not name a usable service, also as a metrics label. */
export const UNKNOWN_SERVICE = '(unknown)';

interface Bucket {
  service: string;
  action: ScaleAction;
  alerts: NotifiedAlert[];
  stepOverrides: number[];
  usesServiceStep: boolean;
  target?: number;
}

function settle(base: { service: string; action: DecisionAction; key: string }, outcome: 'invalid_alert' | 'conflict', reason: string, nowMs: number): Decision {
  return makeDecision({ ...base, outcome, reason, nowMs });
}

function toIntent(bucket: Bucket, notification: AlertNotification, nowMs: number): ScaleIntent {
  const { service, action, stepOverrides, usesServiceStep, target } = bucket;
  const key = computeIdempotencyKey({
    receiver: notification.receiver,
    groupKey: notification.groupKey,
    service,
    action,
    alerts: bucket.alerts,
    stepOverrides,
    usesServiceStep,
    ...(target === undefined ? {} : { target }),
  });
  return {
    key,
    service,
    action,
    stepOverrides,
    usesServiceStep,
    ...(target === undefined ? {} : { target }),
    receiver: notification.receiver,
    groupKey: notification.groupKey,
    fingerprints: bucket.alerts.map((alert) => alert.fingerprint),
    alertStartsAt: bucket.alerts.map((alert) => alert.startsAt),
    receivedAt: new Date(nowMs).toISOString(),
  };
}

/**
 * Turns one notification into at most one intent per (service, action). Resolved
 * alerts never scale; an invalid alert is settled with its reason without
 * spoiling valid alerts beside it; a `down` beside an `up` or `to` for the same
 * service yields to it (capacity first).
 */
export function planNotification(notification: AlertNotification, nowMs: number): NotificationPlan {
  const counts: NotificationCounts = { firing: 0, resolved: 0, unlabelled: 0, invalid: 0, truncated: notification.truncatedAlerts };
  const settled: Decision[] = [];
  const buckets = new Map<string, Bucket>();

  for (const alert of notification.alerts) {
    if (alert.status !== 'firing') {
      counts.resolved += 1;
      continue;
    }
    counts.firing += 1;
    const contract = checkAlertContract(alert.labels, alert.annotations);
    if (contract.kind === 'unlabelled') {
      counts.unlabelled += 1;
      continue;
    }
    if (contract.kind === 'invalid') {
      counts.invalid += 1;
      const base: { service: string; action: DecisionAction; key: string } = {
        service: contract.service ?? UNKNOWN_SERVICE,
        action: contract.action ?? INVALID_ACTION,
        key: alert.fingerprint,
      };
      settled.push(settle(base, 'invalid_alert', contract.reason, nowMs));
      continue;
    }
    const id = `${contract.service}\u0000${contract.action}`;
    const bucket = buckets.get(id) ?? { service: contract.service, action: contract.action, alerts: [], stepOverrides: [], usesServiceStep: false };
    bucket.alerts.push(alert);
    if (contract.step === undefined) bucket.usesServiceStep = true;
    else bucket.stepOverrides.push(contract.step);
    if (contract.target !== undefined) bucket.target = Math.max(bucket.target ?? 0, contract.target);
    buckets.set(id, bucket);
  }

  const intents = [...buckets.values()].map((bucket) => toIntent(bucket, notification, nowMs));
  const growing = new Set(intents.filter((intent) => intent.action !== 'down').map((intent) => intent.service));
  const kept = intents.filter((intent) => {
    if (intent.action !== 'down' || !growing.has(intent.service)) return true;
    settled.push(
      settle(
        { service: intent.service, action: intent.action, key: intent.key },
        'conflict',
        `conflict: an up or to alert for ${intent.service} arrived in the same notification; capacity goes first, this down is not applied`,
        nowMs,
      ),
    );
    return false;
  });
  return { intents: kept, settled, counts };
}
