import { IntentExpiredError, TransientError } from '../../../src/app/errors';
import { chooseSettlement, type HandlerResult } from '../../../src/adapters/queue/rabbitmq/chooseSettlement';
import { aDecision, anIntent } from '../../support/builders';

const intent = anIntent();
const decided = (extra: Parameters<typeof aDecision>[2] = {}): HandlerResult => ({ ok: true, decision: aDecision(intent, 'scaled', extra) });
const failed = (failure: unknown): HandlerResult => ({ ok: false, failure });
const LIMIT = 5;

describe('chooseSettlement', () => {
  test.each([
    // decided for good (scaled, refused, duplicate): acked
    { when: 'the decision is final', result: decided(), earlier: 0, expected: { kind: 'ack' } },
    // retryable: false is as final as no flag
    { when: 'the decision says retryable: false', result: decided({ retryable: false }), earlier: 3, expected: { kind: 'ack' } },
    // found stale before the Docker write: dead-lettered as expired, however many deliveries are left
    {
      when: 'the handler found the intent past INTENT_TTL',
      result: failed(new IntentExpiredError('shop_worker', 1500)),
      earlier: 0,
      expected: { kind: 'dead-letter', reason: 'expired', text: new IntentExpiredError('shop_worker', 1500).message },
    },
    // retryable decision on the first delivery: requeued, delivery 1
    {
      when: 'the decision is retryable on the first delivery',
      result: decided({ retryable: true, reason: 'Docker unreachable' }),
      earlier: 0,
      expected: { kind: 'requeue', delivery: 1, lastDelivery: false, why: 'Docker unreachable' },
    },
    // the handler threw: requeued with the failure as the reason
    {
      when: 'the handler threw',
      result: failed(new TransientError('docker timed out', 'docker')),
      earlier: 2,
      expected: { kind: 'requeue', delivery: 3, lastDelivery: false, why: 'handler failed: docker timed out' },
    },
    // delivery limit + 1 is the last delivery the broker makes: requeueing it dead-letters it
    {
      when: 'a retryable intent is on its last delivery',
      result: decided({ retryable: true, reason: 'conflict' }),
      earlier: LIMIT,
      expected: { kind: 'requeue', delivery: LIMIT + 1, lastDelivery: true, why: 'conflict' },
    },
    // one before the last: still an ordinary requeue
    {
      when: 'a retryable intent has one delivery left',
      result: decided({ retryable: true, reason: 'conflict' }),
      earlier: LIMIT - 1,
      expected: { kind: 'requeue', delivery: LIMIT, lastDelivery: false, why: 'conflict' },
    },
    // something thrown that is no error at all: still requeued, never lost
    { when: 'the handler threw undefined', result: failed(undefined), earlier: 0, expected: { kind: 'requeue', delivery: 1, lastDelivery: false, why: 'retryable' } },
  ])('when $when, then it is settled as $expected.kind', ({ result, earlier, expected }) => {
    expect(chooseSettlement(result, earlier, LIMIT)).toEqual(expected);
  });
});
