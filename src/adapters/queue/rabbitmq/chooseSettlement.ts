import { IntentExpiredError } from '../../../app/errors';
import type { Decision } from '../../../domain/types';
import { describeError } from './connection/describeError';

/** What the handler gave back for one delivered intent. */
export type HandlerResult = { ok: true; decision: Decision } | { ok: false; failure: unknown };

export type Settlement =
  /** Decided (applied, refused or a duplicate): done for good. */
  | { kind: 'ack' }
  /** The handler found it past INTENT_TTL before the Docker write. */
  | { kind: 'dead-letter'; reason: 'expired'; text: string }
  /**
   * Retryable: back on the queue. On the last delivery the broker dead-letters
   * it (reason delivery_limit) instead of delivering it again.
   */
  | { kind: 'requeue'; delivery: number; lastDelivery: boolean; why: string };

/**
 * @param earlier deliveries before this one (`x-delivery-count`)
 * @param deliveryLimit the queue's `x-delivery-limit`: at most deliveryLimit + 1 deliveries
 */
export function chooseSettlement(result: HandlerResult, earlier: number, deliveryLimit: number): Settlement {
  if (!result.ok && result.failure instanceof IntentExpiredError) return { kind: 'dead-letter', reason: 'expired', text: result.failure.message };
  if (result.ok && result.decision.retryable !== true) return { kind: 'ack' };
  const why = result.ok ? result.decision.reason : result.failure !== undefined ? `handler failed: ${describeError(result.failure)}` : 'retryable';
  const delivery = earlier + 1;
  return { kind: 'requeue', delivery, lastDelivery: delivery > deliveryLimit, why };
}
