/**
 * bench:spike — the same load spike through the real local loop, with and
 * without alertscale:
 *   (a) alertscale off: the worker stays at its minimum (not opted in, queue not mapped);
 *   (o) over-provisioned: the worker fixed at its maximum (not opted in): the cost baseline;
 *   (b) alertscale on, shipped rules: queue with the shipped per-replica target, so the
 *       proportional rule QueueDesiredReplicas acts (QueueBacklogHigh is `unless`-ed off
 *       for such a queue: (b) IS "the proportional rule alone", i.e. (d));
 *   (c) the step rule alone: the same queue without a per-replica target, so only
 *       QueueBacklogHigh (shipped default threshold) can fire;
 *   (n) steady noise: alertscale on, shipped rules, the worker at 3 replicas and a load
 *       of 70% of their target capacity with ±30% seeded variation every 10 s, for
 *       BENCH_NOISE_S (5 min): zero scale changes expected.
 * Prometheus (rules/ as shipped, durations included), Alertmanager (the repository's
 * route and timings), alertscale (built dist/), RabbitMQ and the demo worker as a Swarm
 * service, all on 127.0.0.1; the producer is the demo producer at a fixed rate for a
 * fixed time. Latencies come from the worker's JOB_LOG_FILE (enqueue -> done).
 *
 * Writes docs/bench/spike.md and docs/bench/spike.svg, and the raw samples to
 * .bench-results/. Durations and rates are configurable by environment (see CONFIG).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Decision } from '../src/domain/types';
import { publishNoise } from './noiseLoad';
import { loopSettings, num, runThenStop, selectPhases, tearDownOnSignal } from './benchEnv';
import { renderSpikeChart, type ChartSeries } from './spikeChart';
import { percentile } from './percentile';
import { inspectService } from '../harness/docker';
import { LoopStack } from '../harness/loopStack';
import { sleep } from '../harness/polling';
import { repoPath } from '../harness/repoRoot';
import { shippedTuningValue } from '../harness/ruleFiles';
import { shippedPolicy } from '../harness/stackFile';
import { readJobLog, type JobLine } from '../harness/workerService';

const CONFIG = {
  spikeSeconds: num('BENCH_SPIKE_S', 120),
  rate: num('BENCH_RATE', 10),
  serviceTimeMs: num('BENCH_SERVICE_MS', 200),
  drainTimeoutSeconds: num('BENCH_DRAIN_TIMEOUT_S', 420),
  sampleMs: num('BENCH_SAMPLE_MS', 1000),
  windowSeconds: num('BENCH_WINDOW_S', 10),
  noiseSeconds: num('BENCH_NOISE_S', 300),
  noiseReplicas: num('BENCH_NOISE_REPLICAS', 3),
  // The shipped rabbitmq-queues job scrapes every 2s and the queue rules run every 2s
  // (their group's own interval); the rest of the shipped config stays at 15s.
  ...loopSettings({ scrapeInterval: '2s', phases: 'a,o,b,c,n' }),
};

/** The demo worker's labels in stack.yml: what "shipped" means for the service policy. */
const STACK_WORKER_POLICY = shippedPolicy('worker');
const MIN = Number(STACK_WORKER_POLICY['alertscale.min']);
const MAX = Number(STACK_WORKER_POLICY['alertscale.max']);

interface PhaseSpec {
  key: string;
  title: string;
  color: string;
  dash?: string;
  scaled: boolean;
  /** Replicas the phase starts with. */
  replicas: 'min' | 'max' | 'noise';
  load: 'spike' | 'noise';
}

const PHASES: Record<string, PhaseSpec> = {
  a: { key: 'a', title: '(a) alertscale off', color: '#888888', scaled: false, replicas: 'min', load: 'spike' },
  o: { key: 'o', title: '(o) over-provisioned at max', color: '#2a9d4b', dash: '2 3', scaled: false, replicas: 'max', load: 'spike' },
  b: { key: 'b', title: '(b) alertscale on, shipped rules = (d) proportional alone', color: '#1f6fd1', scaled: true, replicas: 'min', load: 'spike' },
  c: { key: 'c', title: '(c) step rule alone', color: '#e0701b', dash: '6 3', scaled: true, replicas: 'min', load: 'spike' },
  n: { key: 'n', title: '(n) steady noise, shipped rules', color: '#8e44ad', scaled: true, replicas: 'noise', load: 'noise' },
};

