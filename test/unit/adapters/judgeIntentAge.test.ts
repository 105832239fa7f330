import { judgeIntentAge, MAX_CLOCK_SKEW_MS } from '../../../src/adapters/queue/rabbitmq/judgeIntentAge';
import { anIntent, NOW_MS, secondsAgo } from '../../support/builders';

const TTL_MS = 120_000;
const receivedSecondsAgo = (seconds: number) => anIntent({ receivedAt: secondsAgo(seconds) });

describe('judgeIntentAge', () => {
  test.each([
    // received just now: decided
    { when: 'received now', seconds: 0, kind: 'fresh' },
    // exactly INTENT_TTL old is still within it
    { when: 'exactly INTENT_TTL old', seconds: TTL_MS / 1000, kind: 'fresh' },
    // one second past INTENT_TTL: never applied
    { when: 'a second past INTENT_TTL', seconds: TTL_MS / 1000 + 1, kind: 'expired' },
    // another node's clock a little ahead (NTP drift): still decided
    { when: 'received 10 s in the future', seconds: -10, kind: 'fresh' },
    // exactly the allowed skew ahead: still decided
    { when: 'received exactly the allowed skew ahead', seconds: -MAX_CLOCK_SKEW_MS / 1000, kind: 'fresh' },
    // further ahead: forged or a broken clock, it would never expire
    { when: 'received 31 s in the future', seconds: -31, kind: 'malformed' },
  ])('when an intent was $when, then it is $kind', ({ seconds, kind }) => {
    expect(judgeIntentAge(receivedSecondsAgo(seconds), NOW_MS, TTL_MS).kind).toBe(kind);
  });

  test('when an intent is past INTENT_TTL, then the reason names its age, the TTL and the service', () => {
    expect(judgeIntentAge(receivedSecondsAgo(150), NOW_MS, TTL_MS)).toEqual({
      kind: 'expired',
      text: 'up for shop_worker was received 150.0s ago, past INTENT_TTL (120s); a stale intent is never applied',
    });
  });

  test('when an intent claims a future receipt, then the reason says how far ahead and the allowed skew', () => {
    expect(judgeIntentAge(receivedSecondsAgo(-45), NOW_MS, TTL_MS)).toEqual({
      kind: 'malformed',
      text: 'up for shop_worker claims to be received 45.0s in the future (forged, or a clock off by more than 30s)',
    });
  });
});
