import { earlierDeliveries } from '../../../src/adapters/queue/rabbitmq/earlierDeliveries';

describe('earlierDeliveries', () => {
  test.each([
    // first delivery: the broker sends no header
    { when: 'there are no headers', headers: undefined, count: 0 },
    { when: 'the header is absent', headers: {}, count: 0 },
    // quorum queues count redeliveries
    { when: 'x-delivery-count is 3', headers: { 'x-delivery-count': 3 }, count: 3 },
    // AMQP clients may carry it as a long string
    { when: 'x-delivery-count is the string "2"', headers: { 'x-delivery-count': '2' }, count: 2 },
    // garbage counts as a first delivery rather than breaking the consumer
    { when: 'x-delivery-count is not a number', headers: { 'x-delivery-count': 'many' }, count: 0 },
  ])('when $when, then $count earlier deliveries', ({ headers, count }) => {
    expect(earlierDeliveries(headers)).toBe(count);
  });
});
