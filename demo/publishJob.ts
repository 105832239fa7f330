import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel } from 'amqplib';
import { encodeJob } from './job';
import type { ProducerMetrics } from './producerMetrics';

/**
 * Publishes one persistent job stamped with the current time; counts it when
 * the broker confirms (or nacks) it. Waits for `drain` under back-pressure.
 */
export async function publishJob(channel: ConfirmChannel, queue: string, seq: number, producer: string, metrics: ProducerMetrics): Promise<void> {
  const enqueuedAt = Date.now();
  const job = { id: randomUUID(), seq, enqueuedAt, producer };
  const flowing = channel.sendToQueue(
    queue,
    encodeJob(job),
    {
      persistent: true,
      contentType: 'application/json',
      messageId: job.id,
      timestamp: Math.floor(enqueuedAt / 1000),
    },
    (err: unknown) => {
      if (err) metrics.failed.inc({ reason: 'nacked' });
      else metrics.published.inc();
    },
  );
  if (!flowing) await once(channel, 'drain');
}
