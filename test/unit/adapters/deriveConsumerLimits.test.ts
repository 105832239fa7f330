import { deriveConsumerLimits, withHeartbeat } from '../../../src/adapters/queue/rabbitmq/deriveConsumerLimits';

describe('deriveConsumerLimits', () => {
  test.each([
    // The shipped INTENT_TTL: the broker notices a frozen consumer within 60 s, the other 60 s decide 8 intents easily.
    { ttl: 120_000, budget: 5000, heartbeat: 20, noticed: 60_000, prefetch: 8 },
    // A long TTL never asks for more than a 30 s heartbeat.
    { ttl: 3_600_000, budget: 5000, heartbeat: 30, noticed: 90_000, prefetch: 8 },
    // A short TTL: 15 s to notice, 15 s left, 5 s per decision: no more than 3 may be stranded.
    { ttl: 30_000, budget: 5000, heartbeat: 5, noticed: 15_000, prefetch: 3 },
    // A TTL below 6 s still gets the 1 s AMQP minimum and at least one intent.
    { ttl: 300, budget: 5000, heartbeat: 1, noticed: 3000, prefetch: 1 },
  ])('when INTENT_TTL is $ttl ms and a decision may take $budget ms, then heartbeat $heartbeat s and prefetch $prefetch', ({ ttl, budget, heartbeat, noticed, prefetch }) => {
    expect(deriveConsumerLimits(ttl, budget)).toEqual({ heartbeatSeconds: heartbeat, noticedWithinMs: noticed, prefetch });
  });

  test('when the heartbeat is derived, then the broker notices a frozen consumer within half the TTL, for any TTL from 6 s on', () => {
    for (const ttl of [6000, 7000, 45_000, 120_000, 179_000, 600_000]) {
      expect(deriveConsumerLimits(ttl, 5000).noticedWithinMs).toBeLessThanOrEqual(ttl / 2);
    }
  });
});

describe('withHeartbeat', () => {
  test('when AMQP_URL sets no heartbeat, then ours is added and the rest of the URL kept', () => {
    expect(withHeartbeat('amqp://u:p@rabbitmq:5672/alertscale', 20)).toBe('amqp://u:p@rabbitmq:5672/alertscale?heartbeat=20');
    expect(withHeartbeat('amqp://u:p@rabbitmq:5672/alertscale?frameMax=8192', 20)).toBe('amqp://u:p@rabbitmq:5672/alertscale?frameMax=8192&heartbeat=20');
  });

  test('when AMQP_URL asks for a smaller heartbeat, then it is kept', () => {
    expect(withHeartbeat('amqp://u:p@rabbitmq:5672/alertscale?heartbeat=5', 20)).toBe('amqp://u:p@rabbitmq:5672/alertscale?heartbeat=5');
  });

  test.each(['60', '0', 'soon'])('when AMQP_URL asks for heartbeat=%s, then it is refused with the bound and without the password', (heartbeat) => {
    expect(() => withHeartbeat(`amqp://u:secret@rabbitmq:5672/alertscale?heartbeat=${heartbeat}`, 20)).toThrow(/heartbeat.*at most 20s/);
    expect(() => withHeartbeat(`amqp://u:secret@rabbitmq:5672/alertscale?heartbeat=${heartbeat}`, 20)).not.toThrow(/secret/);
  });
});
