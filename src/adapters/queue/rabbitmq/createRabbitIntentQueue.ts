import { randomUUID } from 'node:crypto';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type winston from 'winston';
import { IntentExpiredError, TransientError } from '../../../app/errors';
import type { IntentHandler, IntentQueue, SubmitReceipt } from '../../../app/ports';
import { createKeyedSerializer } from '../createKeyedSerializer';
import type { Decision, ScaleIntent } from '../../../domain/types';
import type { Metrics } from '../../observability/metrics';
import { BrokerConnection, describeError, type ReconnectOptions } from './brokerConnection';
import { deriveConsumerLimits, withHeartbeat } from './deriveConsumerLimits';
import { decodeIntent, encodeIntent, INTENT_MESSAGE_TYPE } from './intentCodec';
import { type DEAD_LETTER_REASONS, declareIntentTopology, intentTopology, type IntentTopology } from './topology';

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
  /** Shown in `rabbitmqctl list_connections`. Default `alertscale-intents`. */
  connectionName?: string;
  now?: () => number;
}

export interface RabbitIntentQueue extends IntentQueue {
  readonly topology: IntentTopology;
  /** Resolves once connected with topology declared (and consuming, if started); rejects after timeoutMs. */
  whenReady(timeoutMs?: number): Promise<void>;
}

class NoRouteError extends Error {
  constructor(queue: string) {
    super(`the broker could not route it to queue ${queue} (NO_ROUTE: queue missing)`);
    this.name = 'NoRouteError';
  }
}

type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** How far ahead of this instance's clock another instance's receivedAt may be (NTP keeps nodes well within it). */
const MAX_CLOCK_SKEW_MS = 30_000;

/** Quorum queues count earlier deliveries in `x-delivery-count` (absent or 0 on the first). */
function deliveryCount(message: ConsumeMessage): number {
  const raw: unknown = message.properties.headers?.['x-delivery-count'];
  const count = typeof raw === 'number' ? raw : Number(raw ?? 0);
  return Number.isFinite(count) ? count : 0;
}

/**
 * IntentQueue on a RabbitMQ quorum queue (see docs/adr/0002-quorum-queue-for-intents.md).
 * submit() resolves only once the broker confirmed every intent, else throws
 * TransientError (503: Alertmanager retries). Consumers ack after the decision is
 * recorded and requeue retryable ones; stale and malformed intents are dead-lettered.
 * Connects in the background at creation and reconnects by itself.
 */
