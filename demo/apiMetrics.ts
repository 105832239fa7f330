import { Counter, Gauge, Histogram } from 'prom-client';
import { createDemoRegistry } from './createDemoRegistry';

/**
 * Seconds. Boundaries sit on the api's tuning rows (rules/tuning.rules.yml:
 * down 0.2 s, up 0.4 s), since histogram_quantile interpolates inside a bucket.
 */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 1, 2.5, 5, 10];

/** The api's metrics on their own registry: the metric contract of docs/monitoring.md for an HTTP service. */
export function createApiMetrics(waitingRequests: () => number = () => 0) {
  const { registry, registers } = createDemoRegistry();
  return {
    registry,
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request to response, waiting line included.',
      labelNames: ['route', 'method', 'code'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
    inFlight: new Gauge({ name: 'http_requests_in_flight', help: 'Requests received and not yet answered.', registers }),
    errors: new Counter({
      name: 'http_request_errors_total',
      help: 'Requests answered with an error, by route and reason (queue_full, waited_too_long, broker_unavailable, ...).',
      labelNames: ['route', 'reason'] as const,
      registers,
    }),
    waiting: new Gauge({
      name: 'demo_api_waiting_requests',
      help: 'Requests waiting for a free slot.',
      registers,
      collect() {
        this.set(waitingRequests());
      },
    }),
    capacity: new Gauge({
      name: 'demo_api_capacity_requests_per_second',
      help: 'What one replica can serve: concurrency / service time.',
      registers,
    }),
    jobsPublished: new Counter({ name: 'demo_api_jobs_published_total', help: 'Jobs the broker confirmed.', registers }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
