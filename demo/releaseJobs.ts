import type winston from 'winston';
import type { InFlightJob } from './inFlightJobs';
import type { WorkerMetrics } from './workerMetrics';

/** Gives unfinished jobs back to the broker (nack with requeue) so another worker takes them. */
export function releaseJobs(jobs: InFlightJob[], metrics: WorkerMetrics, logger: winston.Logger): void {
  for (const job of jobs) {
    job.released = true;
    try {
      job.channel.nack(job.message, false, true);
      metrics.jobs.inc({ outcome: 'requeued' });
    } catch (err) {
      // The channel is gone: the broker already requeued everything unacked on it.
      metrics.jobs.inc({ outcome: 'lost' });
      logger.warn('could not nack a job; the broker requeues it with the channel', { error: String(err) });
    }
  }
  if (jobs.length > 0) logger.info('requeued unfinished jobs', { count: jobs.length });
}
