import { decodeDecisionEvent } from '../../../src/adapters/queue/rabbitmq/decisionStream';

const valid = {
  id: '6f1f3c1e-2b7a-4d1e-9d3a-0c9b8a7f6e5d',
  service: 'shop_api',
  action: 'up',
  outcome: 'scaled',
  reason: '',
  key: 'k1',
  decidedAt: '2026-12-01T09:00:00.000Z',
  from: 2,
  to: 3,
  direction: 'up',
  receivedAt: '2026-12-01T08:59:59.900Z',
};
const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

describe('decodeDecisionEvent', () => {
  test('when the event is a decision alertscale published, then it reads back as it was, receivedAt included', () => {
    expect(decodeDecisionEvent(encode(valid))).toEqual(valid);
  });

  test('when the decision is about an alert with an invalid scale_action, then it reads back as (invalid)', () => {
    const invalidAlert = { ...valid, action: '(invalid)', outcome: 'invalid_alert', reason: 'invalid_alert: scale_action missing' };
    expect(decodeDecisionEvent(encode(invalidAlert))).toMatchObject({ action: '(invalid)', outcome: 'invalid_alert' });
  });

  test('when unknown fields ride along, then they are dropped', () => {
    expect(decodeDecisionEvent(encode({ ...valid, extra: 'x' }))).not.toHaveProperty('extra');
  });

  test.each([
    // Not JSON, or not an object.
    ['not json', '{'],
    ['a JSON string', '"scaled"'],
    ['null', 'null'],
    // An outcome or action alertscale never writes.
    ['an unknown outcome', { ...valid, outcome: 'hacked' }],
    ['an unknown action', { ...valid, action: 'sideways' }],
    // A missing or malformed required field.
    ['no service', { ...valid, service: undefined }],
    ['a decidedAt that is no time', { ...valid, decidedAt: 'yesterday' }],
    ['a negative replica count', { ...valid, to: -1 }],
    ['a fractional replica count', { ...valid, from: 1.5 }],
    ['an unknown direction', { ...valid, direction: 'left' }],
    // Oversized text meant to flood the API.
    ['a huge reason', { ...valid, reason: 'x'.repeat(5000) }],
    ['an id that is no short text', { ...valid, id: 42 }],
  ])('when the event has %s, then it is refused', (_what, body) => {
    expect(decodeDecisionEvent(encode(body))).toBeUndefined();
  });
});
