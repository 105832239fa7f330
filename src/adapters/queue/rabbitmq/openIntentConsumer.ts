import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { IntentHandler } from '../../../app/ports';
import { createKeyedSerializer } from '../createKeyedSerializer';
import { BrokerConnection } from './connection/brokerConnection';
import { describeError } from './connection/describeError';
import { watchChannel } from './connection/watchChannel';
import { createInterruptibleSleep } from './createInterruptibleSleep';
import { handleIntentDelivery, type IntentDeliveryContext } from './handleIntentDelivery';
import type { IntentConnectionOptions } from './intentConnectionOptions';
import { settleDelivery } from './settleDelivery';
import { declareIntentTopology } from './topology';

export interface IntentConsumerOptions extends IntentConnectionOptions {
  prefetch: number;
  /** For the log line only: already in the URL. */
  heartbeatSeconds: number;
  requeueDelayMs: number;
  decide: IntentHandler;
}

export interface IntentConsumer {
  readonly connection: BrokerConnection;
  /** Undefined while a consumer runs on the current connection, else why not. */
  notConsumingReason(): string | undefined;
  /** Stops taking deliveries, waits for the decisions in flight to be settled, then closes. */
  stop(): Promise<void>;
}

/**
 * Consumes the intent queue on its own connection (a broker alarm blocks
 * publishing connections, and acks on one would wait too), again after every
 * reconnect, with the prefetch and heartbeat derived from INTENT_TTL.
 */
export function openIntentConsumer(options: IntentConsumerOptions): IntentConsumer {
  const { topology, prefetch, logger } = options;
  const pause = createInterruptibleSleep();
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let consumer: { model: ChannelModel; channel: Channel; consumerTag: string } | undefined;
  const context: IntentDeliveryContext = {
    topology,
    ttlMs: options.ttlMs,
    now: options.now,
    decide: options.decide,
    runExclusive: createKeyedSerializer(),
    pauseBeforeRequeue: () => pause.sleep(options.requeueDelayMs),
    metrics: options.metrics,
    logger,
  };

  function onDelivery(model: ChannelModel, channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      if (!stopping && connection.current === model) connection.recycle(model, `consumer cancelled by the broker (queue ${topology.queue} deleted?)`);
      return;
    }
    if (stopping) {
      settleDelivery(channel, message, 'requeue', logger); // arrived between stop() and cancel-ok: leave it to another instance
      return;
    }
    const task = handleIntentDelivery(context, channel, message).catch((error: unknown) => {
      logger.error(`intent consumer failed: ${describeError(error)}`, { event: 'intent_consumer_error' });
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  }

  // url, connectionName, logger, reconnect and onReadyChange are the connection's own options.
  const connection: BrokerConnection = new BrokerConnection({
    ...options,
    onConnect: async (model) => {
      const channel = await model.createChannel();
      watchChannel(connection, model, channel, { role: 'consume', logger, isClosing: () => stopping });
      await declareIntentTopology(channel, topology);
      await channel.prefetch(prefetch, false);
      const { consumerTag } = await channel.consume(topology.queue, (message) => onDelivery(model, channel, message), { noAck: false });
      consumer = { model, channel, consumerTag };
      logger.info(`consuming intents from ${topology.queue} (prefetch ${prefetch}, heartbeat ${options.heartbeatSeconds}s)`, {
        event: 'intent_consumer_started',
        queue: topology.queue,
      });
    },
    onLost: (model) => {
      if (consumer?.model === model) consumer = undefined;
    },
  });
  connection.open();

  return {
    connection,
    notConsumingReason(): string | undefined {
      const status = connection.status();
      if (status) return `intent consumer: ${status}`;
      if (!consumer) return `not consuming ${topology.queue} yet`;
      return undefined;
    },
    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      pause.interrupt();
      const active = consumer;
      if (active) await active.channel.cancel(active.consumerTag).catch(() => undefined);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      if (active) await active.channel.close().catch(() => undefined);
      consumer = undefined;
      await connection.close();
    },
  };
}
