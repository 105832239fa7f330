import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type winston from 'winston';
import type { DecisionRecord } from '../../../app/ports';
import { BrokerConnection, type ReconnectOptions } from './connection/brokerConnection';
import { closeChannelThenConnection } from './connection/closeChannelThenConnection';
import { watchChannel } from './connection/watchChannel';
import { DECISION_HISTORY_MS, declareDecisionStream, decodeDecisionEvent, DEFAULT_DECISION_STREAM } from './decisionStream';
import { DEFAULT_EVENTS_EXCHANGE } from './topology';

export interface RabbitDecisionFeedOptions {
  /** AMQP_URL */
  url: string;
  logger: winston.Logger;
  /** Called for every decision of every instance (this one's included), oldest first. */
  onDecision: (decision: DecisionRecord) => void;
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
/** A reconnect reads again from this long before the last read: covers clock skew between us and the broker. */
const RESUME_OVERLAP_MS = 60_000;

/**
 * Reads the decision stream from DECISION_HISTORY_MS ago, then follows it live, so
 * every instance's "why" holds every instance's decisions, after a restart too
 * (ADR 0006). After a reconnect it reads again from shortly before its last read. Best
 * effort like the events themselves: a broker outage only delays the history.
 */
export function createRabbitDecisionFeed(options: RabbitDecisionFeedOptions): RabbitDecisionFeed {
  const { logger } = options;
  const exchange = options.exchange ?? DEFAULT_EVENTS_EXCHANGE;
  const stream = options.stream ?? DEFAULT_DECISION_STREAM;
  const now = options.now ?? Date.now;
  let lastReadAtMs: number | undefined;
  let refused = 0;
  let closing = false;
  let current: { model: ChannelModel; channel: Channel } | undefined;

  function receive(model: ChannelModel, channel: Channel, message: ConsumeMessage | null): void {
    if (!message) {
      // The broker cancelled the consumer (the stream was deleted): reconnect, which declares it again.
      if (!closing) connection.recycle(model, `consumer of ${stream} cancelled by the broker`);
      return;
    }
    lastReadAtMs = now();
    const decision = decodeDecisionEvent(message.content);
    if (decision) {
      if (Date.parse(decision.decidedAt) >= now() - DECISION_HISTORY_MS) options.onDecision(decision);
    } else if ((refused += 1) === 1 || refused % 1000 === 0) {
      logger.warn(`ignored ${refused} event(s) on ${stream} that are not alertscale decisions`, { event: 'decision_event_refused', count: refused });
    }
    channel.ack(message);
  }

  const connection: BrokerConnection = new BrokerConnection({
    url: options.url,
    connectionName: 'alertscale-decision-feed',
    logger,
    reconnect: options.reconnect,
    onConnect: async (model) => {
      const channel = await model.createChannel();
      watchChannel(connection, model, channel, { role: 'decision-feed', logger, isClosing: () => closing });
      await declareDecisionStream(channel, exchange, stream);
      await channel.prefetch(PREFETCH);
      // By time, not by offset: a stream deleted and declared again restarts its offsets at 0. A timestamp
      // starts at the chunk holding that time, so some decisions come twice; the recent list keeps each once.
      const fromMs = lastReadAtMs !== undefined ? Math.max(lastReadAtMs - RESUME_OVERLAP_MS, now() - DECISION_HISTORY_MS) : now() - DECISION_HISTORY_MS;
      const from = { '!': 'timestamp', value: Math.floor(fromMs / 1000) };
      await channel.consume(stream, (message) => receive(model, channel, message), { noAck: false, arguments: { 'x-stream-offset': from } });
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
