import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type winston from 'winston';
import { closeChannelThenConnection } from './closeChannelThenConnection';
import { BrokerConnection, describeError, type ReconnectOptions } from './brokerConnection';
import { DECISION_HISTORY_MS, declareDecisionStream, decodeDecisionEvent, DEFAULT_DECISION_STREAM, type DecisionEvent } from './decisionStream';
import { DEFAULT_EVENTS_EXCHANGE } from './topology';

export interface RabbitDecisionFeedOptions {
  /** AMQP_URL */
  url: string;
  logger: winston.Logger;
  /** Called for every decision of every instance (this one's included), oldest first. */
  onDecision: (decision: DecisionEvent) => void;
  exchange?: string;
  stream?: string;
  reconnect?: ReconnectOptions;
  now?: () => number;
}

export interface RabbitDecisionFeed {
  /** Resolves once consuming; rejects after timeoutMs. */
  whenReady(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Stream consumers need a prefetch; a replay goes as fast as acks come back. */
const PREFETCH = 500;

/**
 * Reads the decision stream from DECISION_HISTORY_MS ago, then follows it live, so
 * every instance's "why" holds every instance's decisions, after a restart too
 * (ADR 0005). After a reconnect it resumes after the last offset it read. Best
 * effort like the events themselves: a broker outage only delays the history.
 */
export function createRabbitDecisionFeed(options: RabbitDecisionFeedOptions): RabbitDecisionFeed {
  const { logger } = options;
  const exchange = options.exchange ?? DEFAULT_EVENTS_EXCHANGE;
  const stream = options.stream ?? DEFAULT_DECISION_STREAM;
  const now = options.now ?? Date.now;
  let lastOffset: number | undefined;
  let refused = 0;
  let closing = false;
  let current: { model: ChannelModel; channel: Channel } | undefined;

  function receive(channel: Channel, message: ConsumeMessage | null): void {
    if (!message) return; // the stream was deleted: the connection's close brings a reconnect
    const offset = message.properties.headers?.['x-stream-offset'];
    if (typeof offset === 'number') lastOffset = offset;
    const decision = decodeDecisionEvent(message.content);
    if (decision) {
      if (Date.parse(decision.decidedAt) >= now() - DECISION_HISTORY_MS) options.onDecision(decision);
    } else if ((refused += 1) === 1 || refused % 1000 === 0) {
      logger.warn(`ignored ${refused} event(s) on ${stream} that are not alertscale decisions`, { event: 'decision_event_refused', count: refused });
    }
    channel.ack(message);
  }

  const connection = new BrokerConnection({
    url: options.url,
    connectionName: 'alertscale-decision-feed',
    logger,
    reconnect: options.reconnect,
    onConnect: async (model) => {
      const channel = await model.createChannel();
      channel.on('error', (error: Error) => logger.warn(`decision feed channel error: ${describeError(error)}`, { event: 'broker_channel_error', role: 'decision-feed' }));
      channel.on('close', () => {
        setImmediate(() => {
          if (!closing && connection.current === model) connection.recycle(model, 'decision feed channel closed');
        });
      });
      await declareDecisionStream(channel, exchange, stream);
      await channel.prefetch(PREFETCH);
      // A timestamp offset starts at the chunk holding that time: a few older decisions may come too.
      const from = lastOffset !== undefined ? lastOffset + 1 : { '!': 'timestamp', value: Math.floor((now() - DECISION_HISTORY_MS) / 1000) };
      await channel.consume(stream, (message) => receive(channel, message), { noAck: false, arguments: { 'x-stream-offset': from } });
      current = { model, channel };
    },
    onLost: (model) => {
      if (current?.model === model) current = undefined;
    },
  });
  connection.open();

  return {
    whenReady: (timeoutMs?: number) => connection.whenReady(timeoutMs),
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      await closeChannelThenConnection(current?.channel, connection);
    },
  };
}
