import type { Channel, ConsumeMessage } from 'amqplib';
import type winston from 'winston';
import type { IntentHandler } from '../../../app/ports';
import type { Metrics } from '../../observability/metrics';
import type { createKeyedSerializer } from '../createKeyedSerializer';
import { chooseSettlement, type HandlerResult } from './chooseSettlement';
import { earlierDeliveries } from './earlierDeliveries';
import { decodeIntent } from './intentCodec';
import { judgeIntentAge } from './judgeIntentAge';
import { settleDelivery } from './settleDelivery';
import type { DEAD_LETTER_REASONS, IntentTopology } from './topology';

type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export interface IntentDeliveryContext {
  topology: IntentTopology;
  ttlMs: number;
  now: () => number;
  decide: IntentHandler;
  /** One decision at a time per service (createKeyedSerializer), shared by all deliveries of this consumer. */
  runExclusive: ReturnType<typeof createKeyedSerializer>;
  /** Pause before requeueing a retryable intent, so a poison message does not spin; cut short by stop(). */
  pauseBeforeRequeue: () => Promise<void>;
  metrics: Metrics;
  logger: winston.Logger;
}

/**
 * One delivered intent, from message to settlement: malformed, forged or stale
 * ones are dead-lettered without a decision; the others are decided (the handler
 * checks the age again before the Docker write) and acked, or requeued while
 * retryable until the delivery limit dead-letters them.
 */
export async function handleIntentDelivery(context: IntentDeliveryContext, channel: Channel, message: ConsumeMessage): Promise<void> {
  const { topology, ttlMs, metrics, logger } = context;
  const settle = (how: 'ack' | 'requeue' | 'reject') => settleDelivery(channel, message, how, logger);
  const deadLetter = (reason: DeadLetterReason, text: string, meta: Record<string, unknown>): void => {
    if (settle('reject')) metrics.intentsDeadLettered.inc({ reason });
    logger.warn(`intent dead-lettered (${reason}): ${text}`, {
      event: 'intent_dead_lettered',
      reason,
      queue: topology.deadLetterQueue,
      messageId: message.properties.messageId as unknown,
      ...meta,
    });
  };

  const decoded = decodeIntent(message.content);
  if (!decoded.ok) return deadLetter('malformed', decoded.error, {});
  const intent = decoded.intent;
  const meta = { key: intent.key, service: intent.service, action: intent.action, receivedAt: intent.receivedAt };
  const age = judgeIntentAge(intent, context.now(), ttlMs);
  if (age.kind !== 'fresh') return deadLetter(age.kind, age.text, meta);

  let result: HandlerResult;
  try {
    const decision = await context.runExclusive(intent.service, () => context.decide(intent, { expiresAtMs: Date.parse(intent.receivedAt) + ttlMs }));
    result = { ok: true, decision };
  } catch (failure) {
    result = { ok: false, failure };
  }
  const settlement = chooseSettlement(result, earlierDeliveries(message.properties.headers), topology.deliveryLimit);
  if (settlement.kind === 'dead-letter') return deadLetter(settlement.reason, settlement.text, meta);
  if (settlement.kind === 'ack') {
    if (settle('ack')) metrics.intentsConsumed.inc();
    return;
  }
  const { delivery, lastDelivery, why } = settlement;
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
  await context.pauseBeforeRequeue();
  if (settle('requeue') && lastDelivery) metrics.intentsDeadLettered.inc({ reason: 'delivery_limit' });
}
