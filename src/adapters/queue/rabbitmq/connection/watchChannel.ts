import type { Channel, ChannelModel } from 'amqplib';
import type winston from 'winston';
import type { BrokerConnection } from './brokerConnection';
import { describeError } from './describeError';

export interface ChannelWatch {
  /** Names the channel in logs and in the recycle reason, e.g. `publish`, `events`. */
  role: string;
  logger: winston.Logger;
  /** True once the owner shuts down: it closes its channels itself, which must not reconnect. */
  isClosing: () => boolean;
}

/**
 * A channel that dies on a live connection (a 406 from the broker, a consumer
 * channel closed by hand) recycles the whole connection, so onConnect opens it
 * again: the connection alone is what BrokerConnection recovers. Also keeps a
 * channel 'error' from being thrown as an unhandled event.
 */
export function watchChannel(connection: BrokerConnection, model: ChannelModel, channel: Channel, watch: ChannelWatch): void {
  const { role, logger } = watch;
  let lastError: string | undefined;
  channel.on('error', (error: Error) => {
    lastError = describeError(error);
    logger.warn(`broker ${role} channel error: ${lastError}`, { event: 'broker_channel_error', role });
  });
  channel.on('close', () => {
    // The connection closes its channels before it emits its own 'close': let that run first.
    setImmediate(() => {
      if (watch.isClosing() || connection.current !== model) return;
      connection.recycle(model, `${role} channel closed${lastError ? `: ${lastError}` : ''}`);
    });
  });
}
