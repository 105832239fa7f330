import type { AlertNotification } from '../domain/notification';
import { planNotification, type NotificationCounts } from '../domain/planNotification';
import type { Decision } from '../domain/types';
import { TransientError } from './errors';
import type { DecisionRecorder, IntentQueue } from './ports';

export interface NotificationResult {
  /** Intents handed to the queue (decided or durably stored). */
  accepted: number;
  counts: NotificationCounts;
  /** Decisions known when answering: settled from the payload, and those decided in-process. */
  decisions: Decision[];
}

export interface HandleNotificationDeps {
  queue: IntentQueue;
  recorder: DecisionRecorder;
  now: () => number;
  onTruncated?: (notification: AlertNotification) => void;
}

/**
 * The webhook use case: plan intents from a validated notification, settle what
 * the payload alone decides, and hand the rest to the intent queue. Throws a
 * TransientError (answered 503, so Alertmanager retries) when an intent could
 * not be stored or decided for a transient reason.
 */
export async function handleNotification(notification: AlertNotification, deps: HandleNotificationDeps): Promise<NotificationResult> {
  const receivedAtMs = deps.now();
  const plan = planNotification(notification, receivedAtMs);
  if (plan.counts.truncated > 0) deps.onTruncated?.(notification);
  const receivedAt = new Date(receivedAtMs).toISOString();
  await Promise.all(plan.settled.map((decision) => deps.recorder.record(decision, receivedAt)));
  if (plan.intents.length === 0) return { accepted: 0, counts: plan.counts, decisions: plan.settled };

  const receipt = await deps.queue.submit(plan.intents);
  if (receipt.mode === 'queued') return { accepted: receipt.count, counts: plan.counts, decisions: plan.settled };
  const retryable = receipt.decisions.find((decision) => decision.retryable);
  if (retryable) throw new TransientError(retryable.reason, 'decide');
  return { accepted: plan.intents.length, counts: plan.counts, decisions: [...plan.settled, ...receipt.decisions] };
}
