import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { jobQueues } from './jobTopology';
import { sendConfirmed } from './sendConfirmed';

/** Header counting the attempts a job has had (1 on its first delivery). */
export const ATTEMPTS_HEADER = 'x-alertscale-attempts';
/** Header on a dead letter: why it is there. */
export const REASON_HEADER = 'x-alertscale-reason';

export function attemptOf(message: ConsumeMessage): number {
  const value = Number(message.properties.headers?.[ATTEMPTS_HEADER] ?? 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

function copyOf(message: ConsumeMessage, headers: Record<string, unknown>, expiration?: number) {
  // amqplib types these properties `any`.
  const { messageId, timestamp, contentType } = message.properties as { messageId?: string; timestamp?: number; contentType?: string };
  return {
    ...(messageId !== undefined ? { messageId: String(messageId) } : {}),
    ...(timestamp !== undefined ? { timestamp: Number(timestamp) } : {}),
    ...(contentType ? { contentType: String(contentType) } : {}),
    ...(expiration !== undefined ? { expiration: String(expiration) } : {}),
    headers: { ...(message.properties.headers ?? {}), ...headers },
  };
}

/**
 * Moves a delivery to `<queue>.dead` with its reason, then acks it. The ack
 * comes only after the broker confirmed the dead letter, so a crash in between
 * leaves the job in the work queue (redelivered), never nowhere.
 */
export async function deadLetter(channel: ConfirmChannel, queue: string, message: ConsumeMessage, reason: string): Promise<void> {
  await sendConfirmed(channel, jobQueues(queue).dead, message.content, copyOf(message, { [REASON_HEADER]: reason }));
  channel.ack(message);
}

/** Puts a delivery in `<queue>.retry` for `delayMs` (then the broker moves it back to `<queue>`), then acks it. */
export async function retryLater(channel: ConfirmChannel, queue: string, message: ConsumeMessage, delayMs: number): Promise<void> {
  await sendConfirmed(channel, jobQueues(queue).retry, message.content, copyOf(message, { [ATTEMPTS_HEADER]: attemptOf(message) + 1 }, delayMs));
  channel.ack(message);
}
