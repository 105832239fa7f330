import type { Channel, ConsumeMessage } from 'amqplib';
import type winston from 'winston';
import { describeError } from './connection/describeError';

export type SettleHow = 'ack' | 'requeue' | 'reject';

/** Ack/nack on the channel that delivered; false when it is gone (the broker has then requeued the message itself). */
export function settleDelivery(channel: Channel, message: ConsumeMessage, how: SettleHow, logger: winston.Logger): boolean {
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