/** One replica's jobs/s, and the replicas whose drain exceeds the spike's arrival rate. */
const capacityPerReplica = (): number => 1000 / CONFIG.serviceTimeMs;
const enoughReplicas = (): number => Math.floor(CONFIG.rate / capacityPerReplica()) + 1;

interface Sample {
  t: number;
  ready: number;
  consumers: number;
  replicas: number;
}

interface PhaseResult {
  spec: PhaseSpec;
  jobs: number;
  published: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  peakBacklog: number;
  drainSeconds: number;
  firstScaleUpSeconds?: number;
  /** First time the service had enoughReplicas(), since the load started. */
  enoughSeconds?: number;
  /** Replicas × seconds from the load's start to its last job done (the cost). */
  replicaSeconds: number;
  /** `scaled` decisions (the noise phase expects none). */
  scaleChanges: number;
  /** Noise phase: the rates used, jobs/s. */
  noiseRates?: number[];
  maxReplicas: number;
  replicaChanges: Array<[number, number]>;
  scaledDecisions: Array<{ at: number; action: string; from?: number; to?: number }>;
  samples: Sample[];
  p95Windows: Array<[number, number]>;
  wallSeconds: number;
}

async function runPhase(stack: LoopStack, spec: PhaseSpec): Promise<PhaseResult> {
  const started = Date.now();
  const { service, queue } = stack.queue(spec.key);
  const startReplicas = spec.replicas === 'max' ? MAX : spec.replicas === 'noise' ? CONFIG.noiseReplicas : MIN;
  const worker = await stack.startWorker(spec.key, {
    replicas: startReplicas,
    labels: spec.scaled ? STACK_WORKER_POLICY : {},
    serviceTimeMs: CONFIG.serviceTimeMs,
  });
  if (spec.scaled) {
    // The rules see the queue (a recording rule evaluated on it) before the spike starts.
    const deadline = Date.now() + 120_000;
    while ((await stack.prometheus.samples(`queue:rabbitmq_consumers:max{queue="${queue}"}`)).length === 0) {
      if (Date.now() > deadline) throw new Error(`Prometheus never evaluated the queue rules on ${queue}`);
      await sleep(1000);
    }
  }
  const noiseMean = 0.7 * startReplicas * capacityPerReplica() * targetUtilization();
  log(
    spec.load === 'spike'
      ? `${spec.title}: spike of ${CONFIG.rate} jobs/s for ${CONFIG.spikeSeconds}s on ${queue}`
      : `${spec.title}: ${noiseMean.toFixed(1)} jobs/s ±30% for ${CONFIG.noiseSeconds}s on ${queue} (${startReplicas} replicas)`,
  );

  const samples: Sample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const at = Date.now();
      try {
        const [counts, snapshot] = await Promise.all([stack.probe.counts(queue), inspectService(service)]);
        samples.push({ t: at, ready: counts.ready, consumers: counts.consumers, replicas: snapshot.replicas });
      } catch {
        // broker restarting or Docker busy: a gap in the timeline
      }
      await sleep(Math.max(0, CONFIG.sampleMs - (Date.now() - at)));
    }
  })();

  let produced: { published: number };
  let noiseRates: number[] | undefined;
  if (spec.load === 'spike') {
    const run = await stack.produce(spec.key, { rate: CONFIG.rate, durationS: CONFIG.spikeSeconds }).done;
    if (run.code !== 0) throw new Error(`the producer exited ${run.code}\n${run.output}`);
    produced = run;
  } else {
    const noise = await publishNoise(stack.amqpUrl, queue, { meanRate: noiseMean, variation: 0.3, segmentSeconds: 10, durationSeconds: CONFIG.noiseSeconds, seed: 15 });
    produced = noise;
    noiseRates = noise.rates;
  }
  const drainDeadline = Date.now() + CONFIG.drainTimeoutSeconds * 1000;
  let lines: JobLine[] = readJobLog(worker.jobLogFile);
  while (new Set(lines.map((l) => l.seq)).size < produced.published) {
    if (Date.now() > drainDeadline) throw new Error(`${spec.title}: only ${lines.length}/${produced.published} jobs done ${CONFIG.drainTimeoutSeconds}s after the spike`);
    await sleep(1000);
    lines = readJobLog(worker.jobLogFile);
  }
  await sleep(CONFIG.sampleMs);
  sampling = false;
  await sampler;
  const decisions: Decision[] = spec.scaled ? await stack.decisions(service) : [];
  await stack.removeWorker(spec.key);

  const t0 = Math.min(...lines.map((l) => Date.parse(l.enqueuedAt)));
  const spikeEnd = Math.max(...lines.map((l) => Date.parse(l.enqueuedAt)));
  const lastDone = Math.max(...lines.map((l) => Date.parse(l.doneAt)));
  const latencies = lines.map((l) => l.latencySeconds).sort((a, b) => a - b);
  const rel = (ms: number): number => (ms - t0) / 1000;
  const scaled = decisions.filter((d) => d.outcome === 'scaled');
  const firstUp = scaled.find((d) => d.direction === 'up');
  const inWindow = samples.filter((s) => s.t >= t0 - 5000);
  const enough = inWindow.find((s) => s.replicas >= enoughReplicas());
  let replicaSeconds = 0;
  for (let i = 1; i < inWindow.length; i++) {
    const prev = inWindow[i - 1] as Sample;
    const cur = inWindow[i] as Sample;
    const from = Math.max(prev.t, t0);
    const to = Math.min(cur.t, lastDone);
    if (to > from) replicaSeconds += (prev.replicas * (to - from)) / 1000;
  }
  const replicaChanges: Array<[number, number]> = [];
  for (const s of inWindow) if (replicaChanges.at(-1)?.[1] !== s.replicas) replicaChanges.push([Math.max(0, rel(s.t)), s.replicas]);
  const windows = new Map<number, number[]>();
  for (const l of lines) {
    const w = Math.floor(rel(Date.parse(l.enqueuedAt)) / CONFIG.windowSeconds);
    windows.set(w, [...(windows.get(w) ?? []), l.latencySeconds]);
  }
  const p95Windows = [...windows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([w, values]): [number, number] => [
      (w + 0.5) * CONFIG.windowSeconds,
      percentile(
        values.sort((x, y) => x - y),
        95,
      ),
    ]);
  return {
    spec,
    jobs: new Set(lines.map((l) => l.seq)).size,
    published: produced.published,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    peakBacklog: Math.max(0, ...inWindow.map((s) => s.ready)),
    drainSeconds: Math.max(0, (lastDone - spikeEnd) / 1000),
    ...(firstUp ? { firstScaleUpSeconds: rel(Date.parse(firstUp.decidedAt)) } : {}),
    ...(enough && spec.load === 'spike' ? { enoughSeconds: Math.max(0, rel(enough.t)) } : {}),
    replicaSeconds,
    scaleChanges: scaled.length,
    ...(noiseRates ? { noiseRates } : {}),
    maxReplicas: Math.max(...inWindow.map((s) => s.replicas)),
    replicaChanges,
    scaledDecisions: scaled.map((d) => ({
      at: rel(Date.parse(d.decidedAt)),
      action: d.action,
      ...(d.from !== undefined ? { from: d.from } : {}),
      ...(d.to !== undefined ? { to: d.to } : {}),
    })),
    samples: inWindow.map((s) => ({ ...s, t: rel(s.t) })),
    p95Windows,
    wallSeconds: (Date.now() - started) / 1000,
  };
}

