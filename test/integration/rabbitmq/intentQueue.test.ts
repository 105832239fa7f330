import type { ChannelModel } from 'amqplib';
import { TransientError } from '../../../src/app/errors';
import type { IntentHandler } from '../../../src/app/ports';
import { createMetrics, type Metrics } from '../../../src/adapters/observability/metrics';
import { createRabbitEventPublisher, type RabbitEventPublisher } from '../../../src/adapters/queue/rabbitmq/createRabbitEventPublisher';
import { createRabbitIntentQueue, type RabbitIntentQueue, type RabbitIntentQueueOptions } from '../../../src/adapters/queue/rabbitmq/createRabbitIntentQueue';
import { intentTopology } from '../../../src/adapters/queue/rabbitmq/topology';
import type { ScaleIntent } from '../../../src/domain/types';
import { counterValue, drainQueue, FAST_RECONNECT, header, testLogger } from './support';
import { uniqueName } from '../../../harness/docker';
import { sleep, waitFor } from '../../../harness/polling';
import { AMQP_URL, connectBroker, deleteIntentTopology, withChannel } from '../../../harness/rabbit';
import { aDecision, aUniqueIntent } from '../../support/builders';

jest.setTimeout(30_000);

describe('RabbitMQ intent queue (real broker)', () => {
  let admin: ChannelModel;
  const cleanups: Array<() => Promise<unknown>> = [];
  const logger = testLogger();

  beforeAll(async () => {
    admin = await connectBroker();
  });

  afterEach(async () => {
    // Newest first: stop instances before deleting the queues they use.
    while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
  });

  afterAll(async () => {
    await admin?.close().catch(() => undefined);
  });

  function newQueue(overrides: Partial<RabbitIntentQueueOptions> & { queue: string }): { queue: RabbitIntentQueue; metrics: Metrics } {
    const metrics = createMetrics();
    const queue = createRabbitIntentQueue({ url: AMQP_URL, metrics, logger, intentTtlMs: 60_000, reconnect: FAST_RECONNECT, requeueDelayMs: 20, ...overrides });
    cleanups.push(() => queue.stop());
    return { queue, metrics };
  }

  function newQueueName(what: string): string {
    const name = uniqueName(`alertscale.test.${what}`);
    cleanups.push(() => deleteIntentTopology(admin, intentTopology(name)));
    return name;
  }

  function recordingHandler(onIntent?: (intent: ScaleIntent) => Promise<void> | void) {
    const seen: ScaleIntent[] = [];
    const handler: IntentHandler = async (intent) => {
      seen.push(intent);
      await onIntent?.(intent);
      return aDecision(intent);
    };
    return { seen, handler };
  }

  test('when intents are submitted while a consumer runs, then the handler is called once per intent and decision events arrive on a bound queue', async () => {
    const name = newQueueName('happy');
    const exchange = uniqueName('alertscale.test.events');
    cleanups.push(() => withChannel(admin, (channel) => channel.deleteExchange(exchange)));
    const events: RabbitEventPublisher = createRabbitEventPublisher({ url: AMQP_URL, logger, exchange, reconnect: FAST_RECONNECT });
    cleanups.push(() => events.close());
    await events.whenReady(10_000);
    const eventQueue = uniqueName('alertscale.test.events-bound');
    cleanups.push(() => withChannel(admin, (channel) => channel.deleteQueue(eventQueue)));
    await withChannel(admin, async (channel) => {
      await channel.assertQueue(eventQueue, { durable: false });
      await channel.bindQueue(eventQueue, exchange, 'no_change.#');
    });

    const { queue, metrics } = newQueue({ queue: name });
    const seen: string[] = [];
    await queue.start(async (intent) => {
      seen.push(intent.key);
      const decision = aDecision(intent, 'no_change');
      await events.publish(decision);
      return decision;
    });
    await queue.whenReady(10_000);
    expect(queue.notReadyReason()).toBeUndefined();
    expect(await counterValue(metrics.brokerConnected)).toBe(1);

    const intents = [aUniqueIntent('svc-a'), aUniqueIntent('svc-b'), aUniqueIntent('svc-c', { action: 'to', target: 4 })];
    await expect(queue.submit(intents)).resolves.toEqual({ mode: 'queued', count: 3 });

    await waitFor('3 intents handled', () => seen.length >= 3);
    await sleep(200); // nothing more arrives
    expect([...seen].sort()).toEqual(intents.map((intent) => intent.key).sort());
    expect(await counterValue(metrics.intentsPublished)).toBe(3);
    await waitFor('3 intents acked', async () => (await counterValue(metrics.intentsConsumed)) === 3);

    const received = await drainQueue(admin, eventQueue, 3);
    expect(received.map((message) => message.fields.routingKey).sort()).toEqual(['no_change.svc-a', 'no_change.svc-b', 'no_change.svc-c']);
    const body = JSON.parse(received[0]!.content.toString());
    expect(body).toMatchObject({ outcome: 'no_change', reason: 'no_change: test' });
    expect(await withChannel(admin, (channel) => channel.checkQueue(name))).toMatchObject({ messageCount: 0 });
  });

  test('when intents are queued while no consumer runs, then starting a consumer later handles every one of them', async () => {
    const name = newQueueName('backlog');
    const { queue: producer } = newQueue({ queue: name });
    await producer.whenReady(10_000);
    expect(producer.notReadyReason()).toBe('intent consumer not started');
    const intents = Array.from({ length: 50 }, (_, index) => aUniqueIntent(`svc-${index % 5}`));
    for (let offset = 0; offset < intents.length; offset += 10) await producer.submit(intents.slice(offset, offset + 10));
    await producer.stop();
    expect(await withChannel(admin, (channel) => channel.checkQueue(name))).toMatchObject({ messageCount: 50 });

    const { queue: consumer } = newQueue({ queue: name });
    const { seen, handler } = recordingHandler();
    await consumer.start(handler);
    await waitFor('50 intents handled', () => seen.length >= 50);
    await sleep(200);
    expect(seen.map((intent) => intent.key).sort()).toEqual(intents.map((intent) => intent.key).sort());
  });

  test('when intents outlive INTENT_TTL in the queue, then the broker dead-letters them as expired and the handler never sees them', async () => {
    const name = newQueueName('ttl');
    const { queue } = newQueue({ queue: name, intentTtlMs: 300 });
    await queue.whenReady(10_000);
    const stale = [aUniqueIntent('svc-a'), aUniqueIntent('svc-b')];
    await queue.submit(stale);
    await sleep(900);

    const { seen, handler } = recordingHandler();
    await queue.start(handler);
    const fresh = aUniqueIntent('svc-c');
    await queue.submit([fresh]);
    await waitFor('the fresh intent handled', () => seen.length >= 1);
    await sleep(200);
    expect(seen.map((intent) => intent.key)).toEqual([fresh.key]);

    const dead = await drainQueue(admin, `${name}.dead`, 2);
    expect(dead.map((message) => JSON.parse(message.content.toString()).key).sort()).toEqual(stale.map((intent) => intent.key).sort());
    for (const message of dead) {
      expect(header(message, 'x-first-death-reason')).toBe('expired');
      expect(header(message, 'x-first-death-queue')).toBe(name);
    }
  });

  test('when an intent older than INTENT_TTL reaches the consumer, then it is dead-lettered and counted as expired, never decided, and the consumer goes on', async () => {
    const name = newQueueName('stale');
    const { queue, metrics } = newQueue({ queue: name, intentTtlMs: 60_000 });
    const { seen, handler } = recordingHandler();
    await queue.start(handler);
    await queue.whenReady(10_000);
    // Published just now (the broker's expiry has not fired) but received two minutes ago.
    const stale = aUniqueIntent('svc-a', { receivedAt: new Date(Date.now() - 120_000).toISOString() });
    const fresh = aUniqueIntent('svc-a');
    await queue.submit([stale, fresh]);

    await waitFor('the fresh intent handled', () => seen.length >= 1);
    await waitFor('the stale intent counted', async () => (await counterValue(metrics.intentsDeadLettered, { reason: 'expired' })) === 1);
    expect(seen.map((intent) => intent.key)).toEqual([fresh.key]);
    const [dead] = await drainQueue(admin, `${name}.dead`, 1);
    expect(JSON.parse(dead!.content.toString()).key).toBe(stale.key);
    expect(header(dead!, 'x-first-death-reason')).toBe('rejected');
  });

  test('when malformed messages arrive, then they are dead-lettered at once, counted as malformed, and the consumer goes on', async () => {
    const name = newQueueName('malformed');
    const { queue, metrics } = newQueue({ queue: name });
    const { seen, handler } = recordingHandler();
    await queue.start(handler);
    await queue.whenReady(10_000);
    await withChannel(admin, async (channel) => {
      channel.sendToQueue(name, Buffer.from('this is not JSON'), { persistent: true });
      channel.sendToQueue(name, Buffer.from(JSON.stringify({ key: 42, service: 'svc-a' })), { persistent: true });
      await sleep(50);
    });
    const valid = aUniqueIntent('svc-a');
    await queue.submit([valid]);

    await waitFor('the valid intent handled', () => seen.length >= 1);
    await waitFor('2 malformed counted', async () => (await counterValue(metrics.intentsDeadLettered, { reason: 'malformed' })) === 2);
    expect(seen.map((intent) => intent.key)).toEqual([valid.key]);
    const dead = await drainQueue(admin, `${name}.dead`, 2);
    expect(dead.map((message) => message.content.toString()).sort()).toEqual(['this is not JSON', JSON.stringify({ key: 42, service: 'svc-a' })].sort());
    for (const message of dead) expect(header(message, 'x-first-death-reason')).toBe('rejected');
    expect(queue.notReadyReason()).toBeUndefined();
  });

  test('when the handler keeps answering retryable, then the intent is requeued up to the delivery limit and dead-lettered as delivery_limit', async () => {
    const name = newQueueName('poison');
    const { queue, metrics } = newQueue({ queue: name, deliveryLimit: 2 });
    const calls = new Map<string, number>();
    await queue.start(async (intent) => {
      calls.set(intent.key, (calls.get(intent.key) ?? 0) + 1);
      if (intent.service === 'svc-poison') return aDecision(intent, 'error', { reason: 'error: Docker did not answer', retryable: true });
      if (intent.service === 'svc-flaky' && calls.get(intent.key) === 1) throw new Error('flaky handler');
      return aDecision(intent, 'scaled');
    });
    await queue.whenReady(10_000);
    const poison = aUniqueIntent('svc-poison');
    const flaky = aUniqueIntent('svc-flaky');
    const healthy = aUniqueIntent('svc-ok');
    await queue.submit([poison, flaky, healthy]);

    const [dead] = await drainQueue(admin, `${name}.dead`, 1);
    expect(dead).toBeDefined();
    expect(JSON.parse(dead!.content.toString()).key).toBe(poison.key);
    expect(header(dead!, 'x-first-death-reason')).toBe('delivery_limit');
    expect(calls.get(poison.key)).toBe(3); // x-delivery-limit 2: delivered limit + 1 times
    await waitFor('flaky and healthy acked', async () => (await counterValue(metrics.intentsConsumed)) === 2);
    expect(calls.get(flaky.key)).toBe(2);
    expect(calls.get(healthy.key)).toBe(1);
    expect(await counterValue(metrics.intentsDeadLettered, { reason: 'delivery_limit' })).toBe(1);
  });

  test('when two instances consume the same queue under a burst of 200 intents for 5 services, then every intent is handled exactly once', async () => {
    const name = newQueueName('burst');
    const first = newQueue({ queue: name, connectionName: 'alertscale-test-1' });
    const second = newQueue({ queue: name, connectionName: 'alertscale-test-2' });
    const handledBy = new Map<string, string[]>();
    const handlerFor =
      (instance: string): IntentHandler =>
      async (intent) => {
        handledBy.set(intent.key, [...(handledBy.get(intent.key) ?? []), instance]);
        await sleep(Math.random() * 4);
        return aDecision(intent, 'scaled');
      };
    await first.queue.start(handlerFor('first'));
    await second.queue.start(handlerFor('second'));
    await Promise.all([first.queue.whenReady(10_000), second.queue.whenReady(10_000)]);

    const intents = Array.from({ length: 200 }, (_, index) => aUniqueIntent(`svc-${index % 5}`));
    const batches = Array.from({ length: 40 }, (_, index) => intents.slice(index * 5, index * 5 + 5));
    const receipts = await Promise.all(batches.map((batch, index) => (index % 2 === 0 ? first : second).queue.submit(batch)));
    expect(receipts.reduce((sum, receipt) => sum + (receipt.mode === 'queued' ? receipt.count : 0), 0)).toBe(200);

    await waitFor('200 intents handled', () => handledBy.size >= 200, 20_000);
    await waitFor('200 acks', async () => (await counterValue(first.metrics.intentsConsumed)) + (await counterValue(second.metrics.intentsConsumed)) === 200);
    await sleep(300);
    expect(handledBy.size).toBe(200);
    const twice = [...handledBy.entries()].filter(([, instances]) => instances.length !== 1);
    expect(twice).toEqual([]);
    const perInstance = [...handledBy.values()].flat().reduce<Record<string, number>>((counts, instance) => ({ ...counts, [instance]: (counts[instance] ?? 0) + 1 }), {});
    expect(perInstance.first).toBeGreaterThan(0);
    expect(perInstance.second).toBeGreaterThan(0);
    expect(await withChannel(admin, (channel) => channel.checkQueue(name))).toMatchObject({ messageCount: 0 });
  });

  test('when stop() is called with intents in flight, then it waits for their decisions and acks them before closing', async () => {
    const name = newQueueName('stop');
    const { queue, metrics } = newQueue({ queue: name });
    let started = 0;
    let finished = 0;
    await queue.start(async (intent) => {
      started += 1;
      await sleep(300);
      finished += 1;
      return aDecision(intent);
    });
    await queue.whenReady(10_000);
    await queue.submit([aUniqueIntent('svc-a'), aUniqueIntent('svc-b'), aUniqueIntent('svc-c')]);
    await waitFor('3 handlers running', () => started === 3);
    await queue.stop();
    expect(finished).toBe(3);
    expect(await counterValue(metrics.intentsConsumed)).toBe(3);
    expect(await counterValue(metrics.brokerConnected)).toBe(0);
    expect(queue.notReadyReason()).toBe('intent queue stopped');
    await expect(queue.submit([aUniqueIntent('svc-a')])).rejects.toBeInstanceOf(TransientError);
    // The broker drops the consumer asynchronously after the connection closed.
    await waitFor('no consumer and nothing left', async () => {
      const state = await withChannel(admin, (channel) => channel.checkQueue(name));
      return state.messageCount === 0 && state.consumerCount === 0;
    });
  });

  test('when the intent queue is deleted under a running consumer, then it re-declares the queue and consumes again by itself', async () => {
    const name = newQueueName('deleted');
    const { queue } = newQueue({ queue: name });
    const { seen, handler } = recordingHandler();
    await queue.start(handler);
    await queue.whenReady(10_000);
    await withChannel(admin, (channel) => channel.deleteQueue(name));
    await waitFor('queue declared again and consumed', async () => {
      const state = await withChannel(admin, (channel) => channel.checkQueue(name)).catch(() => undefined);
      return state?.consumerCount === 1 && queue.notReadyReason() === undefined;
    });
    const after = aUniqueIntent('svc-a');
    await queue.submit([after]);
    await waitFor('intent handled after re-declaration', () => seen.some((intent) => intent.key === after.key));
  });

  test('when the intent queue is deleted under a publisher that does not consume, then submit answers with a TransientError and the retry is stored', async () => {
    const name = newQueueName('noroute');
    const { queue } = newQueue({ queue: name });
    await queue.whenReady(10_000);
    await withChannel(admin, (channel) => channel.deleteQueue(name));
    await expect(queue.submit([aUniqueIntent('svc-a')])).rejects.toThrow(/NO_ROUTE/);
    await queue.whenReady(10_000);
    await expect(queue.submit([aUniqueIntent('svc-a')])).resolves.toEqual({ mode: 'queued', count: 1 });
    expect(await withChannel(admin, (channel) => channel.checkQueue(name))).toMatchObject({ messageCount: 1 });
  });

  test('when the queue already exists with other arguments, then readiness names the broker refusal and submit answers with a TransientError', async () => {
    const name = newQueueName('mismatch');
    await withChannel(admin, (channel) => channel.assertQueue(name, { durable: true })); // a classic queue
    const { queue } = newQueue({ queue: name });
    await waitFor('readiness reports the refusal', () => /PRECONDITION_FAILED|inequivalent arg/.test(queue.notReadyReason() ?? ''));
    expect(queue.notReadyReason()).toMatch(/reconnecting/);
    await expect(queue.submit([aUniqueIntent('svc-a')])).rejects.toBeInstanceOf(TransientError);
  });
});
