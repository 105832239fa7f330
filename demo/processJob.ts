import type { Channel, ConsumeMessage } from 'amqplib';
import type winston from 'winston';
import { decodeJob } from './job';
import type { InFlightJob, InFlightJobs } from './inFlightJobs';
import type { JobLog } from './openJobLog';
import { simulateWork } from './simulateWork';
import type { WorkerMetrics } from './workerMetrics';

export interface JobContext {
  queue: string;
  worker: string;
  workMode: 'sleep' | 'cpu';
  serviceTimeMs: number;
  metrics: WorkerMetrics;
  logger: winston.Logger;
  inFlight: InFlightJobs;
  jobLog?: JobLog;
}

/**
 * Handles one delivery: works on it, acks it, records its end-to-end latency.
 * A body that is not a demo job is rejected without requeue (nothing would
 * ever accept it). An ack on a channel that died meanwhile is counted `lost`:
 * the broker redelivers that job to another consumer.
 */
export function processJob(context: JobContext, channel: Channel, message: ConsumeMessage): void {
  const { metrics, logger } = context;
  const job = decodeJob(message.content);
  if (!job) {
    channel.reject(message, false);
    metrics.jobs.inc({ outcome: 'rejected' });
    logger.warn('rejected a message that is not a demo job', { bytes: message.content.length });
    return;
  }
  const startedAt = Date.now();
  const entry: InFlightJob = { message, channel, released: false, done: Promise.resolve() };
  metrics.inFlight.inc();
  entry.done = (async () => {
    try {
      await simulateWork(context.workMode, context.serviceTimeMs);
      if (entry.released) return;
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
    } catch (err) {
      metrics.jobs.inc({ outcome: 'lost' });
      logger.warn('could not ack a job; the broker will redeliver it', { id: job.id, error: String(err) });
    } finally {
      metrics.inFlight.dec();
    }
  })();
  context.inFlight.add(entry);
}