function log(message: string): void {
  process.stdout.write(`[bench:spike ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function version(command: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return pattern.exec(out)?.[1] ?? '?';
  } catch (error) {
    return pattern.exec(String((error as { stderr?: string }).stderr ?? ''))?.[1] ?? '?';
  }
}

async function machine(): Promise<string> {
  const cpus = os.cpus();
  const rabbit = await fetch('http://127.0.0.1:15692/metrics')
    .then((r) => r.text())
    .then(
      (text) => /rabbitmq_version="([^"]+)"/.exec(text)?.[1] ?? '?',
      () => '?',
    );
  return [
    `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
    `Node ${process.version}, Docker ${version('docker', ['version', '--format', '{{.Server.Version}}'], /^(\S+)/)} (single-node Swarm)`,
    `Prometheus ${version('/usr/bin/prometheus', ['--version'], /version (\S+)/)}, Alertmanager ${version('/usr/bin/prometheus-alertmanager', ['--version'], /version (\S+)/)}, RabbitMQ ${rabbit}`,
  ].join('; ');
}

const targetUtilization = (): number => shippedTuningValue('alertscale:threshold:queue_target_utilization');
const s1 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(1));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || !(b > 0) ? '—' : `${(a / b).toFixed(2)}×`);
const changes = (r: PhaseResult): string => r.replicaChanges.map(([t, n]) => `${t.toFixed(0)}s: ${n}`).join(' → ');

