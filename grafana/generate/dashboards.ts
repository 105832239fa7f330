/**
 * The two provisioned dashboards. Edit here, then run
 * `npm run generate:dashboards` (scripts/generate-dashboards.sh) to rewrite
 * grafana/dashboards/*.json; test/monitoring/dashboards.test.ts fails while the
 * committed JSON differs from what this file produces.
 *
 * Queries use the recording rules of rules/ (same names, same `service` label)
 * so a panel shows exactly what the alerts compare.
 */
import type * as grafana from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, serviceVariable, statPanel, timeseriesPanel, type Item } from './grafana';

const S = 'service=~"$service"';

function alertscaleDashboard(): grafana.Dashboard {
  const items: Item[] = [
    'Decisions',
    timeseriesPanel({
      title: 'Decisions by outcome',
      description: 'Every decision alertscale recorded, by outcome (scaled, cooldown, at_bound, blocked, error...). "Why didn\'t it scale?" starts here.',
      queries: [{ expr: `sum by (outcome) (increase(alertscale_decisions_total{${S}}[$__rate_interval]))`, legend: '{{outcome}}' }],
      bars: true,
      stack: true,
      min: 0,
    }),
    timeseriesPanel({
      title: 'Decisions by service and action',
      description: 'Decisions per scaled service and action (up, down, to).',
      queries: [{ expr: `sum by (service, action) (increase(alertscale_decisions_total{${S}}[$__rate_interval]))`, legend: '{{service}} {{action}}' }],
      bars: true,
      stack: true,
      min: 0,
    }),
    statPanel({
      title: 'Scaled',
      description: 'Decisions that changed replicas in the selected time range.',
      query: { expr: `sum(increase(alertscale_decisions_total{${S}, outcome="scaled"}[$__range]))`, legend: 'scaled' },
      decimals: 0,
    }),
    statPanel({
      title: 'Not scaled',
      description: 'Decisions that changed nothing (cooldown, at_bound, duplicate, blocked, paused...) in the selected time range. Each has a reason: GET /api/v1/decisions.',
      query: { expr: `sum(increase(alertscale_decisions_total{${S}, outcome!~"scaled|error"}[$__range]))`, legend: 'not scaled' },
      decimals: 0,
    }),
    statPanel({
      title: 'Errors',
      description: 'Decisions with outcome "error" (Docker failed until the deadline) in the selected time range.',
      query: { expr: `sum(increase(alertscale_decisions_total{${S}, outcome="error"}[$__range]))`, legend: 'error' },
      decimals: 0,
      redFrom: 1,
    }),
    statPanel({
      title: 'Decision time p95',
      description: 'Notification received to decision recorded, 95th percentile over the selected time range.',
      query: { expr: 'histogram_quantile(0.95, sum by (le) (rate(alertscale_decision_duration_seconds_bucket[$__range])))', legend: 'p95' },
      unit: 's',
    }),
    'Replicas',
    timeseriesPanel({
      title: 'Replicas per service',
      description: 'Desired replicas of opted-in services as alertscale last saw or set them. Purple annotations mark scale events.',
      queries: [{ expr: `max by (service) (alertscale_service_replicas{${S}})`, legend: '{{service}}' }],
      stepped: true,
      min: 0,
      width: 16,
    }),
    timeseriesPanel({
      title: 'Scale events',
      description: 'Replica changes applied, by service and direction.',
      queries: [{ expr: `sum by (service, direction) (increase(alertscale_scale_events_total{${S}}[$__rate_interval]))`, legend: '{{service}} {{direction}}' }],
      bars: true,
      min: 0,
      width: 8,
    }),
    timeseriesPanel({
      title: 'Scale alerts firing',
      description: 'Firing alerts that carry scale_service, by rule, service and action (Prometheus ALERTS series).',
      queries: [
        {
          expr: 'count by (alertname, scale_service, scale_action) (ALERTS{alertstate="firing", scale_service!="", scale_service=~"$service"})',
          legend: '{{alertname}} {{scale_service}} {{scale_action}}',
        },
      ],
      stepped: true,
      min: 0,
      width: 24,
    }),
    'Webhook',
    timeseriesPanel({
      title: 'Webhook requests by status code',
      description: '202 accepted; 4xx are lost (Alertmanager does not retry them); 5xx are retried by Alertmanager.',
      queries: [{ expr: 'sum by (code) (rate(alertscale_webhook_requests_total[$__rate_interval]))', legend: '{{code}}' }],
      unit: 'reqps',
      min: 0,
      width: 8,
    }),
    timeseriesPanel({
      title: 'Webhook latency',
      description: 'Request to response. Must stay far below the route group_interval (1m), which bounds each Alertmanager delivery.',
      queries: [
        { expr: 'histogram_quantile(0.5, sum by (le) (rate(alertscale_webhook_duration_seconds_bucket[$__rate_interval])))', legend: 'p50' },
        { expr: 'histogram_quantile(0.95, sum by (le) (rate(alertscale_webhook_duration_seconds_bucket[$__rate_interval])))', legend: 'p95' },
        { expr: 'histogram_quantile(0.99, sum by (le) (rate(alertscale_webhook_duration_seconds_bucket[$__rate_interval])))', legend: 'p99' },
      ],
      unit: 's',
      min: 0,
      width: 8,
    }),
    timeseriesPanel({
      title: 'Alerts received by status',
      description: 'Alerts in webhook notifications, firing and resolved (resolved alerts never scale).',
      queries: [{ expr: 'sum by (status) (rate(alertscale_webhook_alerts_total[$__rate_interval]))', legend: '{{status}}' }],
      unit: 'short',
      min: 0,
      width: 8,
    }),
    'Intents and errors',
    timeseriesPanel({
      title: 'Intents',
      description: 'Scale intents stored on the broker, decided, and dead-lettered (expired or past the delivery limit).',
      queries: [
        { expr: 'sum(rate(alertscale_intents_published_total[$__rate_interval]))', legend: 'published' },
        { expr: 'sum(rate(alertscale_intents_consumed_total[$__rate_interval]))', legend: 'consumed' },
        { expr: 'sum by (reason) (rate(alertscale_intents_dead_lettered_total[$__rate_interval]))', legend: 'dead-lettered {{reason}}' },
      ],
      unit: 'short',
      min: 0,
      width: 8,
    }),
    timeseriesPanel({
      title: 'Decision and publish latency',
      description: 'Notification to decision recorded (p95), and broker publisher confirms (p95).',
      queries: [
        { expr: 'histogram_quantile(0.95, sum by (le) (rate(alertscale_decision_duration_seconds_bucket[$__rate_interval])))', legend: 'decision p95' },
        { expr: 'histogram_quantile(0.95, sum by (le) (rate(alertscale_publish_confirm_duration_seconds_bucket[$__rate_interval])))', legend: 'publish confirm p95' },
      ],
      unit: 's',
      min: 0,
      width: 8,
    }),
    timeseriesPanel({
      title: 'Docker API errors by operation',
      description: 'Failed Docker API calls (each retry counts). Sustained errors fire AlertscaleDockerErrors.',
      queries: [{ expr: 'sum by (operation) (rate(alertscale_docker_errors_total[$__rate_interval]))', legend: '{{operation}}' }],
      unit: 'short',
      min: 0,
      width: 8,
    }),
    timeseriesPanel({
      title: 'Instances up and broker connection',
      description: 'Scrape health of each alertscale instance, and whether it is connected to the broker (absent without AMQP_URL).',
      queries: [
        { expr: 'up{job="alertscale"}', legend: 'up {{instance}}' },
        { expr: 'alertscale_broker_connected', legend: 'broker {{instance}}' },
      ],
      stepped: true,
      min: 0,
      width: 12,
    }),
    timeseriesPanel({
      title: 'Alerts about alertscale',
      description: 'Firing alerts routed to operators (component="alertscale"); each links to its runbook in docs/runbooks/.',
      queries: [{ expr: 'count by (alertname) (ALERTS{alertstate="firing", component="alertscale"})', legend: '{{alertname}}' }],
      stepped: true,
      min: 0,
      width: 12,
    }),
  ];

  return buildDashboard({
    uid: 'alertscale',
    title: 'alertscale',
    description: 'The autoscaler: decisions by outcome and service, replicas with scale events, webhook traffic, intents and errors.',
    variables: [serviceVariable('{__name__=~"alertscale_decisions_total|alertscale_service_replicas"}')],
    items,
  });
}

