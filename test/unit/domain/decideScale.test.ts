import { decideScale } from '../../../src/domain/decideScale';
import type { Outcome, ScaleIntent, ServiceState } from '../../../src/domain/types';
import { computeGroupId, identifyAlerts } from '../../../src/domain/computeGroupId';
import { NOW_MS, aService, anIntent, minutesAgo, recentLabels, secondsAgo, stateLabels } from '../../support/builders';

/** The group of anIntent(): its flushes share it. */
const GROUP = computeGroupId(anIntent());
/** The alerts A and B acted on together, as the service remembers them. */
const A_AND_B = identifyAlerts({ fingerprints: ['aaaaaaaa00000000', 'bbbbbbbb00000000'] });

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
  {
    when: 'alertscale.enabled is missing',
    service: aService({ 'alertscale.enabled': undefined as unknown as string }),
    outcome: 'not_enabled',
    reason: /has no label alertscale.enabled=true/,
  },
  // A value other than exactly "true" is named.
  {
    when: 'alertscale.enabled is "yes"',
    service: aService({ 'alertscale.enabled': 'yes' }),
    outcome: 'not_enabled',
    reason: /alertscale.enabled="yes", which is not exactly "true"/,
  },
  { when: 'alertscale.enabled is "True"', service: aService({ 'alertscale.enabled': 'True' }), outcome: 'not_enabled', reason: /"True"/ },
  // Labels on the containers instead of the service: point at deploy.labels.
  {
    when: 'alertscale labels are container labels',
    service: aService({ 'alertscale.enabled': undefined as unknown as string }, { containerLabels: { 'alertscale.enabled': 'true' } }),
    outcome: 'not_enabled',
    reason: /container label.*deploy.labels/,
  },
  // A misspelt opt-in label is named.
  {
    when: 'the opt-in label is misspelt',
    service: aService({ 'alertscale.enabled': undefined as unknown as string, 'alertscale.enabeld': 'true' }),
    outcome: 'not_enabled',
    reason: /found alertscale.enabeld: did you mean alertscale.enabled/,
  },
  // Global services have no replica count to change.
  { when: 'the service is global', service: aService({}, { mode: 'global' }), outcome: 'not_replicated', reason: /global mode/ },
  // max is required: no guessing an upper bound.
  { when: 'alertscale.max is missing', service: aService({ 'alertscale.max': undefined as unknown as string }), outcome: 'invalid_policy', reason: /alertscale.max is required/ },
  // A misspelt label would be silently ignored: it refuses the policy, naming it and the closest known label.
  {
    when: 'alertscale.pausd is set',
    service: aService({ 'alertscale.pausd': 'true' }),
    outcome: 'invalid_policy',
    reason: /unknown label alertscale.pausd="true" \(did you mean alertscale.paused\?\)/,
  },
  {
    when: 'alertscale.cooldown is set',
    service: aService({ 'alertscale.cooldown': '5m' }),
    outcome: 'invalid_policy',
    reason: /unknown label alertscale.cooldown="5m" \(did you mean alertscale.cooldown/,
  },
  {
    when: 'alertscale.maxx is set instead of max',
    service: aService({ 'alertscale.max': undefined as unknown as string, 'alertscale.maxx': '5' }),
    outcome: 'invalid_policy',
    reason: /unknown label alertscale.maxx="5" \(did you mean alertscale.max\?\)/,
  },
  // alertscale's own state labels are not policy.
  { when: 'an unknown state label is present', service: aService({ 'alertscale.state.extra': 'x' }), outcome: 'scaled', to: 3 },
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
  { when: 'the same key was applied 10s ago', service: aService(stateLabels('up', 10, 'key-1'), { updatedAt: secondsAgo(10) }), outcome: 'duplicate', reason: /already acted on/ },
  // The same key after the window is a repeat_interval re-send: it may scale again (cooldown permitting).
  { when: 'the same key was applied 90s ago', service: aService(stateLabels('up', 90, 'key-1'), { updatedAt: secondsAgo(90) }), outcome: 'scaled', to: 3 },
  // A broker redelivers an intent received 100s ago that was applied 95s ago: past the window, but the change it asked for is there.
  {
    when: 'the same key was written after the intent was received',
    intent: { receivedAt: secondsAgo(100) },
    service: aService(stateLabels('up', 95, 'key-1'), { updatedAt: secondsAgo(95) }),
    outcome: 'duplicate',
    reason: /redelivered after the change was made/,
  },
  // An up retried after a to for the same service was applied in between: its key is still among the recent ones.
  {
    when: 'the key is the older of two recent changes',
    service: aService(
      recentLabels(
        [
          { k: 'key-to', t: 5, d: 'up' },
          { k: 'key-1', t: 20, d: 'up' },
        ],
        'to',
      ),
      { updatedAt: secondsAgo(5) },
    ),
    outcome: 'duplicate',
    reason: /already acted on at 2026-11-28T11:59:40Z/,
  },
  // Two alerts of a group scaled it; one resolved and the group was flushed again with a new key: nothing new.
  {
    when: 'the firing alerts are a subset of those acted on for the group',
    intent: { key: 'key-2', fingerprints: ['aaaaaaaa00000000'] },
    service: aService(recentLabels([{ k: 'key-1', t: 20, d: 'up', g: GROUP, f: A_AND_B }]), { updatedAt: secondsAgo(20) }),
    outcome: 'duplicate',
    reason: /firing alert\(s\) of this group were all already acted on/,
  },
  // The same alert restarted (new startsAt) is a new signal, not part of the earlier set.
  {
    when: 'an alert of the set restarted',
    intent: { key: 'key-2', fingerprints: ['aaaaaaaa00000000'], alertStartsAt: ['2026-11-28T11:59:59Z'] },
    service: aService({ ...recentLabels([{ k: 'key-1', t: 20, d: 'up', g: GROUP, f: A_AND_B }]), 'alertscale.cooldown.up': '0s' }, { updatedAt: secondsAgo(20) }),
    outcome: 'scaled',
    to: 3,
  },
  // A new alert joined the group: it is a new signal, a new step (cooldown permitting).
  {
    when: 'a firing alert was not among those acted on',
    intent: { key: 'key-2', fingerprints: ['aaaaaaaa00000000', 'cccccccc00000000'] },
    service: aService(recentLabels([{ k: 'key-1', t: 90, d: 'up', g: GROUP, f: A_AND_B }]), { updatedAt: secondsAgo(90) }),
    outcome: 'scaled',
    to: 3,
  },
  // The subset rule holds only within DEDUP_WINDOW: after it, a still-firing group is a repeat asking for more.
  {
    when: 'a subset arrives after the window',
    intent: { key: 'key-2', fingerprints: ['aaaaaaaa00000000'] },
    service: aService(recentLabels([{ k: 'key-1', t: 90, d: 'up', g: GROUP, f: A_AND_B }]), { updatedAt: secondsAgo(90) }),
    outcome: 'scaled',
    to: 3,
  },
  // A to is absolute, so a subset with a new target is applied as asked.
  {
    when: 'a to from a subset of the group',
    intent: { action: 'to', target: 4, key: 'key-2', fingerprints: ['aaaaaaaa00000000'] },
    service: aService(recentLabels([{ k: 'key-1', t: 90, d: 'up', g: GROUP, f: A_AND_B }], 'to'), { updatedAt: secondsAgo(90) }),
    outcome: 'scaled',
    to: 4,
  },
  // Default cooldown.up is 60s after alertscale's last up.
  {
    when: 'an up follows an up 30s ago',
    service: aService(stateLabels('up', 30), { updatedAt: secondsAgo(30) }),
    outcome: 'cooldown',
    reason: /next up allowed at 2026-11-28T12:00:30Z/,
  },
  // Capacity first: a scale-down never makes a following scale-up wait.
  { when: 'an up follows a down 10s ago', service: aService(stateLabels('down', 10, 'older-key', '3'), { updatedAt: secondsAgo(10) }), outcome: 'scaled', to: 3 },
  // The up cooldown counts from the last up even when a down came after it.
  {
    when: 'an up follows a down 10s ago and an up 30s ago',
    service: aService(
      recentLabels(
        [
          { k: 'k-down', t: 10, d: 'down' },
          { k: 'k-up', t: 30, d: 'up' },
        ],
        'down',
      ),
      { updatedAt: secondsAgo(10) },
    ),
    outcome: 'cooldown',
    reason: /next up allowed at 2026-11-28T12:00:30Z/,
  },
  // Default cooldown.down is 300s after any action, including an up.
  {
    when: 'a down follows an up 120s ago',
    intent: { action: 'down' },
    service: aService({ ...stateLabels('up', 120), 'alertscale.min': '1' }, { updatedAt: secondsAgo(120) }),
    outcome: 'cooldown',
    reason: /next down allowed at 2026-11-28T12:03:00Z/,
  },
  { when: 'a down follows an up 301s ago', intent: { action: 'down' }, service: aService(stateLabels('up', 301), { updatedAt: secondsAgo(301) }), outcome: 'scaled', to: 1 },
  // A stack deploy after our last action holds back scale-downs: it counts as the last change for a down...
  {
    when: 'a down follows a change outside alertscale 20s ago',
    intent: { action: 'down' },
    service: aService(stateLabels('up', 600), { updatedAt: secondsAgo(20) }),
    outcome: 'cooldown',
    reason: /outside alertscale/,
  },
  // ...but never an up: a redeploy that reset the count while load is high must be able to scale up at once.
  { when: 'an up follows a change outside alertscale 20s ago', service: aService(stateLabels('up', 600), { updatedAt: secondsAgo(20) }), outcome: 'scaled', to: 3 },
  // Our own write is stamped by Docker a moment after state.at: not an outside change.
  {
    when: 'UpdatedAt is 1s after our own state.at',
    intent: { action: 'down' },
    service: aService(stateLabels('up', 301), { updatedAt: secondsAgo(300) }),
    outcome: 'scaled',
    to: 1,
  },
  // A forged or skewed state.at in the future is not believed: Docker's UpdatedAt is the time of that change.
  {
    when: 'state.at is in 2099',
    service: aService({ ...stateLabels('up', 0), 'alertscale.state.at': '2099-01-01T00:00:00Z' }, { updatedAt: minutesAgo(10) }),
    outcome: 'scaled',
    to: 3,
  },
  {
    when: 'state.at is 10 minutes ahead of UpdatedAt',
    intent: { action: 'down' },
    service: aService({ ...stateLabels('up', -600) }, { updatedAt: minutesAgo(10) }),
    outcome: 'scaled',
    to: 1,
  },
  // A believable state.at still holds an up back.
  { when: 'state.at is 2s before UpdatedAt and 30s ago', service: aService(stateLabels('up', 30), { updatedAt: secondsAgo(28) }), outcome: 'cooldown' },
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
  { when: 'an up above max', service: aService({}, { replicas: 7 }), outcome: 'at_bound', reason: /above alertscale.max=5/ },
  // Below min: an up raises at least to min.
  { when: 'an up below min', service: aService({ 'alertscale.min': '3' }, { replicas: 1 }), outcome: 'scaled', to: 3 },
  // The global ceiling caps every max.
  { when: 'max is above MAX_REPLICAS_CEILING', service: aService({ 'alertscale.max': '1000' }, { replicas: 100 }), outcome: 'at_bound', reason: /alertscale.max=100/ },
  // A ceiling lowered below a service's count never lowers it.
  { when: 'an up with the ceiling below the count', service: aService({ 'alertscale.max': '500' }, { replicas: 120 }), outcome: 'at_bound', reason: /above alertscale.max=100/ },
  {
    when: 'a to asking for more with the ceiling below the count',
    intent: { action: 'to', target: 150 },
    service: aService({ 'alertscale.max': '500' }, { replicas: 120 }),
    outcome: 'at_bound',
  },
  // Step overrides are clamped whatever their source: a negative step on a down (a crafted intent) never adds replicas.
  { when: 'a down with a negative step override', intent: { action: 'down', stepOverrides: [-40], usesServiceStep: false }, service: aService(), outcome: 'scaled', to: 1 },
  { when: 'an up with a huge step override', intent: { stepOverrides: [1e9], usesServiceStep: false }, service: aService(), outcome: 'scaled', to: 3 },
  { when: 'an up with a fractional step override', intent: { stepOverrides: [0.5], usesServiceStep: false }, service: aService(), outcome: 'scaled', to: 3 },
  // Down by step, clamped to min.
  { when: 'a down from 2', intent: { action: 'down' }, service: aService(), outcome: 'scaled', to: 1 },
  { when: 'a down at min', intent: { action: 'down' }, service: aService({}, { replicas: 1 }), outcome: 'at_bound', reason: /alertscale.min=1/ },
  // A down above max (scaled by hand) removes one step, not down to max.
  { when: 'a down above max', intent: { action: 'down' }, service: aService({}, { replicas: 20 }), outcome: 'scaled', to: 19 },
  // Scale to zero is allowed when min is 0.
  { when: 'a down to min 0', intent: { action: 'down' }, service: aService({ 'alertscale.min': '0' }, { replicas: 1 }), outcome: 'scaled', to: 0 },
  // Below min (e.g. after a manual scale): any action raises to min, and counts as an up for cooldowns.
  { when: 'a down below min', intent: { action: 'down' }, service: aService({ 'alertscale.min': '3' }, { replicas: 1 }), outcome: 'scaled', to: 3 },
  // to: rounded up then clamped.
  { when: 'to 3.2', intent: { action: 'to', target: 3.2 }, service: aService(), outcome: 'scaled', to: 4 },
  // Floating-point noise is not a replica: ceil(3.0000000000000004) is 3.
  { when: 'to 3.0000000000000004', intent: { action: 'to', target: 3.0000000000000004 }, service: aService(), outcome: 'scaled', to: 3 },
  { when: 'to 50 with max 5', intent: { action: 'to', target: 50 }, service: aService(), outcome: 'scaled', to: 5 },
  { when: 'to 0 with min 1', intent: { action: 'to', target: 0 }, service: aService({}, { replicas: 3 }), outcome: 'scaled', to: 1 },
  { when: 'to the current count', intent: { action: 'to', target: 2 }, service: aService(), outcome: 'no_change', reason: /no_change/ },
  // Below min: a to raises to at least min.
  { when: 'to 1 below min 3', intent: { action: 'to', target: 1 }, service: aService({ 'alertscale.min': '3' }, { replicas: 2 }), outcome: 'scaled', to: 3 },
  // At max: a to asking for more changes nothing.
  { when: 'to 9 at max 5', intent: { action: 'to', target: 9 }, service: aService({}, { replicas: 5 }), outcome: 'at_bound', reason: /already at alertscale.max=5/ },
  // Above max (hand-scaled to 20, max 10): a to asking for more never scales it down to max.
  {
    when: 'to 25 at 20 with max 10',
    intent: { action: 'to', target: 25 },
    service: aService({ 'alertscale.max': '10' }, { replicas: 20 }),
    outcome: 'at_bound',
    reason: /never lowers/,
  },
  // Above max: a to asking for fewer lowers to what it asks, not further.
  { when: 'to 15 at 20 with max 10', intent: { action: 'to', target: 15 }, service: aService({ 'alertscale.max': '10' }, { replicas: 20 }), outcome: 'scaled', to: 15 },
  // A to without a usable target (a crafted intent) changes nothing.
  { when: 'a to without a target', intent: { action: 'to' }, service: aService(), outcome: 'invalid_alert', reason: /no usable target/ },
  // A to below current is a down for cooldowns: 120s after an action is too soon (cooldown.down 300s).
  {
    when: 'to below current 120s after an action',
    intent: { action: 'to', target: 1 },
    service: aService(stateLabels('up', 120), { updatedAt: secondsAgo(120) }),
    outcome: 'cooldown',
    reason: /next down/,
  },
  // A to above current is an up for cooldowns: 120s after an action is fine (cooldown.up 60s).
  {
    when: 'to above current 120s after an action',
    intent: { action: 'to', target: 4 },
    service: aService(stateLabels('down', 120), { updatedAt: secondsAgo(120) }),
    outcome: 'scaled',
    to: 4,
  },
  // A fresh service counts its creation as the last change for a down, never for an up.
  { when: 'an up for a service created 10s ago', service: aService({}, { updatedAt: secondsAgo(10) }), outcome: 'scaled', to: 3 },
  {
    when: 'a down for a service created 10s ago',
    intent: { action: 'down' },
    service: aService({}, { updatedAt: secondsAgo(10) }),
    outcome: 'cooldown',
    reason: /outside alertscale/,
  },
  // Hand-edited state labels are ignored rather than trusted.
  {
    when: 'state labels are malformed',
    service: aService({ ...stateLabels('up', 10, 'key-1'), 'alertscale.state.at': 'yesterday' }, { updatedAt: minutesAgo(10) }),
    outcome: 'scaled',
    to: 3,
  },
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

  test('when it scales, then the state labels record action, time, key, previous replicas and the recent changes', () => {
    const earlier = recentLabels([{ k: 'older', t: 400, d: 'down' }], 'down');
    const decision = decideScale({ intent: anIntent({ key: 'abc' }), service: aService(earlier, { updatedAt: secondsAgo(400) }), settings, nowMs: NOW_MS });
    expect(decision.stateLabels).toMatchObject({
      'alertscale.state.action': 'up',
      'alertscale.state.at': '2026-11-28T12:00:00.000Z',
      'alertscale.state.key': 'abc',
      'alertscale.state.from': '2',
    });
    expect(JSON.parse(decision.stateLabels?.['alertscale.state.recent'] ?? '')).toEqual([
      { k: 'abc', t: '2026-11-28T12:00:00.000Z', d: 'up', g: GROUP, f: identifyAlerts(anIntent()) },
      { k: 'older', t: secondsAgo(400), d: 'down' },
    ]);
  });

  test('when many changes were made, then only the last six are kept on the service', () => {
    const many = Array.from({ length: 6 }, (_, index) => ({ k: `k${index}`, t: 400 + index, d: 'down' as const }));
    const decision = decideScale({ intent: anIntent({ key: 'new' }), service: aService(recentLabels(many, 'down'), { updatedAt: secondsAgo(400) }), settings, nowMs: NOW_MS });
    const kept = JSON.parse(decision.stateLabels?.['alertscale.state.recent'] ?? '') as Array<{ k: string }>;
    expect(kept.map((entry) => entry.k)).toEqual(['new', 'k0', 'k1', 'k2', 'k3', 'k4']);
  });
});
