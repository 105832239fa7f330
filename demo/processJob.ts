import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type winston from 'winston';
import { decodeJob } from './job';
import type { InFlightJob, InFlightJobs } from './inFlightJobs';
import type { JobLog } from './openJobLog';
import { attemptOf, deadLetter, retryLater } from './settleJob';
import { simulateWork } from './simulateWork';
import type { WorkerMetrics } from './workerMetrics';

export interface JobContext {
  queue: string;
  worker: string;
  workMode: 'sleep' | 'cpu';
  serviceTimeMs: number;
  /** Share of attempts that fail transiently (simulated), 0..1. */
  failureRate: number;
  /** Attempts before a failing job is dead-lettered. */
  maxAttempts: number;
  retryDelayMs: number;
  random: () => number;
  metrics: WorkerMetrics;
  logger: winston.Logger;
  inFlight: InFlightJobs;
  jobLog?: JobLog;
}

/**
 * Handles one delivery, acking only after the work (or after the broker
 * confirmed where the job went instead):
 * - not a demo job: to `<queue>.dead` (reason "unparsable"), nothing would ever accept it;
 * - a transient failure (WORKER_FAILURE_RATE): to `<queue>.retry` for WORKER_RETRY_DELAY_MS,
 *   or to `<queue>.dead` once it has had WORKER_MAX_ATTEMPTS attempts;
 * - done: acked, end-to-end latency recorded.
 * An ack on a channel that died meanwhile is counted `lost`: the broker
 * redelivers that job to another consumer, so it is worked on twice, never lost.
 */
export function processJob(context: JobContext, channel: ConfirmChannel, message: ConsumeMessage): void {
  const { metrics, logger } = context;
  const job = decodeJob(message.content);
  const entry: InFlightJob = { message, channel, released: false, done: Promise.resolve() };
  metrics.inFlight.inc();
  const settle = async (): Promise<void> => {
    if (!job) {
      await deadLetter(channel, context.queue, message, 'unparsable: not a demo job (expected JSON {id, seq, enqueuedAt, producer})');
      metrics.jobs.inc({ outcome: 'dead_lettered' });
      logger.warn('dead-lettered a message that is not a demo job', { bytes: message.content.length });
      return;
    }
    const startedAt = Date.now();
    await simulateWork(context.workMode, context.serviceTimeMs);
    if (entry.released) return;
    if (context.random() < context.failureRate) {
      const attempt = attemptOf(message);
      if (attempt < context.maxAttempts) {
        await retryLater(channel, context.queue, message, context.retryDelayMs);
        metrics.jobs.inc({ outcome: 'retried' });
      } else {
        await deadLetter(channel, context.queue, message, `failed ${attempt} attempts (simulated transient failure)`);
        metrics.jobs.inc({ outcome: 'dead_lettered' });
        logger.warn('dead-lettered a job after its last attempt', { id: job.id, attempt });
      }
      return;
    }
    channel.ack(message);
    const doneAt = Date.now();
    const latencySeconds = (doneAt - job.enqueuedAt) / 1000;
    const serviceSeconds = (doneAt - startedAt) / 1000;
    metrics.latency.observe(latencySeconds);
    metrics.serviceTime.observe(serviceSeconds);
    metrics.jobs.inc({ outcome: 'acked' });
    context.jobLog?.write({
      id: job.id,
      seq: job.seq,
      queue: context.queue,
      worker: context.worker,
      enqueuedAt: new Date(job.enqueuedAt).toISOString(),
      startedAt: new Date(startedAt).toISOString(),
      doneAt: new Date(doneAt).toISOString(),
      latencySeconds,
      serviceSeconds,
      redelivered: message.fields.redelivered,
    });
    logger.debug('job done', { id: job.id, latencySeconds });
  };
  entry.done = settle()
    .catch((err: unknown) => {
      metrics.jobs.inc({ outcome: 'lost' });
      logger.warn('could not settle a job; the broker will redeliver it', { id: job?.id, error: String(err) });
    })
    .finally(() => metrics.inFlight.dec());
  context.inFlight.add(entry);
}
