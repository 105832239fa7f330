import { randomUUID } from 'node:crypto';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { TransientError } from '../../../app/errors';
import type { ScaleIntent } from '../../../domain/types';
import { BrokerConnection } from './connection/brokerConnection';
import { closeChannelThenConnection } from './connection/closeChannelThenConnection';
import { describeError } from './connection/describeError';
import { watchChannel } from './connection/watchChannel';
import type { IntentConnectionOptions } from './intentConnectionOptions';
import { encodeIntent, INTENT_MESSAGE_TYPE } from './intentCodec';
import { declareIntentTopology } from './topology';
import { withTimeout } from './withTimeout';

export interface IntentPublisherOptions extends IntentConnectionOptions {
  /** How long publish() waits for publisher confirms. */
  confirmTimeoutMs: number;
}

export interface IntentPublisher {
  readonly connection: BrokerConnection;
  /** Resolves once the broker confirmed every intent; else throws TransientError (503: Alertmanager retries). */
  publish(intents: ScaleIntent[]): Promise<void>;
  close(): Promise<void>;
}

class NoRouteError extends Error {
  constructor(queue: string) {
    super(`the broker could not route it to queue ${queue} (NO_ROUTE: queue missing)`);
    this.name = 'NoRouteError';
  }
}

/**
 * Publishes intents persistent and mandatory on a confirm channel of its own
 * connection; the topology is declared on every (re)connect. Fails fast, never
 * waits for a reconnect: the webhook answers 503 and Alertmanager retries.
 */
export function openIntentPublisher(options: IntentPublisherOptions): IntentPublisher {
  const { topology, metrics, logger } = options;
  let closing = false;
  let current: { model: ChannelModel; channel: ConfirmChannel } | undefined;
  /** messageIds the broker returned as unroutable (basic.return precedes the confirm). */
  const returned = new Set<string>();

  // url, connectionName, logger, reconnect and onReadyChange are the connection's own options.
  const connection: BrokerConnection = new BrokerConnection({
    ...options,
    onConnect: async (model) => {
      const channel = await model.createConfirmChannel();
      watchChannel(connection, model, channel, { role: 'publish', logger, isClosing: () => closing });
      channel.on('return', (message: ConsumeMessage) => {
        if (message.properties.messageId) returned.add(String(message.properties.messageId));
      });
      await declareIntentTopology(channel, topology);
      current = { model, channel };
    },
    onLost: (model) => {
      if (current?.model === model) current = undefined;
      returned.clear();
    },
  });
  connection.open();

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
            expiration: String(options.ttlMs),
            contentType: 'application/json',
            type: INTENT_MESSAGE_TYPE,
            appId: 'alertscale',
            messageId,
            timestamp: Math.floor(options.now() / 1000),
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

  return {
    connection,
    async publish(intents: ScaleIntent[]): Promise<void> {
      const target = current;
      if (!target) throw new TransientError(`intents not stored: ${connection.status() ?? 'broker channel not open yet'}`, 'publish');
      if (connection.blocked) throw new TransientError(`intents not stored: the broker blocks publishing (${connection.blocked})`, 'publish');
      const endTimer = metrics.publishConfirmDuration.startTimer();
      const publishes = intents.map((intent) => publishOne(target.channel, intent));
      try {
        await withTimeout(Promise.all(publishes), options.confirmTimeoutMs, 'no publisher confirm');
      } catch (error) {
        for (const publish of publishes) publish.catch(() => undefined);
        // The queue is gone (deleted by hand): reconnect, which declares it again, so the retry succeeds.
        if (error instanceof NoRouteError) connection.recycle(target.model, error.message);
        throw new TransientError(`intents not stored: ${describeError(error)}`, 'publish');
      }
      endTimer();
      metrics.intentsPublished.inc(intents.length);
    },
    async close(): Promise<void> {
      closing = true;
      const channel = current?.channel;
      current = undefined;
      await closeChannelThenConnection(channel, connection);
    },
  };
}
