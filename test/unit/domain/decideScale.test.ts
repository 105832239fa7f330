import { decideScale } from '../../../src/domain/decideScale';
import type { Outcome, ScaleIntent, ServiceState } from '../../../src/domain/types';
import { NOW_MS, aService, anIntent, minutesAgo, secondsAgo, stateLabels } from '../../support/domainBuilders';

const settings = { ceiling: 100, dedupWindowMs: 30_000 };

interface Row {
  when: string;
  intent?: Partial<ScaleIntent>;
  service: ServiceState | undefined;
  outcome: Outcome;
  to?: number;
  reason?: RegExp;
}

const rows: Row[] = [
  // The alert names a service that does not exist.
  { when: 'the service does not exist', service: undefined, outcome: 'not_found', reason: /no Swarm service named "shop_worker"/ },
  // A service that never opted in is never touched, even with other alertscale labels.
  { when: 'alertscale.enabled is missing', service: aService({ 'alertscale.enabled': 'yes' }), outcome: 'not_enabled', reason: /alertscale.enabled=true/ },
  // Global services have no replica count to change.
  { when: 'the service is global', service: aService({}, { mode: 'global' }), outcome: 'not_replicated', reason: /global mode/ },
  // max is required: no guessing an upper bound.
  { when: 'alertscale.max is missing', service: aService({ 'alertscale.max': undefined as unknown as string }), outcome: 'invalid_policy', reason: /alertscale.max is required/ },
  // A malformed label is named in the reason.
  { when: 'a step label is malformed', service: aService({ 'alertscale.step.up': 'lots' }), outcome: 'invalid_policy', reason: /alertscale.step.up="lots"/ },
  // min above max is refused rather than silently swapped.
  { when: 'min is above max', service: aService({ 'alertscale.min': '6' }), outcome: 'invalid_policy', reason: /alertscale.min=6 is above alertscale.max=5/ },
  // Paused services record the decision and change nothing.
  { when: 'the service is paused', service: aService({ 'alertscale.paused': 'true' }), outcome: 'paused', reason: /alertscale.paused=true/ },
  // Writing during a rollout would resume it or become its rollback target.
  { when: 'a rollout is updating', service: aService({}, { updateState: 'updating' }), outcome: 'deferred', reason: /rollout of shop_worker is updating/ },
  { when: 'a rollout is paused', service: aService({}, { updateState: 'paused' }), outcome: 'deferred' },
  { when: 'a rollback is in progress', service: aService({}, { updateState: 'rollback_started' }), outcome: 'deferred' },
  // A finished rollout does not hold scaling back.
  { when: 'the last rollout completed', service: aService({ 'alertscale.cooldown.up': '0s' }, { updateState: 'completed' }), outcome: 'scaled', to: 3 },
  // Same key on the service within DEDUP_WINDOW: another instance or an earlier retry already acted.
  { when: 'the same key was applied 10s ago', service: aService(stateLabels('up', 10, 'key-1')), outcome: 'duplicate', reason: /already acted on/ },
  // The same key after the window is a repeat_interval re-send: it may scale again (cooldown permitting).
  { when: 'the same key was applied 90s ago', service: aService(stateLabels('up', 90, 'key-1'), { updatedAt: secondsAgo(90) }), outcome: 'scaled', to: 3 },
  // Default cooldown.up is 60s after any action.
  { when: 'an up follows an action 30s ago', service: aService(stateLabels('up', 30), { updatedAt: secondsAgo(30) }), outcome: 'cooldown', reason: /next up allowed at 2026-11-28T12:00:30Z/ },
  // Default cooldown.down is 300s after any action, including an up.
  { when: 'a down follows an up 120s ago', intent: { action: 'down' }, service: aService({ ...stateLabels('up', 120), 'alertscale.min': '1' }, { updatedAt: secondsAgo(120) }), outcome: 'cooldown', reason: /next down allowed at 2026-11-28T12:03:00Z/ },
  { when: 'a down follows an up 301s ago', intent: { action: 'down' }, service: aService(stateLabels('up', 301), { updatedAt: secondsAgo(301) }), outcome: 'scaled', to: 1 },
  // A stack deploy after our last action resets the clock: it counts as the last change.
  { when: 'the spec changed outside alertscale 20s ago', service: aService(stateLabels('up', 600), { updatedAt: secondsAgo(20) }), outcome: 'cooldown', reason: /outside alertscale/ },
  // Our own write is stamped by Docker a moment after state.at: not an outside change.
  { when: 'UpdatedAt is 1s after our own state.at', service: aService(stateLabels('up', 61), { updatedAt: secondsAgo(60) }), outcome: 'scaled', to: 3 },
  // Step up by the service's step (default 1).
  { when: 'an up with the default step', service: aService(), outcome: 'scaled', to: 3 },
  // A percentage step rounds up: 50% of 3 is 1.5 → 2.
  { when: 'an up with a 50% step from 3', service: aService({ 'alertscale.step.up': '50%', 'alertscale.max': '10' }, { replicas: 3 }), outcome: 'scaled', to: 5 },
  // A percentage step moves at least one replica: 10% of 2 is 0.2 → 1.
  { when: 'an up with a 10% step from 2', service: aService({ 'alertscale.step': '10%' }), outcome: 'scaled', to: 3 },
  // scale_step on the alert overrides the service's step when it is larger.
  { when: 'an alert sets scale_step=2 and another has none', intent: { stepOverrides: [2], usesServiceStep: true }, service: aService(), outcome: 'scaled', to: 4 },
  // Only alerts with scale_step: their largest step wins, even over a larger service step.
  { when: 'every alert sets scale_step=1', intent: { stepOverrides: [1], usesServiceStep: false }, service: aService({ 'alertscale.step': '3' }), outcome: 'scaled', to: 3 },
  // Up is clamped to max.
  { when: 'an up of 3 from 4 with max 5', intent: { stepOverrides: [3], usesServiceStep: false }, service: aService({}, { replicas: 4 }), outcome: 'scaled', to: 5 },
  // Already at max: nothing to write.
  { when: 'an up at max', service: aService({}, { replicas: 5 }), outcome: 'at_bound', reason: /already at alertscale.max=5/ },
  // Scaled above max by hand: an up never lowers.
  { when: 'an up above max', service: aService({}, { replicas: 7 }), outcome: 'at_bound' },
  // The global ceiling caps every max.
  { when: 'max is above MAX_REPLICAS_CEILING', service: aService({ 'alertscale.max': '1000' }, { replicas: 100 }), outcome: 'at_bound', reason: /alertscale.max=100/ },
  // Down by step, clamped to min.
  { when: 'a down from 2', intent: { action: 'down' }, service: aService(), outcome: 'scaled', to: 1 },
  { when: 'a down at min', intent: { action: 'down' }, service: aService({}, { replicas: 1 }), outcome: 'at_bound', reason: /alertscale.min=1/ },
  // Scale to zero is allowed when min is 0.
  { when: 'a down to min 0', intent: { action: 'down' }, service: aService({ 'alertscale.min': '0' }, { replicas: 1 }), outcome: 'scaled', to: 0 },
  // Below min (e.g. after a manual scale): any action raises to min, and counts as an up for cooldowns.
  { when: 'a down below min', intent: { action: 'down' }, service: aService({ 'alertscale.min': '3' }, { replicas: 1 }), outcome: 'scaled', to: 3 },
  // to: rounded up then clamped.
  { when: 'to 3.2', intent: { action: 'to', target: 3.2 }, service: aService(), outcome: 'scaled', to: 4 },
  { when: 'to 50 with max 5', intent: { action: 'to', target: 50 }, service: aService(), outcome: 'scaled', to: 5 },
  { when: 'to 0 with min 1', intent: { action: 'to', target: 0 }, service: aService({}, { replicas: 3 }), outcome: 'scaled', to: 1 },
  { when: 'to the current count', intent: { action: 'to', target: 2 }, service: aService(), outcome: 'no_change', reason: /no_change/ },
  // A to below current is a down for cooldowns: 120s after an action is too soon (cooldown.down 300s).
  { when: 'to below current 120s after an action', intent: { action: 'to', target: 1 }, service: aService(stateLabels('up', 120), { updatedAt: secondsAgo(120) }), outcome: 'cooldown', reason: /next down/ },
  // A to above current is an up for cooldowns: 120s after an action is fine (cooldown.up 60s).
  { when: 'to above current 120s after an action', intent: { action: 'to', target: 4 }, service: aService(stateLabels('down', 120), { updatedAt: secondsAgo(120) }), outcome: 'scaled', to: 4 },
  // A fresh service counts its creation as the last change.
  { when: 'the service was created 10s ago', service: aService({}, { updatedAt: secondsAgo(10) }), outcome: 'cooldown' },
  // Hand-edited state labels are ignored rather than trusted.
  { when: 'state labels are malformed', service: aService({ ...stateLabels('up', 10, 'key-1'), 'alertscale.state.at': 'yesterday' }, { updatedAt: minutesAgo(10) }), outcome: 'scaled', to: 3 },
];

describe('decideScale', () => {
  test.each(rows)('when $when, then $outcome', ({ intent, service, outcome, to, reason }) => {
    const decision = decideScale({ intent: anIntent(intent), service, settings, nowMs: NOW_MS });
    expect(decision.outcome).toBe(outcome);
    if (to !== undefined) expect(decision.to).toBe(to);
    if (reason) expect(decision.reason).toMatch(reason);
    if (outcome !== 'scaled') expect(decision.reason).toMatch(new RegExp(`^${outcome}: `));
    expect(decision.stateLabels !== undefined).toBe(outcome === 'scaled');
  });

  test('when it scales, then the state labels record action, time, key and previous replicas', () => {
    const decision = decideScale({ intent: anIntent({ key: 'abc' }), service: aService(), settings, nowMs: NOW_MS });
    expect(decision.stateLabels).toEqual({
      'alertscale.state.action': 'up',
      'alertscale.state.at': '2026-11-28T12:00:00.000Z',
      'alertscale.state.key': 'abc',
      'alertscale.state.from': '2',
    });
  });
});