function markdown(results: PhaseResult[], machineText: string, perReplica: number, readyUp: number, totalSeconds: number): string {
  const byKey = new Map(results.map((r) => [r.spec.key, r]));
  const a = byKey.get('a');
  const b = byKey.get('b');
  const c = byKey.get('c');
  const capacity = 1000 / CONFIG.serviceTimeMs;
  const lines = [
    '# Spike benchmark: a load spike with and without alertscale',
    '',
    'Generated by `npm run bench:spike` (`bench/benchSpike.ts`); the timeline is [spike.svg](spike.svg).',
    '',
    `- **Command**: \`${['BENCH_SPIKE_S', 'BENCH_RATE', 'BENCH_SERVICE_MS', 'BENCH_SCRAPE_INTERVAL', 'BENCH_EVAL_INTERVAL', 'BENCH_RESEND_DELAY', 'BENCH_PHASES']
      .filter((name) => process.env[name] !== undefined)
      .map((name) => `${name}=${process.env[name]} `)
      .join('')}npm run bench:spike\` — ${new Date().toISOString().slice(0, 16)}Z, whole run ${(totalSeconds / 60).toFixed(1)} min`,
    `- **Machine**: ${machineText}`,
    `- **Spike**: the demo producer at ${CONFIG.rate} jobs/s for ${CONFIG.spikeSeconds} s, then stops. One worker replica does ${capacity.toFixed(1)} jobs/s (${CONFIG.serviceTimeMs} ms per job, prefetch 1), so one replica falls behind by ${(CONFIG.rate - capacity).toFixed(1)} jobs/s.`,
    `- **Loop**: everything on 127.0.0.1 — RabbitMQ, Prometheus with \`rules/*.rules.yml\` exactly as shipped (the queue rules' own 2 s evaluation, \`for: 4s\` on QueueDesiredReplicas, the 5 min stabilization and \`for: 1m\` on QueueOverProvisioned) plus a tuning overlay mapping the bench queues to their services, scrape every ${CONFIG.scrapeInterval} (shipped: the rabbitmq-queues job), global evaluation ${CONFIG.evaluationInterval}, resend delay ${CONFIG.resendDelay}; Alertmanager with \`alertmanager/alertmanager.yml\` (autoscale route as shipped: group_wait 2s, group_interval 15s, repeat_interval 1m); one alertscale process (dist/); the demo worker as a Swarm service (host network) with the labels of \`stack.yml\` (min ${MIN}, max ${MAX}, step.up ${STACK_WORKER_POLICY['alertscale.step.up']}, cooldown.up ${STACK_WORKER_POLICY['alertscale.cooldown.up']}).`,
    `- **Phases**: (a) alertscale off — worker fixed at ${MIN} replica. (o) over-provisioned — worker fixed at ${MAX} replicas, the cost baseline. (b) alertscale on with the shipped rules: the queue is proportional (shipped demo.jobs rows: ${perReplica} messages per replica, drain rate measured), so \`QueueDesiredReplicas\` (\`to\`) acts; (b) is also (d), "the proportional rule alone". (c) the step rule alone: the same queue without proportional rows, so only \`QueueBacklogHigh\` (ready > ${readyUp}) can fire, stepping by \`alertscale.step.up\` = ${STACK_WORKER_POLICY['alertscale.step.up']} once per repeat. (n) steady noise: alertscale on, ${CONFIG.noiseReplicas} replicas, ${CONFIG.noiseSeconds} s of load at 70% of their target capacity (${CONFIG.noiseReplicas} × ${capacity.toFixed(1)} jobs/s × utilization ${targetUtilization()}) with ±30% seeded uniform variation every 10 s.`,
    "- **Measured**: latency = enqueue → done of every job, from the worker's `JOB_LOG_FILE`; backlog = ready messages sampled every second (AMQP `checkQueue`); drain = last job done − load end; first scale-up = first `scaled` decision (`/api/v1/decisions`) − load start; enough = first sample with " +
      `${enoughReplicas()} replicas (the fewest whose drain exceeds ${CONFIG.rate} jobs/s)` +
      "; replica-seconds = desired replicas integrated from the load's start to its last job done.",
    '',
    '| phase | jobs | p50 latency | p95 latency | p99 latency | peak backlog | time to drain | first scale-up | enough replicas | replica-seconds | scale changes | max replicas |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.spec.title} | ${r.jobs} | ${s1(r.p50)} s | ${s1(r.p95)} s | ${s1(r.p99)} s | ${r.peakBacklog} | ${s1(r.drainSeconds)} s | ${r.firstScaleUpSeconds === undefined ? '—' : `${s1(r.firstScaleUpSeconds)} s`} | ${r.enoughSeconds === undefined ? '—' : `${s1(r.enoughSeconds)} s`} | ${r.replicaSeconds.toFixed(0)} | ${r.scaleChanges} | ${r.maxReplicas} |`,
    ),
    '',
  ];
  const o = byKey.get('o');
  const n = byKey.get('n');
  if (a && b) {
    lines.push(
      `**Ratios (a)/(b)**: p50 ${ratio(a.p50, b.p50)}, p95 ${ratio(a.p95, b.p95)}, p99 ${ratio(a.p99, b.p99)}, peak backlog ${ratio(a.peakBacklog, b.peakBacklog)}, time to drain ${ratio(a.drainSeconds, b.drainSeconds)}.`,
      '',
      `**Targets**: first scale-up ≤ 20 s after the spike starts: ${(b.firstScaleUpSeconds ?? Infinity) <= 20 ? 'met' : 'NOT met'} (${s1(b.firstScaleUpSeconds)} s); p95 ≥ 8× lower than (a): ${a.p95 >= 8 * b.p95 ? 'met' : 'NOT met'} (${ratio(a.p95, b.p95)})` +
        (o
          ? `; replica-seconds ≤ 50% of (o): ${b.replicaSeconds <= 0.5 * o.replicaSeconds ? 'met' : 'NOT met'} ((b)/(o) = ${((100 * b.replicaSeconds) / o.replicaSeconds).toFixed(0)}%, p95 (b)/(o) ${ratio(b.p95, o.p95)})`
          : '') +
        (n ? `; steady noise → zero scale changes: ${n.scaleChanges === 0 ? 'met' : 'NOT met'} (${n.scaleChanges})` : '') +
        '.',
      '',
    );
  }
  if (b && c) {
    lines.push(
      `**Step (c) vs proportional (d = b)**: first scale-up after ${s1(c.firstScaleUpSeconds)} s vs ${s1(b.firstScaleUpSeconds)} s; ${c.maxReplicas} vs ${b.maxReplicas} replicas at most; p95 ${s1(c.p95)} s vs ${s1(b.p95)} s; drain ${s1(c.drainSeconds)} s vs ${s1(b.drainSeconds)} s. ` +
        `The proportional rule sees the arrival rate and the backlog within a few seconds and asks for the whole count at once; the step rule waits for ${readyUp} ready messages held for 1 minute and adds 2 replicas per notification.`,
      '',
    );
  }
  lines.push('**Replicas over time** (seconds since the spike started → desired replicas):', '');
  for (const r of results) {
    lines.push(
      `- ${r.spec.title}: ${changes(r)}${r.scaledDecisions.length ? ` (decisions: ${r.scaledDecisions.map((d) => `${d.action} ${d.from}→${d.to} at ${d.at.toFixed(0)}s`).join(', ')})` : ''}`,
    );
  }
  lines.push(
    '',
    'Reading the numbers: a scale-up needs two of RabbitMQ\'s 5 s statistics refreshes of the new load (the arrival rate is a fit over them), up to one 2 s scrape and one 2 s evaluation, `for: 4s`, group_wait 2s, then one Docker update and a task start; every job enqueued before the new replicas run waits behind the backlog built by then. Scale-down waits for the 5 min stabilization window (docs/monitoring.md, "Time to capacity").',
    '',
    '![spike timeline](spike.svg)',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const runStarted = Date.now();
  const phases = selectPhases(CONFIG.phases, PHASES);
  const perReplica = shippedTuningValue('alertscale:threshold:queue_messages_per_replica', { queue: 'demo.jobs' });
  const readyUp = shippedTuningValue('alertscale:threshold:queue_ready_up_messages');
  log(`starting the loop (Prometheus ${CONFIG.scrapeInterval}/${CONFIG.evaluationInterval}, shipped rules and route)`);
  const stack = await LoopStack.start({
    queues: [
      { key: 'a', mapped: false, maxReplicas: MAX },
      { key: 'o', mapped: false, maxReplicas: MAX },
      { key: 'b', messagesPerReplica: perReplica, maxReplicas: MAX },
      { key: 'c', maxReplicas: MAX },
      { key: 'n', messagesPerReplica: perReplica, maxReplicas: MAX },
    ],
    scrapeInterval: CONFIG.scrapeInterval,
    evaluationInterval: CONFIG.evaluationInterval,
    resendDelay: CONFIG.resendDelay,
  });
  tearDownOnSignal(stack, log);

  const results: PhaseResult[] = [];
  await runThenStop(stack, async () => {
    for (const spec of phases) {
      const result = await runPhase(stack, spec);
      results.push(result);
      log(
        `${spec.title}: p50 ${s1(result.p50)}s p95 ${s1(result.p95)}s p99 ${s1(result.p99)}s, peak backlog ${result.peakBacklog}, drain ${s1(result.drainSeconds)}s, first scale-up ${s1(result.firstScaleUpSeconds)}s, replicas ${changes(result)} (${result.wallSeconds.toFixed(0)}s)`,
      );
    }
  });

  const totalSeconds = (Date.now() - runStarted) / 1000;
  fs.mkdirSync(CONFIG.outDir, { recursive: true });
  const series: ChartSeries[] = results.map((r) => ({
    label: r.spec.title.replace(' = (d) proportional alone', ' = (d)'),
    color: r.spec.color,
    ...(r.spec.dash ? { dash: r.spec.dash } : {}),
    backlog: r.samples.map((s): [number, number] => [Math.max(0, s.t), s.ready]),
    replicas: r.samples.map((s): [number, number] => [Math.max(0, s.t), s.replicas]),
    p95: r.p95Windows,
  }));
  fs.writeFileSync(
    path.join(CONFIG.outDir, 'spike.svg'),
    renderSpikeChart({
      title: `Load spike: ${CONFIG.rate} jobs/s for ${CONFIG.spikeSeconds} s against ${(1000 / CONFIG.serviceTimeMs).toFixed(0)} jobs/s per replica`,
      subtitle: 'off vs over-provisioned vs on (shipped rules) vs step rule alone vs steady noise — npm run bench:spike',
      spikeSeconds: CONFIG.spikeSeconds,
      maxReplicas: MAX,
      series,
    }),
  );
  const machineText = await machine();
  fs.writeFileSync(path.join(CONFIG.outDir, 'spike.md'), markdown(results, machineText, perReplica, readyUp, totalSeconds));
  const rawDir = repoPath('.bench-results');
  fs.mkdirSync(rawDir, { recursive: true });
  fs.writeFileSync(path.join(rawDir, `spike-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ config: CONFIG, results }, null, 2));
  log(`wrote ${path.join(CONFIG.outDir, 'spike.md')} and spike.svg (${(totalSeconds / 60).toFixed(1)} min)`);
  const a = results.find((r) => r.spec.key === 'a');
  const b = results.find((r) => r.spec.key === 'b');
  const o = results.find((r) => r.spec.key === 'o');
  const n = results.find((r) => r.spec.key === 'n');
  if (a && b) log(`p95 (a)/(b) = ${ratio(a.p95, b.p95)}; first scale-up ${s1(b.firstScaleUpSeconds)}s; enough replicas at ${s1(b.enoughSeconds)}s`);
  if (o && b) log(`replica-seconds (b)/(o) = ${((100 * b.replicaSeconds) / o.replicaSeconds).toFixed(0)}%`);
  if (n) log(`steady noise: ${n.scaleChanges} scale changes`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:spike failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
