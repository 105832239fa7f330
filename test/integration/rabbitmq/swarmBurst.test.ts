/**
 * End to end through RabbitMQ into real Swarm services, with the production
 * decide-and-apply use case (createIntentProcessor) on two instances. Services
 * get an unsatisfiable placement constraint: replicas change in the spec while
 * no container starts, so 41 replicas cost nothing.
 */
import type { ChannelModel } from 'amqplib';
import { createIntentProcessor } from '../../../src/app/processIntent';
import type { Decision } from '../../../src/domain/types';
import { createNodeCacheDedup } from '../../../src/adapters/cache/createNodeCacheDedup';
import { createDockerClient } from '../../../src/adapters/docker/createDockerClient';
import { createDockerSwarmGateway } from '../../../src/adapters/docker/createDockerSwarmGateway';
import { createDecisionRecorder } from '../../../src/adapters/observability/createDecisionRecorder';
import { createRecentDecisions } from '../../../src/adapters/observability/createRecentDecisions';
import { createMetrics } from '../../../src/adapters/observability/metrics';
import { createRabbitEventPublisher } from '../../../src/adapters/queue/rabbitmq/createRabbitEventPublisher';
import { createRabbitIntentQueue, type RabbitIntentQueue } from '../../../src/adapters/queue/rabbitmq/createRabbitIntentQueue';
import { intentTopology } from '../../../src/adapters/queue/rabbitmq/topology';
import { drainQueue, FAST_RECONNECT, testLogger } from './support';
import { assertSwarmManager, uniqueName } from '../../../harness/docker';
import { createParkedServices, removeOrphanedServices, removeTestServices } from '../../../harness/swarmServices';
import { waitFor } from '../../../harness/polling';
import { AMQP_URL, connectBroker, deleteIntentTopology, withChannel } from '../../../harness/rabbit';
import { aUniqueIntent } from '../../support/builders';

jest.setTimeout(90_000);

const SERVICE_PREFIX = 'alertscale-test-rmq';
const SERVICES = 5;
const INTENTS_PER_SERVICE = 40;

describe('RabbitMQ intents applied to real Swarm services', () => {
  const logger = testLogger();
  const services: string[] = [];
  const name = uniqueName('alertscale.test.swarm');
  const exchange = uniqueName('alertscale.test.swarm-events');
  const eventQueue = uniqueName('alertscale.test.swarm-events-bound');
  const cleanups: Array<() => Promise<unknown>> = [];
  let admin: ChannelModel;

  beforeAll(async () => {
    admin = await connectBroker();
    await assertSwarmManager();
    await removeOrphanedServices(SERVICE_PREFIX);
    await createParkedServices(SERVICE_PREFIX, SERVICES, { 'alertscale.enabled': 'true', 'alertscale.max': '100', 'alertscale.cooldown.up': '0s' }, services);
  });

  afterAll(async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
    await removeTestServices(services);
    if (admin) {
      await deleteIntentTopology(admin, intentTopology(name));
      await withChannel(admin, (channel) => channel.deleteQueue(eventQueue)).catch(() => undefined);
      await withChannel(admin, (channel) => channel.deleteExchange(exchange)).catch(() => undefined);
      await admin.close().catch(() => undefined);
    }
  });

  test('when two instances consume a burst of 200 up intents for 5 services, then each service ends exactly 40 replicas higher and every decision is an event', async () => {
    const swarm = createDockerSwarmGateway(createDockerClient(undefined));
    const decisions: Decision[] = [];

    function newInstance(label: string): RabbitIntentQueue {
      const metrics = createMetrics();
      const events = createRabbitEventPublisher({ url: AMQP_URL, logger, exchange, reconnect: FAST_RECONNECT, connectionName: `alertscale-test-events-${label}` });
      cleanups.push(() => events.close());
      const recorder = createDecisionRecorder({ logger, metrics, recent: createRecentDecisions(), events, now: Date.now });
      const processIntent = createIntentProcessor({
        swarm,
        dedupCache: createNodeCacheDedup(30_000),
        recorder,
        settings: { ceiling: 100, dedupWindowMs: 30_000 },
        dryRun: false,
        now: Date.now,
      });
      const queue = createRabbitIntentQueue({
        url: AMQP_URL,
        metrics,
        logger,
        intentTtlMs: 120_000,
        queue: name,
        reconnect: FAST_RECONNECT,
        requeueDelayMs: 50,
        connectionName: `alertscale-test-${label}`,
      });
      cleanups.push(() => queue.stop());
      void queue.start(async (intent) => {
        const decision = await processIntent(intent);
        decisions.push(decision);
        return decision;
      });
      return queue;
    }

    const first = newInstance('a');
    const second = newInstance('b');
    await Promise.all([first.whenReady(10_000), second.whenReady(10_000)]);
    await waitFor('both consuming', () => first.notReadyReason() === undefined && second.notReadyReason() === undefined);
    await withChannel(admin, async (channel) => {
      await channel.assertExchange(exchange, 'topic', { durable: true });
      await channel.assertQueue(eventQueue, { durable: false });
      await channel.bindQueue(eventQueue, exchange, '#');
    });

    const intents = services.flatMap((service) => Array.from({ length: INTENTS_PER_SERVICE }, () => aUniqueIntent(service, { action: 'up' })));
    intents.sort(() => Math.random() - 0.5);
    const batches = Array.from({ length: intents.length / 10 }, (_, index) => intents.slice(index * 10, index * 10 + 10));
    await Promise.all(batches.map((batch, index) => (index % 2 === 0 ? first : second).submit(batch)));

    const final = () => decisions.filter((decision) => decision.retryable !== true);
    await waitFor('200 final decisions', () => final().length >= intents.length, 60_000, 100);

    const outcomes = final().reduce<Record<string, number>>((counts, decision) => ({ ...counts, [decision.outcome]: (counts[decision.outcome] ?? 0) + 1 }), {});
    expect(outcomes).toEqual({ scaled: intents.length });
    expect(new Set(final().map((decision) => decision.key)).size).toBe(intents.length);
    for (const service of services) {
      const inspected = await swarm.inspectService(service);
      expect({ service, replicas: inspected?.state.replicas }).toEqual({ service, replicas: 1 + INTENTS_PER_SERVICE });
    }
    const events = await drainQueue(admin, eventQueue, decisions.length, 15_000);
    expect(events).toHaveLength(decisions.length);
    expect(events.filter((message) => message.fields.routingKey.startsWith('scaled.')).length).toBe(intents.length);
  });
});
