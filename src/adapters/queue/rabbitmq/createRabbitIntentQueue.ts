import type winston from 'winston';
import { TransientError } from '../../../app/errors';
import type { IntentHandler, IntentQueue, SubmitReceipt } from '../../../app/ports';
import type { ScaleIntent } from '../../../domain/types';
import type { Metrics } from '../../observability/metrics';
import type { ReconnectOptions } from './connection/brokerConnection';
import { deriveConsumerLimits, withHeartbeat } from './deriveConsumerLimits';
import { openIntentConsumer, type IntentConsumer } from './openIntentConsumer';
import { openIntentPublisher } from './openIntentPublisher';
import { intentTopology, type IntentTopology } from './topology';

export interface RabbitIntentQueueOptions {
  /** AMQP_URL, e.g. amqp://user:pass@rabbitmq:5672/vhost?heartbeat=30 */
  url: string;
  metrics: Metrics;
  logger: winston.Logger;
  /** INTENT_TTL in ms: per-message expiration, the age limit checked again at consume time and before the Docker write; sets heartbeat and prefetch. */
  intentTtlMs: number;
  /** The longest one decision may take (DOCKER_RETRY_DEADLINE), for the derived prefetch. Default 5000. */
  decisionBudgetMs?: number;
  /** Default `alertscale.intents`; the dead-letter exchange and queue are `<queue>.dlx` and `<queue>.dead`. */
  queue?: string;
  /** Quorum `x-delivery-limit`. Default 5 (at most 6 deliveries). Fixed once the queue exists. */
  deliveryLimit?: number;
  /** Unacknowledged intents per consumer. Default: derived from the TTL (deriveConsumerLimits), at most 8. */
  prefetch?: number;
  /** Pause before requeueing an intent whose decision was retryable, so a poison message does not spin. Default 1000. */
  requeueDelayMs?: number;
  /** How long submit() waits for publisher confirms before answering 503. Default 5000. */
  confirmTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  /** Shown in `rabbitmqctl list_connections` (with `-publish` and `-consume`). Default `alertscale-intents`. */
  connectionName?: string;
  now?: () => number;
}

export interface RabbitIntentQueue extends IntentQueue {
  readonly topology: IntentTopology;
  /** Resolves once connected with topology declared (and consuming, if started); rejects after timeoutMs. */
  whenReady(timeoutMs?: number): Promise<void>;
}

/**
 * IntentQueue on a RabbitMQ quorum queue (see docs/adr/0002-quorum-queue-for-intents.md):
 * openIntentPublisher stores intents (submit() resolves only once the broker
 * confirmed every one, else throws TransientError: 503, Alertmanager retries),
 * openIntentConsumer decides them from start() on (ack after the decision is
 * recorded, requeue retryable ones, dead-letter stale and malformed ones).
 * Publishing and consuming use separate connections, as RabbitMQ recommends:
 * during a memory or disk alarm the broker blocks connections that publish, and
 * acks on a blocked connection would wait too, just when the backlog most needs
 * draining. Both connect in the background and reconnect by themselves.
 */
export function createRabbitIntentQueue(options: RabbitIntentQueueOptions): RabbitIntentQueue {
  const { metrics } = options;
  const topology = intentTopology(options.queue, options.deliveryLimit);
  const ttlMs = options.intentTtlMs;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`intentTtlMs must be a positive number of ms, got ${ttlMs}`);
  const limits = deriveConsumerLimits(ttlMs, options.decisionBudgetMs ?? 5000);
  const url = withHeartbeat(options.url, limits.heartbeatSeconds);
  const connectionName = options.connectionName ?? 'alertscale-intents';
  let stopping = false;
  let consumer: IntentConsumer | undefined;

  metrics.brokerConnected.set(0);
  const updateConnectedGauge = () => metrics.brokerConnected.set(publisher.connection.isReady() && (!consumer || consumer.connection.isReady()) ? 1 : 0);

  const both = { url, topology, ttlMs, metrics, logger: options.logger, reconnect: options.reconnect, onReadyChange: updateConnectedGauge, now: options.now ?? Date.now };
  const publisher = openIntentPublisher({ ...both, connectionName: `${connectionName}-publish`, confirmTimeoutMs: options.confirmTimeoutMs ?? 5000 });

  return {
    topology,

    async submit(intents: ScaleIntent[]): Promise<SubmitReceipt> {
      if (stopping) throw new TransientError('intents not stored: the intent queue is shutting down', 'publish');
      if (intents.length === 0) return { mode: 'queued', count: 0 };
      await publisher.publish(intents);
      return { mode: 'queued', count: intents.length };
    },

    async start(next: IntentHandler): Promise<void> {
      if (stopping) throw new Error('the intent queue was stopped; create a new one');
      if (consumer) throw new Error('the intent queue was already started');
      // Consumes once connected, and again after every reconnect; never throws (readiness tells).
      consumer = openIntentConsumer({
        ...both,
        connectionName: `${connectionName}-consume`,
        prefetch: options.prefetch ?? limits.prefetch,
        heartbeatSeconds: limits.heartbeatSeconds,
        requeueDelayMs: options.requeueDelayMs ?? 1000,
        decide: next,
      });
      updateConnectedGauge();
    },

    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      await consumer?.stop();
      await publisher.close();
      metrics.brokerConnected.set(0);
    },

    notReadyReason(): string | undefined {
      if (stopping) return 'intent queue stopped';
      const status = publisher.connection.status();
      if (status) return status;
      if (publisher.connection.blocked) return `the broker blocks publishing (${publisher.connection.blocked}); the webhook answers 503 until the alarm clears`;
      if (!consumer) return 'intent consumer not started';
      return consumer.notConsumingReason();
    },

    async whenReady(timeoutMs?: number): Promise<void> {
      await publisher.connection.whenReady(timeoutMs);
      await consumer?.connection.whenReady(timeoutMs);
    },
  };
}
