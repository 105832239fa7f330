import type { Channel } from 'amqplib';

/** The queues of one job stream: work, delayed retries, and the dead letters with their reason. */
export function jobQueues(queue: string): { work: string; retry: string; dead: string } {
  return { work: queue, retry: `${queue}.retry`, dead: `${queue}.dead` };
}

/**
 * Declares the job topology, the same from every publisher and consumer:
 * - `<queue>`: durable, plain (no arguments, so any client declaring it durable agrees);
 * - `<queue>.retry`: durable; a job waits there for its per-message expiration,
 *   then the broker dead-letters it back to `<queue>` (the default exchange);
 * - `<queue>.dead`: durable; jobs that failed every attempt or could not be
 *   parsed, each with an `x-alertscale-reason` header. Nothing consumes it: an operator does.
 */
export async function assertJobTopology(channel: Channel, queue: string): Promise<void> {
  const { work, retry, dead } = jobQueues(queue);
  await channel.assertQueue(work, { durable: true });
  await channel.assertQueue(retry, { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': work } });
  await channel.assertQueue(dead, { durable: true });
}
