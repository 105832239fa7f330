import { decodeIntent, encodeIntent } from '../../../src/adapters/queue/rabbitmq/intentCodec';
import { planNotification } from '../../../src/domain/planNotification';
import type { ScaleIntent } from '../../../src/domain/types';
import { alertmanagerPayloadSchema } from '../../../src/http/alertmanagerPayloadSchema';
import { loadFixture, type FixtureName } from '../../../harness/notifications';

const valid: ScaleIntent = {
  key: '0123456789abcdef0123456789abcdef',
  service: 'shop_api',
  action: 'up',
  stepOverrides: [],
  usesServiceStep: true,
  receiver: 'alertscale',
  groupKey: '{}:{scale_service="shop_api"}',
  fingerprints: ['a1b2c3d4e5f60718'],
  receivedAt: '2026-12-01T09:00:00.000Z',
};
const bytes = (body: unknown) => Buffer.from(JSON.stringify(body), 'utf8');

describe('decodeIntent', () => {
  test.each<[string, Partial<ScaleIntent> & Record<string, unknown>]>([
    ['an up using the service step', {}],
    ['an up with a step override', { stepOverrides: [3], usesServiceStep: false }],
    ['a down with two alerts, one with a step', { action: 'down', stepOverrides: [2], fingerprints: ['a', 'b'] }],
    ['a to with a fractional target', { action: 'to', target: 6.5 }],
    ['a to with the largest target the contract allows', { action: 'to', target: 1_000_000 }],
    ['a to down to zero', { action: 'to', target: 0 }],
    ['receivedAt with an offset', { receivedAt: '2026-12-01T10:00:00+01:00' }],
    ['with the startsAt of its alert', { alertStartsAt: ['2026-11-28T06:53:16.750631985Z'] }],
  ])('when the body is %s, then it decodes', (_when, change) => {
    const intent = { ...valid, ...change };
    expect(decodeIntent(bytes(intent))).toEqual({ ok: true, intent });
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    // The report of issue 10: a negative step on a down would have added replicas past max.
    ['a negative step override', { action: 'down', stepOverrides: [-40], usesServiceStep: false }, /stepOverrides\.0: -40: scale_step must be a positive whole number/],
    ['a zero step', { stepOverrides: [0], usesServiceStep: false }, /stepOverrides\.0/],
    ['a fractional step', { stepOverrides: [1.5], usesServiceStep: false }, /stepOverrides\.0/],
    ['a step the contract does not allow (7 digits)', { stepOverrides: [1_000_000], usesServiceStep: false }, /stepOverrides\.0/],
    ['a service name Swarm would refuse', { service: '../etc' }, /service: not a Swarm service name/],
    ['a service name too long for Swarm', { service: 'a'.repeat(64) }, /service: not a Swarm service name/],
    ['a key not made by alertscale', { key: 'my-key' }, /key: not an idempotency key/],
    ['no fingerprints', { fingerprints: [] }, /fingerprints/],
    ['a startsAt count that differs from the fingerprints', { alertStartsAt: [] }, /alertStartsAt: one startsAt per fingerprint/],
    ['a fingerprint longer than the webhook takes', { fingerprints: ['f'.repeat(129)] }, /fingerprints\.0/],
    ['fewer alerts than steps', { stepOverrides: [1, 2], usesServiceStep: true }, /fingerprints: fewer alerts than the steps/],
    ['no step at all', { usesServiceStep: false }, /usesServiceStep/],
    ['a to without a target', { action: 'to' }, /target: invalid_alert: annotation scale_replicas=""/],
    ['a negative target', { action: 'to', target: -1 }, /target: invalid_alert/],
    ['a target past the contract', { action: 'to', target: 1_000_001 }, /target: invalid_alert/],
    ['a to with a step', { action: 'to', target: 3, stepOverrides: [2] }, /a "to" intent carries no step/],
    ['an up with a target', { target: 9 }, /only a "to" intent carries a target/],
    ['an unknown action', { action: 'sideways' }, /action/],
    ['an unknown field', { replicas: 40 }, /Unrecognized key/],
    ['receivedAt that is not RFC 3339', { receivedAt: 'Tue, 01 Dec 2026 09:00:00 GMT' }, /receivedAt/],
    ['a receiver longer than the webhook takes', { receiver: 'r'.repeat(1025) }, /receiver/],
  ])('when the body has %s, then it is refused naming the field', (_when, change, reason) => {
    const decoded = decodeIntent(bytes({ ...valid, ...change }));
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.error).toMatch(reason);
  });

  test('when the body is not JSON, then it is refused as such', () => {
    expect(decodeIntent(Buffer.from('{not json'))).toEqual({ ok: false, error: expect.stringMatching(/^not JSON/) });
  });

  test.each<FixtureName>(['firing-one-alert', 'firing-two-alerts-same-service', 'firing-scale-to-truncated'])(
    'when the webhook plans the recorded payload %s, then each of its intents survives encode and decode unchanged',
    (fixture) => {
      const { intents } = planNotification(alertmanagerPayloadSchema.parse(loadFixture(fixture)), Date.parse('2026-12-01T09:00:00Z'));
      expect(intents.length).toBeGreaterThan(0);
      for (const intent of intents) expect(decodeIntent(encodeIntent(intent))).toEqual({ ok: true, intent });
    },
  );
});
