import { Server, createServer } from 'node:http';
import { createMetrics } from '../../../src/adapters/observability/metrics';

/**
 * Scrape targets on 127.0.0.1 that look like the stack's, so a real Prometheus
 * evaluates every rule on data (a join that is many-to-many, or a label lost
 * in a join, only shows up with data):
 *   /alertscale   alertscale's own registry (createMetrics), busy
 *   /app          http_request_duration_seconds: shop_api slow (~7.5s), shop_web fast
 *   /cadvisor     container_cpu_usage_seconds_total, per task, for `cpu` services
 *   /rabbitmq     rabbitmq_detailed_queue_* for `queues` (and one unmapped queue)
 * Counters grow on every scrape, so rates are non-zero after two scrapes.
 * `cpu` and `queues` can be set while Prometheus scrapes (the test sets them
 * from the shipped tuning, so the data crosses whatever thresholds it holds).
 */
export interface QueueState {
  vhost: string;
  queue: string;
  ready: number;
  unacked: number;
  consumers: number;
}

export class SyntheticTargets {
  private readonly server: Server;
  private readonly metrics = createMetrics();
  private scrapes = 0;
  private readonly started = Date.now();
  port = 0;
  cpu: Array<{ service: string; coresPerTask: number }> = [];
  queues: QueueState[] = [];

  constructor() {
    this.server = createServer((req, res) => {
      this.render(req.url ?? '/').then(
        (body) => {
          if (body === undefined) {
            res.writeHead(404).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
        },
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    this.port = address.port;
    return this.port;
  }

  async stop(): Promise<void> {
    this.metrics.registry.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async render(url: string): Promise<string | undefined> {
    const path = url.split('?')[0];
    this.scrapes += 1;
    const n = this.scrapes;
    const seconds = (Date.now() - this.started) / 1000;
    switch (path) {
      case '/alertscale':
        return this.alertscale(n);
      case '/app':
        return app(n);
      case '/cadvisor':
        return cadvisor(seconds, this.cpu);
      case '/rabbitmq':
        return rabbitmq(this.queues);
      default:
        return undefined;
    }
  }

  private async alertscale(n: number): Promise<string> {
    const m = this.metrics;
    m.webhookRequests.inc({ code: '202' }, 2);
    m.webhookRequests.inc({ code: '503' });
    m.webhookAlerts.inc({ status: 'firing' }, 3);
    m.webhookAlerts.inc({ status: 'resolved' });
    m.webhookDuration.observe(0.004);
    m.decisions.inc({ service: 'shop_api', action: 'up', outcome: 'scaled' });
    m.decisions.inc({ service: 'shop_api', action: 'down', outcome: 'cooldown' });
    m.decisions.inc({ service: 'alertscale_worker', action: 'to', outcome: 'error' });
    m.scaleEvents.inc({ service: 'shop_api', direction: 'up' });
    m.serviceReplicas.set({ service: 'shop_api' }, 2 + (n % 3));
    m.serviceReplicas.set({ service: 'alertscale_worker' }, 2);
    m.decisionDuration.observe(0.03);
    m.intentsPublished.inc();
    m.intentsConsumed.inc();
    m.intentsDeadLettered.inc({ reason: 'expired' });
    m.publishConfirmDuration.observe(0.002);
    m.brokerConnected.set(1);
    m.dockerErrors.inc({ operation: 'inspect' });
    return m.registry.metrics();
  }
}

/** Prometheus text for a histogram whose observations all fall in one bucket. */
function histogram(service: string, count: number, bucket: number): string {
  const bounds = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
  const lines = bounds.map((le) => {
    const inBucket = le === '+Inf' || Number(le) >= bucket;
    return `http_request_duration_seconds_bucket{service="${service}",route="/",le="${le}"} ${inBucket ? count : 0}`;
  });
  lines.push(`http_request_duration_seconds_sum{service="${service}",route="/"} ${count * bucket}`);
  lines.push(`http_request_duration_seconds_count{service="${service}",route="/"} ${count}`);
  return lines.join('\n');
}

function app(n: number): string {
  return ['# TYPE http_request_duration_seconds histogram', histogram('shop_api', n * 20, 7.5), histogram('shop_web', n * 20, 0.02), ''].join('\n');
}

function cadvisor(seconds: number, services: Array<{ service: string; coresPerTask: number }>): string {
  const lines = ['# TYPE container_cpu_usage_seconds_total counter', `container_cpu_usage_seconds_total{cpu="total",id="/"} ${seconds.toFixed(3)}`];
  services.forEach(({ service, coresPerTask }, i) => {
    for (const task of [1, 2]) {
      const labels = `container_label_com_docker_swarm_service_name="${service}",cpu="total",id="/docker/${i}${task}",name="${service}.${task}.x"`;
      lines.push(`container_cpu_usage_seconds_total{${labels}} ${(coresPerTask * seconds).toFixed(3)}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

function rabbitmq(queues: QueueState[]): string {
  const all = [...queues, { vhost: '/', queue: 'unmapped.queue', ready: 9000, unacked: 0, consumers: 1 }];
  const family = (name: string, pick: (q: QueueState) => number): string[] => [
    `# TYPE rabbitmq_detailed_queue_${name} gauge`,
    ...all.map((q) => `rabbitmq_detailed_queue_${name}{vhost="${q.vhost}",queue="${q.queue}"} ${pick(q)}`),
  ];
  return `${[...family('messages_ready', (q) => q.ready), ...family('messages_unacked', (q) => q.unacked), ...family('consumers', (q) => q.consumers)].join('\n')}\n`;
}
