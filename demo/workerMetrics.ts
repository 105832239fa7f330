import { Counter, Gauge, Histogram } from 'prom-client';
import { createDemoRegistry } from './createDemoRegistry';

/** Seconds; from a few ms (idle workers) to minutes (a deep backlog). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** The worker's metrics on their own registry. `outcome`: acked, retried, dead_lettered, requeued, lost. */
export function createWorkerMetrics(queue: string) {
  const { registry, registers } = createDemoRegistry({ queue });
  return {
    registry,
    latency: new Histogram({
      name: 'demo_job_latency_seconds',
      help: 'End-to-end job latency: from enqueue (producer) to done (worker acked it).',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    serviceTime: new Histogram({
      name: 'demo_job_service_seconds',
      help: 'Time spent working on a job, from delivery to ack.',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    jobs: new Counter({
      name: 'demo_jobs_processed_total',
      help: 'Jobs handled by this worker, by outcome (acked, retried, dead_lettered, requeued, lost).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    inFlight: new Gauge({ name: 'demo_jobs_in_flight', help: 'Jobs being worked on now.', registers }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
