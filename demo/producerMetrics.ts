import { Counter, Gauge } from 'prom-client';
import { createDemoRegistry } from './createDemoRegistry';

/** The producer's metrics on their own registry. */
export function createProducerMetrics(queue: string) {
  const { registry, registers } = createDemoRegistry({ queue });
  return {
    registry,
    published: new Counter({
      name: 'demo_jobs_published_total',
      help: 'Jobs published and confirmed by the broker.',
      registers,
    }),
    failed: new Counter({
      name: 'demo_jobs_publish_failed_total',
      help: 'Jobs not published: broker nack, or no connection when due.',
      labelNames: ['reason'] as const,
      registers,
    }),
    rate: new Gauge({ name: 'demo_producer_rate_jobs_per_second', help: 'Configured publish rate (0 in burst mode).', registers }),
  };
}

export type ProducerMetrics = ReturnType<typeof createProducerMetrics>;
