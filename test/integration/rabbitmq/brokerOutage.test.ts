/**
 * Stops the RabbitMQ application (`rabbitmqctl stop_app`) under running instances
 * and starts it again; raises a memory alarm (`set_vm_memory_high_watermark`).
 * Both are ALWAYS restored, in a finally and again in afterAll.
 */
import { TransientError } from '../../../src/app/errors';
import { createMetrics } from '../../../src/adapters/observability/metrics';
import { createRabbitEventPublisher } from '../../../src/adapters/queue/rabbitmq/createRabbitEventPublisher';
import { createRabbitIntentQueue } from '../../../src/adapters/queue/rabbitmq/createRabbitIntentQueue';
import { intentTopology } from '../../../src/adapters/queue/rabbitmq/topology';
import type { ScaleIntent } from '../../../src/domain/types';
import { counterValue, drainQueue, FAST_RECONNECT, testLogger } from './support';
import { uniqueName } from '../../../harness/docker';
import { waitFor } from '../../../harness/polling';
import { AMQP_URL, connectBroker, deleteIntentTopology, rabbitmqctl, withChannel } from '../../../harness/rabbit';
import { aDecision, aUniqueIntent } from '../../support/builders';

jest.setTimeout(90_000);

async function ensureBrokerRunning(): Promise<void> {
  await rabbitmqctl('start_app').catch(() => undefined);
  await rabbitmqctl('await_startup').catch(() => undefined);
}

/** The watermark found at the start (0.4 unless configured otherwise), restored after the alarm test. */
let originalWatermark = '0.4';
async function restoreWatermark(): Promise<void> {
  await rabbitmqctl('set_vm_memory_high_watermark', originalWatermark).catch(() => undefined);
}

