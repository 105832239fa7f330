import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobQueues } from '../demo/jobTopology';
import { ALERT_LABEL } from '../src/domain/alertContract';
import { isScaleAction, type Decision } from '../src/domain/types';
import { AlertmanagerApi } from './alertmanagerApi';
import { adaptAlertmanagerConfig, type RouteTimings } from './alertmanagerConfig';
import { describeError } from './describeError';
import { assertSwarmManager, describeServiceTasks, inspectService } from './docker';
import { BIN, OwnedProcess, waitReady } from './ownedProcess';
import { findFreePort, findFreePortRange, sleep, waitFor } from './polling';
import { PrometheusApi } from './prometheusApi';
import { QueueProbe } from './queueProbe';
import { AMQP_URL } from './rabbit';
import { repoPath } from './repoRoot';
import { copyRules, queueTuningRules, type QueueMapping, type RuleCopyOptions } from './ruleFiles';
import { recentDecisions, startAlertscale, type RunningAlertscale } from './startAlertscale';
import { processAlive, removeOrphanedServices } from './swarmServices';
import { buildWorkerImage, createWorkerService, type WorkerService } from './workerService';

/** rabbitmq_prometheus on this machine's RabbitMQ (loopback). */
const RABBITMQ_METRICS = process.env.TEST_RABBITMQ_METRICS ?? '127.0.0.1:15692';
const QUEUE_PREFIX = 'alertscale-e2e.';

/** One queue of the scenario and the worker service that consumes it; names are generated per run. */
export interface LoopQueue extends Omit<QueueMapping, 'queue' | 'service'> {
  /** Short key used in the generated names ("step", "to"...). */
  key: string;
  /** False: the queue is not mapped in the tuning (nothing can scale on it). Default true. */
  mapped?: boolean;
  /** Metrics ports reserved for replicas (base + slot - 1), scraped by Prometheus. Default 4. */
  maxReplicas?: number;
}

export interface LoopStackOptions {
  queues: LoopQueue[];
  /** alertscale processes behind the one Alertmanager (a webhook_config each). Default 1. */
  alertscaleInstances?: number;
  /** Extra environment for every alertscale instance (DRY_RUN, DEDUP_WINDOW...). */
  alertscaleEnv?: Record<string, string>;
  /** How the test copy of rules/ differs from the shipped files. */
  rules?: RuleCopyOptions;
  /** Autoscale route timings (unset: shipped). */
  route?: RouteTimings;
  /** Prometheus global intervals and resend delay. */
  scrapeInterval?: string;
  evaluationInterval?: string;
  resendDelay?: string;
  amqpUrl?: string;
  /** More scrape jobs (YAML list items, indented two spaces), e.g. an HTTP service and its edge. */
  extraScrapeConfigs?: string[];
  /** More rule files next to the shipped ones (name -> text), e.g. an HTTP service's tuning rows. */
  extraRuleFiles?: Record<string, string>;
}

export interface ScaledQueue {
  key: string;
  queue: string;
  service: string;
  metricsBase: number;
  maxReplicas: number;
}

export interface WorkerOptions {
  replicas?: number;
  labels: Record<string, string>;
  serviceTimeMs: number;
  prefetch?: number;
}

export interface ReplicaSample {
  at: number;
  replicas: number;
  stateKey?: string;
  stateAt?: string;
}

export interface ReplicaSampler {
  samples: ReplicaSample[];
  stop: () => Promise<ReplicaSample[]>;
}

export interface ProducerRun {
  /** Resolves when the producer exits: jobs published (from its last log line) and exit code. */
  done: Promise<{ code: number | null; published: number; output: string }>;
  stop: () => Promise<void>;
}

/**
 * The whole loop on loopback, for e2e tests and bench:spike:
 *   RabbitMQ (this machine's) ─ Prometheus (rules/ copied, a tuning overlay for
 *   the test queues) ─ Alertmanager (the repo's config, adapted) ─ alertscale
 *   (one or more processes, built dist/) ─ the demo worker as Swarm services.
 * Everything is named per run and torn down by stop(), which keeps going past
 * individual failures and throws the first one at the end.
 */
export class LoopStack {
  readonly runId: string;
  readonly dir: string;
  readonly queues = new Map<string, ScaledQueue>();
  readonly alertscale: RunningAlertscale[] = [];
  readonly probe: QueueProbe;
  prometheus!: PrometheusApi;
  alertmanager!: AlertmanagerApi;
  private prometheusProcess: OwnedProcess | undefined;
  private alertmanagerProcess: OwnedProcess | undefined;
  private readonly workers = new Map<string, WorkerService>();
  private readonly producers = new Set<OwnedProcess>();
  private readonly samplers = new Set<ReplicaSampler>();
  private workerImage = '';

