import type { Channel } from 'amqplib';

export const DEFAULT_INTENT_QUEUE = 'alertscale.intents';
export const DEFAULT_EVENTS_EXCHANGE = 'alertscale.events';
export const DEFAULT_DELIVERY_LIMIT = 5;
/** Why an intent is dead-lettered (the `reason` of alertscale_intents_dead_lettered_total). */
export const DEAD_LETTER_REASONS = ['expired', 'malformed', 'delivery_limit'] as const;

/** Names and fixed arguments of the durable intent queue and its dead-letter path. */
export interface IntentTopology {
  /** Quorum queue the webhook publishes to and every instance consumes from. */
  queue: string;
  /** Fanout exchange the queue dead-letters to (`<queue>.dlx`). */
  deadLetterExchange: string;
  /** Audit queue bound to it (`<queue>.dead`): expired, delivery-limited, rejected intents. */
  deadLetterQueue: string;
  /** Quorum `x-delivery-limit`: a message is delivered at most limit + 1 times, then dead-lettered (`delivery_limit`). */
  deliveryLimit: number;
}

export function intentTopology(queue = DEFAULT_INTENT_QUEUE, deliveryLimit = DEFAULT_DELIVERY_LIMIT): IntentTopology {
  if (!Number.isInteger(deliveryLimit) || deliveryLimit < 0) throw new RangeError(`deliveryLimit must be a non-negative integer, got ${deliveryLimit}`);
  return { queue, deadLetterExchange: `${queue}.dlx`, deadLetterQueue: `${queue}.dead`, deliveryLimit };
}

/**
 * Queue arguments are part of a queue's identity: declaring an existing queue with
 * different ones fails with 406 PRECONDITION_FAILED (shown by /readyz). The TTL is
 * therefore per message (INTENT_TTL can change freely); only the type, the
 * dead-letter exchange and the delivery limit are fixed here. Limits on the dead
 * queue (length, age) are left to an operator policy for the same reason.
 */
export function intentQueueArguments(topology: IntentTopology): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': topology.deadLetterExchange,
    'x-delivery-limit': topology.deliveryLimit,
  };
}

/** Idempotent: run on every (re)connect, so a broker that lost its definitions gets them back. */
export async function declareIntentTopology(channel: Channel, topology: IntentTopology): Promise<void> {
  await channel.assertExchange(topology.deadLetterExchange, 'fanout', { durable: true, autoDelete: false });
  await channel.assertQueue(topology.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(topology.deadLetterQueue, topology.deadLetterExchange, '');
  await channel.assertQueue(topology.queue, { durable: true, arguments: intentQueueArguments(topology) });
}

export async function declareEventsExchange(channel: Channel, exchange: string): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true, autoDelete: false });
}