function scaledServicesDashboard(): grafana.Dashboard {
  const items: Item[] = [
    'Latency (http_request_duration_seconds)',
    timeseriesPanel({
      title: 'p95 request latency',
      description: 'What ServiceLatencyHigh / ServiceLatencyLow compare, with the effective thresholds from rules/tuning.rules.yml (dashed).',
      queries: [
        { expr: `service:http_request_duration_seconds:p95_2m{${S}}`, legend: '{{service}} p95' },
        { expr: `alertscale:effective_threshold:latency_p95_up_seconds{${S}}`, legend: '{{service}} up threshold' },
        { expr: `alertscale:effective_threshold:latency_p95_down_seconds{${S}}`, legend: '{{service}} down threshold' },
      ],
      unit: 's',
      min: 0,
    }),
    timeseriesPanel({
      title: 'Request rate',
      description:
        'Requests per second per service, and for services with a per-replica target (rules/tuning.rules.yml) what their replicas carry at that target (dashed): ServiceDesiredReplicas fires above it.',
      queries: [
        { expr: `service:http_requests:rate1m{${S}}`, legend: '{{service}}' },
        { expr: `service:http_requests_arriving:rate6s{${S}}`, legend: '{{service}} arriving (the scaling signal, at its edge if mapped)' },
        {
          expr: `service:http_replicas_up:sum{${S}} * on (service) alertscale:threshold:http_requests_per_replica{${S}}`,
          legend: '{{service}} carried at target (threshold)',
        },
      ],
      unit: 'reqps',
      min: 0,
    }),
    timeseriesPanel({
      title: 'Errors',
      description: 'Share of requests answered 5xx (an overloaded replica answers 503), per service.',
      queries: [
        {
          expr: `sum by (service) (rate(http_request_duration_seconds_count{code=~"5..", ${S}}[2m])) / sum by (service) (rate(http_request_duration_seconds_count{${S}}[2m]))`,
          legend: '{{service}}',
        },
      ],
      unit: 'percentunit',
      min: 0,
    }),
    timeseriesPanel({
      title: 'Edge waiting line',
      description:
        "Requests waiting at the service's edge for a free server slot (HAProxy haproxy_backend_current_queue of the backend mapped by alertscale:http_edge_backend:info). The service's own latency does not include this wait; the edge answers 503 after its timeout queue (8 s).",
      queries: [{ expr: `service:http_edge_queue:sum{${S}}`, legend: '{{service}}' }],
      min: 0,
    }),
    'Queues (RabbitMQ)',
    timeseriesPanel({
      title: 'Queue backlog',
      description: 'Ready and unacked (in progress) messages of the queues mapped to the selected services in rules/tuning.rules.yml.',
      queries: [
        { expr: `queue:rabbitmq_messages_ready:max{${S}}`, legend: '{{queue}} ready ({{service}})' },
        { expr: `queue:rabbitmq_messages_unacked:max{${S}}`, legend: '{{queue}} unacked ({{service}})' },
        { expr: `alertscale:effective_threshold:queue_ready_up_messages{${S}}`, legend: '{{queue}} ready threshold' },
      ],
      min: 0,
    }),
    timeseriesPanel({
      title: 'Desired replicas from backlog vs consumers',
      description: 'ceil((ready + unacked) / per-replica target), what QueueDesiredReplicas sends as scale_replicas, against the consumers of the queue.',
      queries: [
        { expr: `queue:desired_replicas:ceil{${S}}`, legend: '{{queue}} desired' },
        { expr: `queue:rabbitmq_consumers:max{${S}}`, legend: '{{queue}} consumers' },
      ],
      stepped: true,
      min: 0,
    }),
    'Capacity',
    timeseriesPanel({
      title: 'Replicas',
      description: 'Desired replicas as alertscale sees them, and containers running as cAdvisor sees them.',
      queries: [
        { expr: `max by (service) (alertscale_service_replicas{${S}})`, legend: '{{service}} desired' },
        { expr: `service:containers_running:count{${S}}`, legend: '{{service}} running' },
      ],
      stepped: true,
      min: 0,
    }),
    timeseriesPanel({
      title: 'CPU per replica',
      description: 'Cores used per running task (cAdvisor), with the per-service thresholds from rules/tuning.rules.yml (dashed).',
      queries: [
        { expr: `service:container_cpu_usage:cores_per_task_2m{${S}}`, legend: '{{service}}' },
        { expr: `alertscale:threshold:cpu_up_cores{${S}}`, legend: '{{service}} up threshold' },
        { expr: `alertscale:threshold:cpu_down_cores{${S}}`, legend: '{{service}} down threshold' },
      ],
      unit: 'short',
      min: 0,
    }),
    timeseriesPanel({
      title: 'Memory per task vs limit',
      description:
        "The largest task's working set (cAdvisor) and the service's memory limit (dashed). ServiceMemoryNearLimit warns operators above 90% of the limit; more replicas rarely help.",
      queries: [
        { expr: `service:container_memory_working_set:bytes_max{${S}}`, legend: '{{service}} largest task' },
        { expr: `service:container_memory_limit:bytes_max{${S}}`, legend: '{{service}} limit (threshold)' },
      ],
      unit: 'bytes',
      min: 0,
    }),
    timeseriesPanel({
      title: 'Scale alerts firing',
      description: 'Firing scale alerts for the selected services, by rule and action.',
      queries: [
        {
          expr: 'count by (alertname, scale_service, scale_action) (ALERTS{alertstate="firing", scale_service!="", scale_service=~"$service"})',
          legend: '{{alertname}} {{scale_service}} {{scale_action}}',
        },
      ],
      stepped: true,
      min: 0,
    }),
  ];

  return buildDashboard({
    uid: 'alertscale-services',
    title: 'alertscale: scaled services',
    description: 'The services alertscale scales: request rate, errors, p95 latency, queue backlog, replicas, CPU and memory, with the thresholds and limits the rules use.',
    variables: [
      serviceVariable('{__name__=~"alertscale_service_replicas|service:http_requests:rate2m|service:container_cpu_usage:cores_per_task_2m|queue:rabbitmq_messages_ready:max"}'),
    ],
    items,
  });
}

/** File name under grafana/dashboards/ -> file content, exactly as committed. */
export function renderDashboards(): Array<{ file: string; content: string }> {
  return [
    { file: 'alertscale.json', dashboard: alertscaleDashboard() },
    { file: 'scaled-services.json', dashboard: scaledServicesDashboard() },
  ].map(({ file, dashboard: d }) => ({ file, content: `${JSON.stringify(d, null, 2)}\n` }));
}