  private constructor(readonly options: LoopStackOptions) {
    this.runId = `${process.pid}-${randomBytes(3).toString('hex')}`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `alertscale-e2e-${this.runId}-`));
    this.probe = new QueueProbe(options.amqpUrl ?? AMQP_URL);
  }

  /** The demo image (worker, api, producer) the stack's services run. */
  get image(): string {
    return this.workerImage;
  }

  get amqpUrl(): string {
    return this.options.amqpUrl ?? AMQP_URL;
  }

  /** Starts everything but the workers (see startWorker). Fails, never skips, when a piece is missing. */
  static async start(options: LoopStackOptions): Promise<LoopStack> {
    const stack = new LoopStack(options);
    try {
      await stack.boot();
      return stack;
    } catch (error) {
      const outputs = [stack.prometheusProcess?.output, stack.alertmanagerProcess?.output].filter(Boolean).join('\n');
      await stack.stop().catch(() => undefined);
      throw new Error(`${describeError(error)}${outputs ? `\n${outputs}` : ''}`, { cause: error });
    }
  }

  private async boot(): Promise<void> {
    for (const file of [repoPath('dist', 'src', 'main.js'), repoPath('dist', 'demo', 'producer.js')]) {
      if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
    }
    await assertSwarmManager();
    // Waits rather than one try: another suite may be restarting RabbitMQ's app right now.
    await waitFor(
      `rabbitmq_prometheus on http://${RABBITMQ_METRICS}/metrics (run \`npm run setup\`)`,
      async () => (await fetch(`http://${RABBITMQ_METRICS}/metrics`)).ok,
      30_000,
      500,
    );
    await waitFor(
      'RabbitMQ to accept AMQP connections',
      async () => (await this.probe.assertQueue(`${QUEUE_PREFIX}probe`), await this.probe.deleteQueue(`${QUEUE_PREFIX}probe`), true),
      30_000,
      500,
    );
    // Best effort: leftovers of crashed runs (their creating process is gone).
    await Promise.all([removeOrphanedServices('alertscale-e2e-').catch(() => undefined), this.removeOrphanedQueues().catch(() => undefined)]);

    const [image] = await Promise.all([buildWorkerImage(), this.allocateQueues()]);
    this.workerImage = image;

    const tokenFile = path.join(this.dir, 'webhook-token');
    fs.writeFileSync(tokenFile, randomBytes(24).toString('hex'), { mode: 0o600 });
    const alertmanagerPort = await findFreePort();
    const prometheusPort = await findFreePort();
    const alertscalePorts: number[] = [];
    for (let i = 0; i < (this.options.alertscaleInstances ?? 1); i++) alertscalePorts.push(await findFreePort());
    const alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    this.alertmanager = new AlertmanagerApi(alertmanagerUrl);
    this.prometheus = new PrometheusApi(prometheusUrl);

    // Alertmanager: the repository's route and receiver, aimed at the local instances.
    const amConfig = path.join(this.dir, 'alertmanager.yml');
    fs.writeFileSync(
      amConfig,
      adaptAlertmanagerConfig({
        webhookUrls: alertscalePorts.map((port) => `http://127.0.0.1:${port}/webhook`),
        credentialsFile: tokenFile,
        ...(this.options.route ? { autoscaleRoute: this.options.route } : {}),
      }),
    );
    // Prometheus: rules/ copied (test durations), the test queues' tuning rows, static loopback targets.
    const rulesDir = path.join(this.dir, 'rules');
    fs.mkdirSync(rulesDir);
    copyRules(rulesDir, this.options.rules ?? {});
    const mapped = this.options.queues.filter((q) => q.mapped !== false);
    fs.writeFileSync(
      path.join(rulesDir, 'e2e-queues.rules.yml'),
      queueTuningRules(mapped.map(({ key, mapped: _mapped, maxReplicas: _max, ...tuning }) => ({ ...tuning, queue: this.queue(key).queue, service: this.queue(key).service }))),
    );
    for (const [name, text] of Object.entries(this.options.extraRuleFiles ?? {})) fs.writeFileSync(path.join(rulesDir, name), text);
    const prometheusConfig = path.join(this.dir, 'prometheus.yml');
    fs.writeFileSync(prometheusConfig, this.prometheusYaml(rulesDir, alertmanagerPort, prometheusPort, alertscalePorts));

    // All three at once: Prometheus needs ~5s to discover Alertmanager anyway.
    this.alertmanagerProcess = new OwnedProcess('alertmanager', BIN.alertmanager, [
      `--config.file=${amConfig}`,
      `--storage.path=${path.join(this.dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    this.prometheusProcess = new OwnedProcess('prometheus', BIN.prometheus, [
      `--config.file=${prometheusConfig}`,
      `--storage.tsdb.path=${path.join(this.dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      `--rules.alert.resend-delay=${this.options.resendDelay ?? '2s'}`,
      '--log.level=warn',
    ]);
    const instances = alertscalePorts.map((port) =>
      startAlertscale({
        PORT: String(port),
        WEBHOOK_TOKEN_FILE: tokenFile,
        ALERTMANAGER_URL: alertmanagerUrl,
        ...(this.options.alertscaleEnv ?? {}),
      }).then((instance) => void this.alertscale.push(instance)),
    );
    await Promise.all([waitReady(this.alertmanagerProcess, alertmanagerUrl), waitReady(this.prometheusProcess, prometheusUrl), ...instances]);
    this.alertscale.sort((a, b) => alertscalePorts.indexOf(Number(new URL(a.url).port)) - alertscalePorts.indexOf(Number(new URL(b.url).port)));
    await waitFor(
      'Prometheus to discover Alertmanager',
      async () => {
        const body = (await (await fetch(`${prometheusUrl}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: Array<{ url: string }> } };
        return body.data.activeAlertmanagers.some((am) => am.url.startsWith(alertmanagerUrl));
      },
      30_000,
    );
    const groups = await waitFor(
      'every rule group to load',
      async () => {
        const loaded = await this.prometheus.groups();
        return loaded.some((g) => g.name === 'alertscale-e2e-tuning') ? loaded : undefined;
      },
      20_000,
    );
    this.checkRuleDurations(groups.flatMap((g) => g.rules));
  }

  /** The copy Prometheus loaded must carry the test's durations (a silent mismatch would make timings meaningless). */
  private checkRuleDurations(rules: Array<{ type: string; name: string; duration?: number; labels?: Record<string, string> }>): void {
    const durations = this.options.rules?.durations ?? {};
    for (const rule of rules) {
      const action = rule.labels?.[ALERT_LABEL.action];
      const wanted = isScaleAction(action) ? durations[action]?.for : undefined;
      if (rule.type !== 'alerting' || wanted === undefined) continue;
      const seconds = parsePromDuration(wanted) / 1000;
      if (rule.duration !== seconds) throw new Error(`Prometheus loaded ${rule.name} with for=${rule.duration}s, expected ${seconds}s`);
    }
  }

  private async allocateQueues(): Promise<void> {
    for (const queue of this.options.queues) {
      const maxReplicas = queue.maxReplicas ?? 4;
      this.queues.set(queue.key, {
        key: queue.key,
        queue: `${QUEUE_PREFIX}${this.runId}.${queue.key}`,
        service: `alertscale-e2e-${this.runId}-${queue.key}`,
        metricsBase: await findFreePortRange(maxReplicas),
        maxReplicas,
      });
    }
  }

  private prometheusYaml(rulesDir: string, alertmanagerPort: number, prometheusPort: number, alertscalePorts: number[]): string {
    const scrape = this.options.scrapeInterval ?? '1s';
    const evaluation = this.options.evaluationInterval ?? '1s';
    const timeout = parsePromDuration(scrape) > 10_000 ? '10s' : scrape;
    const queueRegex = `${QUEUE_PREFIX}${this.runId}.`.replace(/[.]/g, '\\\\.') + '.*';
    const workerJobs = [...this.queues.values()].map((q) =>
      [
        `  - job_name: ${JSON.stringify(q.service)}`,
        `    static_configs: [{targets: ${JSON.stringify(Array.from({ length: q.maxReplicas }, (_, i) => `127.0.0.1:${q.metricsBase + i}`))}, labels: {service: ${JSON.stringify(q.service)}}}]`,
      ].join('\n'),
    );
    return [
      '# Generated by harness/loopStack.ts: loopback targets only.',
      `global: {scrape_interval: ${scrape}, scrape_timeout: ${timeout}, evaluation_interval: ${evaluation}}`,
      `rule_files: [${JSON.stringify(`${rulesDir}/*.rules.yml`)}]`,
      'alerting:',
      `  alertmanagers: [{static_configs: [{targets: ['127.0.0.1:${alertmanagerPort}']}]}]`,
      'scrape_configs:',
      `  - {job_name: prometheus, static_configs: [{targets: ['127.0.0.1:${prometheusPort}']}]}`,
      '  - job_name: alertscale',
      `    static_configs: [{targets: ${JSON.stringify(alertscalePorts.map((port) => `127.0.0.1:${port}`))}}]`,
      // Per-queue RabbitMQ metrics as the stack scrapes them, kept to this run's queues
      // (other suites' queues on the shared broker are none of this test's business).
      '  - job_name: rabbitmq-queues',
      '    metrics_path: /metrics/detailed',
      '    params: {family: [queue_coarse_metrics, queue_consumer_count, channel_queue_exchange_metrics, channel_queue_metrics]}',
      `    static_configs: [{targets: ['${RABBITMQ_METRICS}']}]`,
      `    metric_relabel_configs: [{source_labels: [queue], regex: "${queueRegex}", action: keep}]`,
      ...workerJobs,
      ...(this.options.extraScrapeConfigs ?? []),
      '',
    ].join('\n');
  }

  queue(key: string): ScaledQueue {
    const queue = this.queues.get(key);
    if (!queue) throw new Error(`no queue "${key}" in this stack`);
    return queue;
  }

  /**
   * Creates the worker service for `key` and waits until every replica
   * consumes and Prometheus' rules see the queue with that many consumers.
   */
  async startWorker(key: string, options: WorkerOptions): Promise<WorkerService> {
    const q = this.queue(key);
    const replicas = options.replicas ?? 1;
    await waitFor(`queue ${q.queue} to be declared`, async () => (await this.probe.assertQueue(q.queue), true), 30_000, 500);
    const worker = await createWorkerService({
      name: q.service,
      image: this.workerImage,
      queue: q.queue,
      amqpUrl: this.amqpUrl,
      metricsBase: q.metricsBase,
      replicas,
      labels: options.labels,
      serviceTimeMs: options.serviceTimeMs,
      ...(options.prefetch !== undefined ? { prefetch: options.prefetch } : {}),
    });
    this.workers.set(key, worker);
    await waitFor(`${replicas} consumer(s) on ${q.queue}`, async () => (await this.probe.counts(q.queue)).consumers === replicas, 90_000).catch(async (error: unknown) => {
      throw new Error(`${describeError(error)}\n${await describeServiceTasks(q.service)}`, { cause: error });
    });
    await waitFor(
      `Prometheus to see ${q.queue}`,
      async () => (await this.prometheus.samples(`rabbitmq_detailed_queue_consumers{queue="${q.queue}"}`)).some((s) => Number(s.value[1]) === replicas),
      60_000,
      500,
    );
    return worker;
  }

  /** Runs the demo producer (dist/demo/producer.js) on `key`'s queue: a burst of N jobs, or a rate for a duration. */
  produce(key: string, mode: { burst: number } | { rate: number; durationS: number }): ProducerRun {
    const q = this.queue(key);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      AMQP_URL: this.amqpUrl,
      DEMO_QUEUE: q.queue,
      METRICS_PORT: 'off',
      LOG_LEVEL: 'info',
      ...('burst' in mode ? { PRODUCER_BURST: String(mode.burst) } : { PRODUCER_RATE: String(mode.rate), PRODUCER_DURATION_S: String(mode.durationS) }),
    };
    const producer = new OwnedProcess(`producer ${q.queue}`, process.execPath, [repoPath('dist', 'demo', 'producer.js')], { env });
    this.producers.add(producer);
    const done = producer.exited.then((code) => {
      this.producers.delete(producer);
      const published = [...producer.output.matchAll(/"published":(\d+)/g)].map((m) => Number(m[1])).pop() ?? 0;
      return { code, published, output: producer.output };
    });
    return { done, stop: async () => void (await producer.stop()) };
  }

  /** A burst that must be fully published and confirmed. */
  async burst(key: string, jobs: number): Promise<void> {
    const { code, published, output } = await this.produce(key, { burst: jobs }).done;
    if (code !== 0 || published !== jobs) throw new Error(`the producer published ${published}/${jobs} jobs and exited ${code}\n${output}`);
  }

  /** Samples the service's desired replicas and alertscale.state.* labels every `intervalMs`, until stop(). */
  sampleReplicas(service: string, intervalMs = 250): ReplicaSampler {
    const samples: ReplicaSample[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        try {
          const snapshot = await inspectService(service);
          samples.push({
            at: Date.now(),
            replicas: snapshot.replicas,
            ...(snapshot.labels['alertscale.state.key'] ? { stateKey: snapshot.labels['alertscale.state.key'] } : {}),
            ...(snapshot.labels['alertscale.state.at'] ? { stateAt: snapshot.labels['alertscale.state.at'] } : {}),
          });
        } catch {
          // the service is being removed, or Docker is busy: skip this sample
        }
        await sleep(intervalMs);
      }
    })();
    const sampler: ReplicaSampler = {
      samples,
      stop: async () => {
        running = false;
        await loop;
        this.samplers.delete(sampler);
        return samples;
      },
    };
    this.samplers.add(sampler);
    return sampler;
  }

  /** Decisions about `service` recorded by alertscale instance `index` (its /api/v1/decisions), oldest first. */
  async decisions(service: string, index = 0): Promise<Decision[]> {
    const instance = this.alertscale[index];
    if (!instance) throw new Error(`no alertscale instance ${index}`);
    return (await recentDecisions(instance.url)).filter((d) => d.service === service).reverse();
  }

  /** Whether `service` was scaled down at least once and its newest sample is back at `minimum`. */
  async isBackAtMinimum(service: string, sampler: ReplicaSampler, minimum: number): Promise<boolean> {
    return sampler.samples.at(-1)?.replicas === minimum && (await this.decisions(service)).some((d) => d.outcome === 'scaled' && d.direction === 'down');
  }

  /** Every instance's decisions about `service`, each tagged with its instance. */
  async allDecisions(service: string): Promise<Array<Decision & { instance: number }>> {
    const lists = await Promise.all(this.alertscale.map(async (_, index) => (await this.decisions(service, index)).map((d) => ({ ...d, instance: index }))));
    return lists.flat().sort((a, b) => a.decidedAt.localeCompare(b.decidedAt));
  }

  /** Alerts Prometheus holds for the service (pending or firing). */
  async prometheusAlerts(service: string): Promise<Array<{ name: string; state: string; action: string; value: string }>> {
    return (await this.prometheus.alerts())
      .filter((a) => a.labels[ALERT_LABEL.service] === service)
      .map((a) => ({ name: a.labels.alertname ?? '', state: a.state, action: a.labels[ALERT_LABEL.action] ?? '', value: a.value }));
  }

  /** Removes the worker of `key` and its queue now (the bench does this between phases). */
  async removeWorker(key: string): Promise<void> {
    const worker = this.workers.get(key);
    this.workers.delete(key);
    try {
      await worker?.remove();
    } finally {
      await waitFor(`queue ${this.queue(key).queue} to be deleted`, async () => (await this.probe.deleteQueue(this.queue(key).queue), true), 30_000, 1000);
    }
  }

  /** Outputs of the processes, for a failing test's message. */
  diagnostics(): string {
    return [this.prometheusProcess?.output, this.alertmanagerProcess?.output, ...this.alertscale.map((a, i) => `--- alertscale ${i} ---\n${a.output().slice(-6000)}`)]
      .filter(Boolean)
      .join('\n');
  }

  /** Tears everything down, continuing past failures; throws the first failure at the end. */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        errors.push(error);
      }
    };
    await Promise.all([...this.samplers].map((s) => attempt(() => s.stop())));
    await Promise.all([
      ...[...this.producers].map((p) => attempt(() => p.stop())),
      ...this.alertscale.map((a) => attempt(() => a.stop())),
      attempt(async () => this.prometheusProcess?.stop()),
      attempt(async () => this.alertmanagerProcess?.stop()),
      ...[...this.workers.keys()].map((key) => attempt(() => this.removeWorker(key))),
    ]);
    // Queues whose worker was never started (or whose removal failed) go too.
    // With the worker's retry and dead-letter queues (demo/jobTopology.ts).
    const names = [...this.queues.values()].flatMap((q) => Object.values(jobQueues(q.queue)));
    await Promise.all(names.map((name) => attempt(() => waitFor(`queue ${name} deleted`, async () => (await this.probe.deleteQueue(name), true), 20_000, 1000))));
    await attempt(() => this.probe.close());
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (errors.length > 0) throw errors[0];
  }

  /** Queues this harness left on the shared broker in a run whose process is gone (names carry the pid). */
  private async removeOrphanedQueues(): Promise<void> {
    const text = await (await fetch(`http://${RABBITMQ_METRICS}/metrics/detailed?family=queue_consumer_count`)).text();
    const names = new Set([...text.matchAll(/queue="(alertscale-e2e\.(\d+)-[0-9a-f]+\.[^"]+)"/g)].filter((m) => !processAlive(Number(m[2]))).map((m) => m[1] as string));
    for (const name of names) await this.probe.deleteQueue(name).catch(() => undefined);
  }
}

/** Prometheus duration ("1m30s", "2s", "500ms") in milliseconds. */
function parsePromDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let rest = text.trim();
  while (rest) {
    const match = /^(\d+)(ms|s|m|h|d)/.exec(rest);
    if (!match) throw new Error(`not a Prometheus duration: ${text}`);
    total += Number(match[1]) * (units[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return total;
}
