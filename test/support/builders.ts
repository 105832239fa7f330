import { randomBytes } from 'node:crypto';
import { makeDecision } from '../../src/domain/makeDecision';
import type { Decision, Outcome, ScaleIntent, ServiceState } from '../../src/domain/types';

export const NOW_MS = Date.parse('2026-11-28T12:00:00Z');
export const minutesAgo = (minutes: number) => new Date(NOW_MS - minutes * 60_000).toISOString();
export const secondsAgo = (seconds: number) => new Date(NOW_MS - seconds * 1000).toISOString();

export function anIntent(overrides: Partial<ScaleIntent> = {}): ScaleIntent {
  return {
    key: 'key-1',
    service: 'shop_worker',
    action: 'up',
    stepOverrides: [],
    usesServiceStep: true,
    receiver: 'scaler',
    groupKey: '{}:{scale_action="up", scale_service="shop_worker"}',
    fingerprints: ['6e1e5b29b0a4ccc4'],
    receivedAt: new Date(NOW_MS).toISOString(),
    ...overrides,
  };
}

export function aService(labels: Record<string, string> = {}, overrides: Partial<ServiceState> = {}): ServiceState {
  return {
    id: 'svc-id-1',
    name: 'shop_worker',
    version: 42,
    mode: 'replicated',
    replicas: 2,
    labels: { 'alertscale.enabled': 'true', 'alertscale.max': '5', ...labels },
    updatedAt: minutesAgo(60),
    ...overrides,
  };
}

/** State labels as alertscale writes them after an action `secondsBefore` NOW. */
export function stateLabels(action: string, secondsBefore: number, key = 'older-key', from = '1'): Record<string, string> {
  return {
    'alertscale.state.action': action,
    'alertscale.state.at': secondsAgo(secondsBefore),
    'alertscale.state.key': key,
    'alertscale.state.from': from,
  };
}

export interface RecentEntry {
  k: string;
  /** Seconds before NOW. */
  t: number;
  d: 'up' | 'down';
  g?: string;
  f?: string[];
}

/** State labels with the list of recent changes (newest first) as alertscale writes them. */
export function recentLabels(entries: RecentEntry[], action = 'up', from = '1'): Record<string, string> {
  const newest = entries[0];
  if (!newest) return {};
  return {
    ...stateLabels(action, newest.t, newest.k, from),
    'alertscale.state.recent': JSON.stringify(entries.map((entry) => ({ ...entry, t: secondsAgo(entry.t) }))),
  };
}

/** An intent with a random key and fingerprint of its own, received now. */
export function aUniqueIntent(service: string, overrides: Partial<ScaleIntent> = {}): ScaleIntent {
  return anIntent({
    // The shape computeIdempotencyKey gives: the consumer dead-letters any other as malformed.
    key: randomBytes(16).toString('hex'),
    service,
    receiver: 'alertscale',
    groupKey: `{}:{scale_service="${service}"}`,
    fingerprints: [randomBytes(8).toString('hex')],
    receivedAt: new Date().toISOString(),
    ...overrides,
  });
}

/** The decision a handler would record for `intent`, decided now. */
export function aDecision(intent: ScaleIntent, outcome: Outcome = 'no_change', extra: Partial<Decision> = {}): Decision {
  return { ...makeDecision({ service: intent.service, action: intent.action, key: intent.key, outcome, reason: `${outcome}: test`, nowMs: Date.now() }), ...extra };
}
