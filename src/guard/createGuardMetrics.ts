import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The guard's own `alertscale_guard_*` metrics. */
export function createGuardMetrics(mode: string, registry = new Registry()) {
  collectDefaultMetrics({ register: registry });
  registry.setDefaultLabels({ guard_mode: mode });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'alertscale_guard_requests_total',
      help: 'Docker API calls through the guard, by outcome (forwarded, refused, stale, docker_unreachable).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    refusals: new Counter({
      name: 'alertscale_guard_refusals_total',
      help: 'Docker API calls the guard refused with 403, by the rule they broke.',
      labelNames: ['rule'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'alertscale_guard_request_duration_seconds',
      help: 'Time from a request reaching the guard to its answer.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
  };
}

export type GuardMetrics = ReturnType<typeof createGuardMetrics>;
