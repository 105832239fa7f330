import { alertmanagerPayloadSchema } from '../../../src/http/alertmanagerPayloadSchema';
import { planNotification } from '../../../src/domain/planNotification';
import type { AlertNotification } from '../../../src/domain/notification';
import { loadFixture, type FixtureName, firstAlert } from '../../../harness/notifications';

const NOW = Date.parse('2026-11-28T07:00:00Z');
const parse = (payload: unknown): AlertNotification => alertmanagerPayloadSchema.parse(payload);
const fixture = (name: FixtureName) => parse(loadFixture(name));

function withAlerts(alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string>; status?: string; fingerprint?: string }>): AlertNotification {
  const payload = loadFixture('firing-one-alert');
  payload.alerts = alerts.map((alert, index) => ({
    status: (alert.status ?? 'firing') as 'firing' | 'resolved',
    labels: alert.labels,
    annotations: alert.annotations ?? {},
    startsAt: '2026-11-28T06:53:13.734714737Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint: alert.fingerprint ?? `fp${index}`,
  }));
  return parse(payload);
}

describe('planNotification', () => {
  test('when one firing up alert (recorded), then one up intent for shop_worker', () => {
    const plan = planNotification(fixture('firing-one-alert'), NOW);
    expect(plan.intents).toHaveLength(1);
    expect(plan.intents[0]).toMatchObject({ service: 'shop_worker', action: 'up', usesServiceStep: true, stepOverrides: [], fingerprints: ['6e1e5b29b0a4ccc4'] });
    expect(plan.settled).toEqual([]);
  });

  test('when two firing up alerts for one service (recorded), then one intent, not two', () => {
    const plan = planNotification(fixture('firing-two-alerts-same-service'), NOW);
    expect(plan.intents).toHaveLength(1);
    expect(plan.intents[0]).toMatchObject({ service: 'shop_api', action: 'up', fingerprints: ['edf2b70956ef0ddb', 'fc3029f44520b95b'] });
  });

  test('when a truncated to group (recorded), then one to intent with target 7 and the truncation counted', () => {
    const plan = planNotification(fixture('firing-scale-to-truncated'), NOW);
    expect(plan.intents).toEqual([expect.objectContaining({ service: 'shop_worker', action: 'to', target: 7 })]);
    expect(plan.counts.truncated).toBe(1);
  });

  test('when the alert is resolved (recorded), then nothing is planned', () => {
    const plan = planNotification(fixture('resolved-one-alert'), NOW);
    expect(plan.intents).toEqual([]);
    expect(plan.counts).toMatchObject({ resolved: 1, firing: 0 });
  });

  test('when the same payload arrives twice, then both intents share the idempotency key', () => {
    const first = planNotification(fixture('firing-one-alert'), NOW);
    const again = planNotification(fixture('firing-one-alert'), NOW + 60_000);
    expect(again.intents[0]?.key).toBe(first.intents[0]?.key);
  });

  test('when the alert restarted (new startsAt), then the key differs', () => {
    const payload = loadFixture('firing-one-alert');
    firstAlert(payload).startsAt = '2026-11-28T07:30:00Z';
    expect(planNotification(parse(payload), NOW).intents[0]?.key).not.toBe(planNotification(fixture('firing-one-alert'), NOW).intents[0]?.key);
  });

  test('when two up alerts carry scale_step 2 and 3, then the intent keeps both and the decision takes the largest', () => {
    const plan = planNotification(
      withAlerts([{ labels: { scale_service: 'a', scale_action: 'up', scale_step: '2' } }, { labels: { scale_service: 'a', scale_action: 'up', scale_step: '3' } }]),
      NOW,
    );
    expect(plan.intents).toEqual([expect.objectContaining({ stepOverrides: [2, 3], usesServiceStep: false })]);
  });

  test('when two to alerts for one service, then the largest scale_replicas wins', () => {
    const plan = planNotification(
      withAlerts([
        { labels: { scale_service: 'a', scale_action: 'to', alertname: 'x' }, annotations: { scale_replicas: '4' } },
        { labels: { scale_service: 'a', scale_action: 'to', alertname: 'y' }, annotations: { scale_replicas: '9.5' } },
      ]),
      NOW,
    );
    expect(plan.intents).toEqual([expect.objectContaining({ action: 'to', target: 9.5 })]);
  });

  test('when an up and a down for one service arrive together, then the up goes ahead and the down is a conflict', () => {
    const plan = planNotification(
      withAlerts([
        { labels: { scale_service: 'a', scale_action: 'up' } },
        { labels: { scale_service: 'a', scale_action: 'down' } },
        { labels: { scale_service: 'b', scale_action: 'down' } },
      ]),
      NOW,
    );
    expect(plan.intents.map((intent) => `${intent.service}:${intent.action}`)).toEqual(['a:up', 'b:down']);
    expect(plan.settled).toEqual([expect.objectContaining({ service: 'a', action: 'down', outcome: 'conflict' })]);
  });

  test('when one alert is invalid beside a valid one, then the valid one still makes an intent and the invalid one is settled with its reason', () => {
    const plan = planNotification(
      withAlerts([
        { labels: { scale_service: 'a', scale_action: 'up' } },
        { labels: { scale_service: 'a', scale_action: 'up', scale_step: 'ten' } },
        { labels: { alertname: 'Unrelated' } },
      ]),
      NOW,
    );
    expect(plan.intents).toHaveLength(1);
    expect(plan.settled).toEqual([expect.objectContaining({ outcome: 'invalid_alert', service: 'a', reason: expect.stringMatching(/scale_step="ten"/) })]);
    expect(plan.counts).toMatchObject({ firing: 3, unlabelled: 1, invalid: 1 });
  });

  test('when an alert names an impossible service, then it is settled under (unknown)', () => {
    const plan = planNotification(withAlerts([{ labels: { scale_service: 'x/../y', scale_action: 'up' } }]), NOW);
    expect(plan.settled).toEqual([expect.objectContaining({ service: '(unknown)', outcome: 'invalid_alert' })]);
  });

  test.each([
    // missing
    [{ scale_service: 'shop_api' }],
    // misspelt
    [{ scale_service: 'shop_api', scale_action: 'upp' }],
  ])('when scale_action is missing or not up/down/to (%o), then the decision records the action as (invalid), not up', (labels) => {
    const plan = planNotification(withAlerts([{ labels }]), NOW);
    expect(plan.settled).toEqual([expect.objectContaining({ service: 'shop_api', action: '(invalid)', outcome: 'invalid_alert' })]);
  });

  test('when scale_replicas is a label instead of an annotation, then the reason says so', () => {
    const plan = planNotification(withAlerts([{ labels: { scale_service: 'shop_api', scale_action: 'to', scale_replicas: '4' } }]), NOW);
    expect(plan.settled[0]?.reason).toMatch(/scale_replicas is set as a label; it must be an annotation/);
  });

  test('when alerts are planned, then each carries its startsAt so a restarted alert is told apart', () => {
    const plan = planNotification(withAlerts([{ labels: { scale_service: 'a', scale_action: 'up' } }]), NOW);
    expect(plan.intents[0]?.alertStartsAt).toEqual(['2026-11-28T06:53:13.734714737Z']);
  });
});
