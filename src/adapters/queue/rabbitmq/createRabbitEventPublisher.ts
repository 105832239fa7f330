import { randomUUID } from 'node:crypto';
import type { Channel, ChannelModel } from 'amqplib';
import type winston from 'winston';
import type { DecisionEventPublisher, DecisionRecord } from '../../../app/ports';
import type { Decision } from '../../../domain/types';
import { BrokerConnection, type ReconnectOptions } from './connection/brokerConnection';
import { closeChannelThenConnection } from './connection/closeChannelThenConnection';
import { describeError } from './connection/describeError';
import { watchChannel } from './connection/watchChannel';
import { declareEventsExchange, DEFAULT_EVENTS_EXCHANGE } from './topology';

export const DECISION_EVENT_TYPE = 'alertscale.decision.v1';

export interface RabbitEventPublisherOptions {
  /** AMQP_URL */
  url: string;
  logger: winston.Logger;
  /** Durable topic exchange. Default `alertscale.events`. */
  exchange?: string;
  reconnect?: ReconnectOptions;
  /** Shown in `rabbitmqctl list_connections`. Default `alertscale-events`. */
  connectionName?: string;
}

export interface RabbitEventPublisher extends DecisionEventPublisher {
  /** Resolves once connected with the exchange declared; rejects after timeoutMs. */
  whenReady(timeoutMs?: number): Promise<void>;
  /** Undefined when events can be published; informational (events are best effort, not a readiness condition). */
  notReadyReason(): string | undefined;
  /** Events dropped since creation (broker down or socket backed up). */
  droppedCount(): number;
  close(): Promise<void>;
}

/** AMQP short strings: a routing key is at most 255 bytes. */
export function decisionRoutingKey(decision: Decision): string {
  const key = `${decision.outcome}.${decision.service}`;
  const bytes = Buffer.from(key, 'utf8');
  return bytes.length <= 255
    ? key
    : bytes
        .subarray(0, 255)
        .toString('utf8')
        .replace(/\uFFFD+$/, '');
}

/**
 * Publishes every decision to the topic exchange `alertscale.events`, routing key
 * `<outcome>.<service>` (bind `scaled.#`, `*.shop_worker`, `#`). Best effort by
 * design: the decision is already applied and logged, so publish() never throws
 * and never waits for the broker. While the broker is unreachable, or while the
 * socket is backed up (publish() returned false until 'drain'), events are dropped,
 * with one warning per outage and a count when it ends. Own connection, so a
 * blocked or restarting event path never delays intent acks.
 */
export function createRabbitEventPublisher(options: RabbitEventPublisherOptions): RabbitEventPublisher {
  const { logger } = options;
  const exchange = options.exchange ?? DEFAULT_EVENTS_EXCHANGE;
  let current: { model: ChannelModel; channel: Channel } | undefined;
  let closing = false;
  let saturated = false;
  let dropped = 0;
  let droppedThisOutage = 0;

  const connection: BrokerConnection = new BrokerConnection({
    url: options.url,
    connectionName: options.connectionName ?? 'alertscale-events',
    logger,
    reconnect: options.reconnect,
    onConnect: async (model) => {
      const channel = await model.createChannel();
      watchChannel(connection, model, channel, { role: 'events', logger, isClosing: () => closing });
      channel.on('drain', () => {
        saturated = false;
      });
      await declareEventsExchange(channel, exchange);
      current = { model, channel };
      saturated = false;
      if (droppedThisOutage > 0) {
        logger.warn(`${droppedThisOutage} decision events were dropped while the broker was unavailable`, { event: 'decision_events_dropped', count: droppedThisOutage });
        droppedThisOutage = 0;
      }
    },
    onLost: (model) => {
      if (current?.model === model) current = undefined;
    },
  });
  connection.open();

  function drop(decision: Decision, why: string): void {
    dropped += 1;
    droppedThisOutage += 1;
    if (droppedThisOutage === 1) {
      logger.warn(`decision events are dropped until the broker is back: ${why}`, { event: 'decision_event_dropped', service: decision.service, outcome: decision.outcome });
    }
  }

  return {
    async publish(decision: DecisionRecord): Promise<void> {
      const target = current;
      if (closing) return drop(decision, 'event publisher closed');
      if (!target) return drop(decision, connection.status() ?? 'no channel');
      if (saturated) return drop(decision, 'the connection to the broker is backed up');
      try {
        const ok = target.channel.publish(exchange, decisionRoutingKey(decision), Buffer.from(JSON.stringify(decision), 'utf8'), {
          persistent: true,
          contentType: 'application/json',
          type: DECISION_EVENT_TYPE,
          appId: 'alertscale',
          messageId: decision.id ?? randomUUID(),
          timestamp: Math.floor(Date.now() / 1000),
        });
        if (!ok) saturated = true;
      } catch (error) {
        drop(decision, describeError(error));
      }
    },
    whenReady(timeoutMs?: number): Promise<void> {
      return connection.whenReady(timeoutMs);
    },
    notReadyReason(): string | undefined {
      return closing ? 'event publisher closed' : connection.status();
    },
    droppedCount(): number {
      return dropped;
    },
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      const target = current;
      current = undefined;
      await closeChannelThenConnection(target?.channel, connection);
    },
  };
}