export function createRabbitIntentQueue(options: RabbitIntentQueueOptions): RabbitIntentQueue {
  const { metrics, logger } = options;
  const topology = intentTopology(options.queue, options.deliveryLimit);
  const ttlMs = options.intentTtlMs;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`intentTtlMs must be a positive number of ms, got ${ttlMs}`);
  const limits = deriveConsumerLimits(ttlMs, options.decisionBudgetMs ?? 5000);
  const prefetch = options.prefetch ?? limits.prefetch;
  const url = withHeartbeat(options.url, limits.heartbeatSeconds);
  const requeueDelayMs = options.requeueDelayMs ?? 1000;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  const runExclusive = createKeyedSerializer();

  let handler: IntentHandler | undefined;
  let stopping = false;
  let publishChannel: { model: ChannelModel; channel: ConfirmChannel } | undefined;
  let consumer: { model: ChannelModel; channel: Channel; consumerTag: string } | undefined;
  /** Opened by start(): consumers get their own connection (see below). */
  let consuming: BrokerConnection | undefined;
  /** messageIds the broker returned as unroutable (basic.return precedes the confirm). */
  const returned = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const wakeOnStop = new Set<() => void>();

  metrics.brokerConnected.set(0);
  const connectionName = options.connectionName ?? 'alertscale-intents';
  const updateConnectedGauge = () => metrics.brokerConnected.set(publishing.isReady() && (!consuming || consuming.isReady()) ? 1 : 0);

  /*
   * Publishing and consuming use separate connections, as RabbitMQ recommends:
   * during a memory or disk alarm the broker blocks connections that publish,
   * and acks on a blocked connection would wait too, just when the backlog
   * most needs draining.
   */
  const publishing = new BrokerConnection({
    url,
    connectionName: `${connectionName}-publish`,
    logger,
    reconnect: options.reconnect,
    onConnect: async (model) => {
      const channel = await model.createConfirmChannel();
      watchChannel(publishing, model, channel, 'publish');
      channel.on('return', (message: ConsumeMessage) => {
        if (message.properties.messageId) returned.add(String(message.properties.messageId));
      });
      await declareIntentTopology(channel, topology);
      publishChannel = { model, channel };
    },
    onLost: (model) => {
      if (publishChannel?.model === model) publishChannel = undefined;
      returned.clear();
    },
    onReadyChange: updateConnectedGauge,
  });
  publishing.open();

  function openConsumerConnection(): BrokerConnection {
    const connection: BrokerConnection = new BrokerConnection({
      url,
      connectionName: `${connectionName}-consume`,
      logger,
      reconnect: options.reconnect,
      onConnect: async (model) => {
        const channel = await model.createChannel();
        watchChannel(connection, model, channel, 'consume');
        await declareIntentTopology(channel, topology);
        await channel.prefetch(prefetch, false);
        const { consumerTag } = await channel.consume(topology.queue, (message) => onDelivery(connection, model, channel, message), { noAck: false });
        consumer = { model, channel, consumerTag };
        logger.info(`consuming intents from ${topology.queue} (prefetch ${prefetch}, heartbeat ${limits.heartbeatSeconds}s)`, {
          event: 'intent_consumer_started',
          queue: topology.queue,
        });
      },
      onLost: (model) => {
        if (consumer?.model === model) consumer = undefined;
      },
      onReadyChange: updateConnectedGauge,
    });
    connection.open();
    return connection;
  }

  /** A channel that dies on a live connection (e.g. 406 from the broker) recycles the whole connection. */
  function watchChannel(connection: BrokerConnection, model: ChannelModel, channel: Channel, role: string): void {
    let lastError: string | undefined;
    channel.on('error', (error: Error) => {
      lastError = describeError(error);
      logger.warn(`broker ${role} channel error: ${lastError}`, { event: 'broker_channel_error', role });
    });
    channel.on('close', () => {
      // The connection closes its channels before it emits its own 'close': let that run first.
      setImmediate(() => {
        if (stopping || connection.current !== model) return;
        connection.recycle(model, `${role} channel closed${lastError ? `: ${lastError}` : ''}`);
      });
    });
  }

  function sleepUnlessStopping(ms: number): Promise<void> {
    if (stopping || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakeOnStop.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakeOnStop.add(wake);
    });
  }

  /** Ack/nack on the channel that delivered. If it is gone, the broker has already requeued the message. */
  function settle(channel: Channel, message: ConsumeMessage, how: 'ack' | 'requeue' | 'reject'): boolean {
    try {
      if (how === 'ack') channel.ack(message);
      else if (how === 'requeue') channel.nack(message, false, true);
      else channel.reject(message, false);
      return true;
    } catch (error) {
      logger.warn(`could not ${how} intent message (channel gone; the broker redelivers it): ${describeError(error)}`, { event: 'intent_settle_failed' });
      return false;
    }
  }

  function deadLetter(channel: Channel, message: ConsumeMessage, reason: DeadLetterReason, text: string, meta: Record<string, unknown>): void {
    if (settle(channel, message, 'reject')) metrics.intentsDeadLettered.inc({ reason });
    logger.warn(`intent dead-lettered (${reason}): ${text}`, {
      event: 'intent_dead_lettered',
      reason,
      queue: topology.deadLetterQueue,
      messageId: message.properties.messageId as unknown,
      ...meta,
    });
  }

  function onDelivery(connection: BrokerConnection, model: ChannelModel, channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      if (!stopping && connection.current === model) connection.recycle(model, `consumer cancelled by the broker (queue ${topology.queue} deleted?)`);
      return;
    }
    if (stopping) {
      settle(channel, message, 'requeue'); // arrived between stop() and cancel-ok: leave it to another instance
      return;
    }
    const task = handleDelivery(channel, message).catch((error: unknown) => {
      logger.error(`intent consumer failed: ${describeError(error)}`, { event: 'intent_consumer_error' });
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  }

  async function handleDelivery(channel: Channel, message: ConsumeMessage): Promise<void> {
    const decoded = decodeIntent(message.content);
    if (!decoded.ok) {
      deadLetter(channel, message, 'malformed', decoded.error, {});
      return;
    }
    const intent = decoded.intent;
    const meta = { key: intent.key, service: intent.service, action: intent.action, receivedAt: intent.receivedAt };
    const ageMs = now() - Date.parse(intent.receivedAt);
    if (ageMs < -MAX_CLOCK_SKEW_MS) {
      // It would never expire, and a key written before it was "received" would not count as a duplicate.
      deadLetter(
        channel,
        message,
        'malformed',
        `${intent.action} for ${intent.service} claims to be received ${(-ageMs / 1000).toFixed(1)}s in the future (forged, or a clock off by more than ${MAX_CLOCK_SKEW_MS / 1000}s)`,
        meta,
      );
      return;
    }
    if (ageMs > ttlMs) {
      deadLetter(
        channel,
        message,
        'expired',
        `${intent.action} for ${intent.service} was received ${(ageMs / 1000).toFixed(1)}s ago, past INTENT_TTL (${ttlMs / 1000}s); a stale intent is never applied`,
        meta,
      );
      return;
    }
    const decide = handler;
    if (!decide) {
      settle(channel, message, 'requeue');
      return;
    }
    let decision: Decision | undefined;
    let failure: unknown;
    try {
      decision = await runExclusive(intent.service, () => decide(intent, { expiresAtMs: Date.parse(intent.receivedAt) + ttlMs }));
    } catch (error) {
      failure = error;
    }
    if (failure instanceof IntentExpiredError) {
      deadLetter(channel, message, 'expired', failure.message, meta);
      return;
    }
    if (decision && decision.retryable !== true) {
      if (settle(channel, message, 'ack')) metrics.intentsConsumed.inc();
      return;
    }
    const why = failure !== undefined ? `handler failed: ${describeError(failure)}` : (decision?.reason ?? 'retryable');
    const delivery = deliveryCount(message) + 1;
    const lastDelivery = delivery > topology.deliveryLimit;
    if (lastDelivery) {
      // Requeueing past x-delivery-limit makes the broker dead-letter it with reason delivery_limit.
      logger.warn(`intent dead-lettered (delivery_limit): ${intent.action} for ${intent.service} still failing after ${delivery} deliveries: ${why}`, {
        event: 'intent_dead_lettered',
        reason: 'delivery_limit',
        queue: topology.deadLetterQueue,
        ...meta,
      });
    } else {
      logger.warn(`intent requeued (delivery ${delivery} of ${topology.deliveryLimit + 1}): ${why}`, { event: 'intent_requeued', ...meta });
    }
    await sleepUnlessStopping(requeueDelayMs);
    if (settle(channel, message, 'requeue') && lastDelivery) metrics.intentsDeadLettered.inc({ reason: 'delivery_limit' });
  }

  function publishOne(channel: ConfirmChannel, intent: ScaleIntent): Promise<void> {
    const messageId = randomUUID();
    return new Promise<void>((resolve, reject) => {
      try {
        channel.sendToQueue(
          topology.queue,
          encodeIntent(intent),
          {
            persistent: true,
            mandatory: true,
            expiration: String(ttlMs),
            contentType: 'application/json',
            type: INTENT_MESSAGE_TYPE,
            appId: 'alertscale',
            messageId,
            timestamp: Math.floor(now() / 1000),
          },
          (error: unknown) => {
            const wasReturned = returned.delete(messageId);
            if (error) reject(error instanceof Error ? error : new Error(describeError(error)));
            else if (wasReturned) reject(new NoRouteError(topology.queue));
            else resolve();
          },
        );
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    topology,

    async submit(intents: ScaleIntent[]): Promise<SubmitReceipt> {
      if (stopping) throw new TransientError('intents not stored: the intent queue is shutting down', 'publish');
      if (intents.length === 0) return { mode: 'queued', count: 0 };
      const target = publishChannel;
      if (!target) throw new TransientError(`intents not stored: ${publishing.status() ?? 'broker channel not open yet'}`, 'publish');
      if (publishing.blocked) throw new TransientError(`intents not stored: the broker blocks publishing (${publishing.blocked})`, 'publish');
      const endTimer = metrics.publishConfirmDuration.startTimer();
      const publishes = intents.map((intent) => publishOne(target.channel, intent));
      try {
        await withTimeout(Promise.all(publishes), confirmTimeoutMs, 'no publisher confirm');
      } catch (error) {
        for (const publish of publishes) publish.catch(() => undefined);
        // The queue is gone (deleted by hand): reconnect, which declares it again, so the retry succeeds.
        if (error instanceof NoRouteError) publishing.recycle(target.model, error.message);
        throw new TransientError(`intents not stored: ${describeError(error)}`, 'publish');
      }
      endTimer();
      metrics.intentsPublished.inc(intents.length);
      return { mode: 'queued', count: intents.length };
    },

    async start(next: IntentHandler): Promise<void> {
      if (stopping) throw new Error('the intent queue was stopped; create a new one');
      if (handler) throw new Error('the intent queue was already started');
      handler = next;
      // Consumes once connected, and again after every reconnect; never throws (readiness tells).
      consuming = openConsumerConnection();
      updateConnectedGauge();
    },

    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      for (const wake of [...wakeOnStop]) wake();
      const active = consumer;
      if (active) await active.channel.cancel(active.consumerTag).catch(() => undefined);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      if (active) await active.channel.close().catch(() => undefined);
      if (publishChannel) await publishChannel.channel.close().catch(() => undefined);
      consumer = undefined;
      publishChannel = undefined;
      await consuming?.close();
      await publishing.close();
      metrics.brokerConnected.set(0);
    },

    notReadyReason(): string | undefined {
      if (stopping) return 'intent queue stopped';
      const status = publishing.status();
      if (status) return status;
      if (publishing.blocked) return `the broker blocks publishing (${publishing.blocked}); the webhook answers 503 until the alarm clears`;
      if (!consuming) return 'intent consumer not started';
      const consumerStatus = consuming.status();
      if (consumerStatus) return `intent consumer: ${consumerStatus}`;
      if (!consumer) return `not consuming ${topology.queue} yet`;
      return undefined;
    },

    async whenReady(timeoutMs?: number): Promise<void> {
      await publishing.whenReady(timeoutMs);
      await consuming?.whenReady(timeoutMs);
    },
  };
}