describe('RabbitMQ intent queue across a broker outage (real broker)', () => {
  const logger = testLogger();
  const name = uniqueName('alertscale.test.outage');
  const backlogName = uniqueName('alertscale.test.outage-backlog');
  const exchange = uniqueName('alertscale.test.outage-events');
  const alarmName = uniqueName('alertscale.test.alarm');
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    const admin = await connectBroker(); // fails the file when the broker is missing
    await admin.close();
    const watermark = (await rabbitmqctl('eval', 'vm_memory_monitor:get_vm_memory_high_watermark().')).trim();
    if (/^\d+(\.\d+)?$/.test(watermark)) originalWatermark = watermark;
  });

  afterAll(async () => {
    await ensureBrokerRunning();
    await restoreWatermark();
    while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
    const admin = await connectBroker();
    await deleteIntentTopology(admin, intentTopology(name));
    await deleteIntentTopology(admin, intentTopology(backlogName));
    await withChannel(admin, (channel) => channel.deleteExchange(exchange)).catch(() => undefined);
    await deleteIntentTopology(admin, intentTopology(alarmName));
    await admin.close();
  });

  test('when the broker stops while running, then submit throws TransientError and readiness says why; when it is back, then the queue recovers by itself and nothing confirmed is lost', async () => {
    const metrics = createMetrics();
    const queue = createRabbitIntentQueue({ url: AMQP_URL, metrics, logger, intentTtlMs: 60_000, queue: name, reconnect: FAST_RECONNECT });
    cleanups.push(() => queue.stop());
    const backlog = createRabbitIntentQueue({ url: AMQP_URL, metrics: createMetrics(), logger, intentTtlMs: 60_000, queue: backlogName, reconnect: FAST_RECONNECT });
    cleanups.push(() => backlog.stop());
    const events = createRabbitEventPublisher({ url: AMQP_URL, logger, exchange, reconnect: FAST_RECONNECT });
    cleanups.push(() => events.close());

    const seen: ScaleIntent[] = [];
    await queue.start(async (intent) => {
      seen.push(intent);
      const decision = aDecision(intent, 'scaled');
      await events.publish(decision);
      return decision;
    });
    await Promise.all([queue.whenReady(10_000), backlog.whenReady(10_000), events.whenReady(10_000)]);
    const before = aUniqueIntent('svc-a');
    await queue.submit([before]);
    await waitFor('the first intent handled', () => seen.length === 1);
    // Confirmed while no consumer runs: must survive the broker restart.
    const stored = [aUniqueIntent('svc-b'), aUniqueIntent('svc-c'), aUniqueIntent('svc-d')];
    await backlog.submit(stored);

    try {
      await rabbitmqctl('stop_app');
      await waitFor('readiness reports the lost connection', () => queue.notReadyReason() !== undefined, 15_000);
      expect(queue.notReadyReason()).toMatch(/^broker connection lost: .+; reconnecting/);
      expect(await counterValue(metrics.brokerConnected)).toBe(0);
      const failed = queue.submit([aUniqueIntent('svc-a')]);
      await expect(failed).rejects.toBeInstanceOf(TransientError);
      await expect(failed).rejects.toThrow(/intents not stored: broker connection lost/);
      await expect(events.publish(aDecision(aUniqueIntent('svc-a'), 'scaled'))).resolves.toBeUndefined();
      expect(events.droppedCount()).toBe(1);
    } finally {
      await ensureBrokerRunning();
    }

    await queue.whenReady(60_000);
    await waitFor('consuming again', () => queue.notReadyReason() === undefined, 30_000);
    expect(await counterValue(metrics.brokerConnected)).toBe(1);
    await events.whenReady(30_000);

    const admin = await connectBroker();
    cleanups.push(() => admin.close());
    const eventQueue = uniqueName('alertscale.test.outage-events-bound');
    await withChannel(admin, async (channel) => {
      await channel.assertQueue(eventQueue, { durable: false, autoDelete: true });
      await channel.bindQueue(eventQueue, exchange, 'scaled.*');
    });
    cleanups.push(() => withChannel(admin, (channel) => channel.deleteQueue(eventQueue)));

    const after = aUniqueIntent('svc-e');
    await expect(queue.submit([after])).resolves.toEqual({ mode: 'queued', count: 1 });
    await waitFor('the intent submitted after recovery handled', () => seen.some((intent) => intent.key === after.key), 15_000);
    const [event] = await drainQueue(admin, eventQueue, 1);
    expect(event?.fields.routingKey).toBe('scaled.svc-e');

    const backlogSeen: string[] = [];
    await backlog.start(async (intent) => {
      backlogSeen.push(intent.key);
      return aDecision(intent);
    });
    await waitFor('the intents stored before the outage handled', () => backlogSeen.length >= 3, 15_000);
    expect(backlogSeen.sort()).toEqual(stored.map((intent) => intent.key).sort());
    expect(seen.filter((intent) => intent.key === before.key)).toHaveLength(1);
  });

  test('when the broker raises a memory alarm, then submit answers with a TransientError while consumers on their own connection keep deciding', async () => {
    const metrics = createMetrics();
    const queue = createRabbitIntentQueue({ url: AMQP_URL, metrics, logger, intentTtlMs: 60_000, queue: alarmName, reconnect: FAST_RECONNECT, confirmTimeoutMs: 1000 });
    cleanups.push(() => queue.stop());
    await queue.whenReady(10_000);
    const queued = [aUniqueIntent('svc-a'), aUniqueIntent('svc-b'), aUniqueIntent('svc-c')];
    await queue.submit(queued);

    const seen: string[] = [];
    try {
      await rabbitmqctl('set_vm_memory_high_watermark', '0.0000001');
      // The broker blocks a connection when it next publishes: the first submit times out waiting for its confirm...
      await expect(queue.submit([aUniqueIntent('svc-a')])).rejects.toThrow(/intents not stored: no publisher confirm after 1000 ms/);
      // ...after which the 'blocked' notification makes submit answer at once.
      await waitFor(
        'publishing blocked',
        async () => {
          const started = Date.now();
          const error = await queue.submit([aUniqueIntent('svc-a')]).catch((failure: unknown) => failure);
          return error instanceof TransientError && /blocks publishing/.test(error.message) && Date.now() - started < 500;
        },
        10_000,
        100,
      );
      expect(queue.notReadyReason()).toMatch(/^the broker blocks publishing \(low on memory\)/);
      await queue.start(async (intent) => {
        seen.push(intent.key);
        return aDecision(intent);
      });
      await waitFor('intents queued before the alarm decided and acked during it', async () => (await counterValue(metrics.intentsConsumed)) === 3, 15_000);
      expect(seen.sort()).toEqual(queued.map((intent) => intent.key).sort());
    } finally {
      await restoreWatermark();
    }
    await waitFor(
      'publishing unblocked',
      async () => {
        const receipt = await queue.submit([aUniqueIntent('svc-d')]).catch(() => undefined);
        return receipt?.mode === 'queued';
      },
      15_000,
      200,
    );
  });
});
