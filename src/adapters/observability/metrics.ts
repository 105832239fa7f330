import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DOCKER_OPERATIONS } from '../docker/createDockerSwarmGateway';
import { DEAD_LETTER_REASONS } from '../queue/rabbitmq/topology';

/**
 * prom-client's gauges that end in _total, which Prometheus reserves for counters
 * (`promtool check metrics` fails on them). Each is the sum of its per-type twin
 * (nodejs_active_handles{type} ...), so dropping it loses nothing: sum() gives it back.
 */
const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Node's process metrics, minus the ones whose names break the Prometheus conventions. */
function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
}

/**
 * Every `alertscale_*` metric, on one registry per app instance (tests build
 * several instances in one process). Label values for services that may not
 * exist are bounded by the caller (see UNKNOWN_SERVICE) so a storm of bogus
 * names cannot grow the series without bound.
 */
export function createMetrics(registry = new Registry()) {
  collectProcessMetrics(registry);
  const registers = [registry];
  const metrics = {
    registry,
    webhookRequests: new Counter({
      name: 'alertscale_webhook_requests_total',
      help: 'Webhook requests by HTTP status code.',
      labelNames: ['code'] as const,
      registers,
    }),
    webhookAlerts: new Counter({
      name: 'alertscale_webhook_alerts_total',
      help: 'Alerts received in webhook notifications, by alert status (firing, resolved).',
      labelNames: ['status'] as const,
      registers,
    }),
    webhookDuration: new Histogram({
      name: 'alertscale_webhook_duration_seconds',
      help: 'Webhook request duration, from request to response.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    decisions: new Counter({
      name: 'alertscale_decisions_total',
      help: 'Decisions by service, action and outcome.',
      labelNames: ['service', 'action', 'outcome'] as const,
      registers,
    }),
    scaleEvents: new Counter({
      name: 'alertscale_scale_events_total',
      help: 'Replica changes applied, by service and direction.',
      labelNames: ['service', 'direction'] as const,
      registers,
    }),
    serviceReplicas: new Gauge({
      name: 'alertscale_service_replicas',
      help: 'Desired replicas of opted-in services as last seen or set by alertscale.',
      labelNames: ['service'] as const,
      registers,
    }),
    decisionDuration: new Histogram({
      name: 'alertscale_decision_duration_seconds',
      help: 'Time from notification received to decision recorded.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    intentsPublished: new Counter({
      name: 'alertscale_intents_published_total',
      help: 'Intents stored on the broker (publisher confirmed).',
      registers,
    }),
    intentsConsumed: new Counter({
      name: 'alertscale_intents_consumed_total',
      help: 'Intents taken from the broker and decided.',
      registers,
    }),
    intentsDeadLettered: new Counter({
      name: 'alertscale_intents_dead_lettered_total',
      help: 'Intents dead-lettered instead of decided, by reason (expired, delivery_limit, malformed).',
      labelNames: ['reason'] as const,
      registers,
    }),
    publishConfirmDuration: new Histogram({
      name: 'alertscale_publish_confirm_duration_seconds',
      help: 'Time for the broker to confirm a published batch of intents.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    brokerConnected: new Gauge({
      name: 'alertscale_broker_connected',
      help: '1 when connected to the broker, 0 when not (absent without AMQP_URL).',
      registers,
    }),
    dockerErrors: new Counter({
      name: 'alertscale_docker_errors_total',
      help: 'Failed Docker API calls, by operation.',
      labelNames: ['operation'] as const,
      registers,
    }),
  };
  // Series that exist from the start, at 0: increase() cannot see a counter's first event otherwise.
  // (The webhook's own series are created by the HTTP layer, which owns their values.)
  for (const operation of DOCKER_OPERATIONS) metrics.dockerErrors.inc({ operation }, 0);
  for (const reason of DEAD_LETTER_REASONS) metrics.intentsDeadLettered.inc({ reason }, 0);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
