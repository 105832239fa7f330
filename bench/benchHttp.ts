/**
 * bench:http — the same HTTP spike through the edge (HAProxy, the shipped config
 * in its loopback variant) to the demo api on Swarm, three ways:
 *   (a) api fixed at its minimum (alertscale.min, not opted in);
 *   (b) api fixed at its maximum (over-provisioned, not opted in);
 *   (c) alertscale with the shipped rules, route and the api's labels from stack.yml.
 * Load: Artillery (open arrival model: requests arrive at the set rate whatever
 * the latency), installed on demand; every latency, error and rate figure is
 * from Artillery's own report. Replicas are sampled from Swarm every second.
 * Writes docs/bench/http.md and docs/bench/http.svg, raw data to .bench-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createApiService, httpScrapeConfigs, httpTuningRules } from '../harness/apiService';
import { serversUp, startLoopbackEdge } from '../harness/edge';
import { LoopStack } from '../harness/loopStack';
import { repoPath } from '../harness/repoRoot';
import { shippedTuningValue } from '../harness/ruleFiles';
import { findFreePort, sleep, waitFor, findFreePortRange } from '../harness/polling';
import { ARTILLERY_VERSION, ensureArtillery, failedRequests, okResponses, runArtillery, type ArtilleryReport } from './artillery';
import { loopSettings, num, runThenStop, selectPhases, tearDownOnSignal } from './benchEnv';
import { renderHttpChart } from './httpChart';

/** The api as stack.yml ships it: 2 slots x 100 ms = 20 requests/s per replica. */
const API_ENV = { API_CONCURRENCY: '2', API_SERVICE_TIME_MS: '100', API_QUEUE_LIMIT: '100', API_MAX_WAIT_MS: '2000', DRAIN_DELAY_MS: '3000', SHUTDOWN_GRACE_MS: '10000' };
const CAPACITY = 20;
/** The api's labels in stack.yml. */
const STACK_API_POLICY = {
  'alertscale.enabled': 'true',
  'alertscale.min': '2',
  'alertscale.max': '6',
  'alertscale.step.up': '1',
  'alertscale.step.down': '1',
  'alertscale.cooldown.up': '30s',
  'alertscale.cooldown.down': '5m',
};
const MIN = 2;
const MAX = 6;

const CONFIG = {
  baselineRate: num('BENCH_HTTP_BASELINE_RATE', 10),
  spikeRate: num('BENCH_HTTP_SPIKE_RATE', 60),
  baselineSeconds: num('BENCH_HTTP_BASELINE_S', 300),
  spikeSeconds: num('BENCH_HTTP_SPIKE_S', 180),
  afterSeconds: num('BENCH_HTTP_AFTER_S', 60),
  /** How long (c) is watched after the load for its way back to the minimum. */
  tailMaxSeconds: num('BENCH_HTTP_TAIL_MAX_S', 900),
  ...loopSettings({ scrapeInterval: '15s', phases: 'a,b,c' }),
};

interface PhaseSpec {
  key: string;
  title: string;
  color: string;
  dash?: string;
  replicas: number;
  scaled: boolean;
}

const PHASES: Record<string, PhaseSpec> = {
  a: { key: 'a', title: `(a) fixed at min (${MIN})`, color: '#888888', replicas: MIN, scaled: false },
  b: { key: 'b', title: `(b) fixed at max (${MAX})`, color: '#2a9d3a', dash: '6 3', replicas: MAX, scaled: false },
  c: { key: 'c', title: '(c) alertscale, shipped rules', color: '#1f6fd1', replicas: MIN, scaled: true },
};

interface PhaseResult {
  spec: PhaseSpec;
  report: ArtilleryReport;
  /** Seconds since the spike started -> desired replicas (Swarm spec), every second. */
  replicas: Array<[number, number]>;
  replicaSeconds: number;
  firstScaleUpSeconds?: number;
  enoughReplicasSeconds?: number;
  decisions: string[];
  /** Scaled phases: seconds from the load's end until the service was back at its minimum, and the replica-seconds it used meanwhile. */
  tail?: { seconds: number; replicaSeconds: number };
}

/** The area under a step curve of [seconds, replicas] samples. */
function replicaSecondsOf(samples: Array<[number, number]>): number {
  let total = 0;
  for (let i = 1; i < samples.length; i++) total += ((samples[i] as [number, number])[0] - (samples[i - 1] as [number, number])[0]) * (samples[i - 1] as [number, number])[1];
  return total;
}

function log(message: string): void {
  process.stdout.write(`[bench:http ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function runPhase(
  stack: LoopStack,
  spec: PhaseSpec,
  service: string,
  slots: number[],
  edgePorts: { listen: number; metrics: number },
  artillery: string,
  enough: number,
): Promise<PhaseResult> {
  const { remove } = await createApiService({
    name: service,
    image: stack.image,
    amqpUrl: stack.amqpUrl,
    queue: stack.queue('jobs').queue,
    portBase: slots[0] as number,
    replicas: spec.replicas,
    labels: spec.scaled ? STACK_API_POLICY : {},
    env: API_ENV,
  });
  const edgeDir = fs.mkdtempSync(path.join(stack.dir, `edge-${spec.key}-`));
  let edge: Awaited<ReturnType<typeof startLoopbackEdge>> | undefined;
  try {
    for (const port of slots.slice(0, spec.replicas)) await waitFor(`api on ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 120_000, 250);
    edge = await startLoopbackEdge(edgeDir, { ...edgePorts, slots });
    await waitFor(`the edge to see ${spec.replicas} replicas`, async () => (await serversUp(edge as NonNullable<typeof edge>)) === spec.replicas, 30_000, 250);
    await waitFor(
      'Prometheus to see the api',
      async () => (await stack.prometheus.samples(`service:http_replicas_up:sum{service="${service}"}`)).some((s) => Number(s.value[1]) === spec.replicas),
      120_000,
      1000,
    );
    const sampler = stack.sampleReplicas(service, 1000);
    const started = Date.now();
    const spikeAt = started + CONFIG.baselineSeconds * 1000;
    log(`${spec.title}: load ${CONFIG.baselineRate}/s ${CONFIG.baselineSeconds}s, ${CONFIG.spikeRate}/s ${CONFIG.spikeSeconds}s, ${CONFIG.baselineRate}/s ${CONFIG.afterSeconds}s`);
    const report = await runArtillery(
      artillery,
      edgeDir,
      `${edge.url}/work`,
      [
        { name: 'baseline', durationS: CONFIG.baselineSeconds, rate: CONFIG.baselineRate },
        { name: 'spike', durationS: CONFIG.spikeSeconds, rate: CONFIG.spikeRate },
        { name: 'after', durationS: CONFIG.afterSeconds, rate: CONFIG.baselineRate },
      ],
      10,
    );
    const ended = Date.now();
    const rel = (at: number): number => (at - spikeAt) / 1000;
    let tail: PhaseResult['tail'];
    if (spec.scaled) {
      log(`${spec.title}: load over; watching for the way back to ${MIN} replicas (up to ${CONFIG.tailMaxSeconds} s, no load)`);
      const backAt = await waitFor(
        `${service} back at ${MIN} replicas`,
        () => sampler.samples.find((s) => s.at > ended && s.replicas <= MIN)?.at,
        CONFIG.tailMaxSeconds * 1000,
        1000,
      ).catch(() => undefined);
      if (backAt !== undefined) {
        const tailSamples = sampler.samples.filter((s) => s.at >= ended && s.at <= backAt).map((s): [number, number] => [rel(s.at), s.replicas]);
        tail = { seconds: (backAt - ended) / 1000, replicaSeconds: replicaSecondsOf(tailSamples) };
      }
    }
    const samples = await sampler.stop();
    const replicas = samples.filter((s) => s.at >= started && s.at <= ended).map((s): [number, number] => [rel(s.at), s.replicas]);
    const replicaSeconds = replicaSecondsOf(replicas);
    const scaled = spec.scaled ? (await stack.decisions(service)).filter((d) => d.outcome === 'scaled') : [];
    const firstUp = scaled.find((d) => d.direction === 'up');
    const enoughAt = replicas.find(([t, n]) => t >= 0 && n >= enough);
    return {
      spec,
      report,
      replicas,
      replicaSeconds,
      ...(firstUp ? { firstScaleUpSeconds: rel(Date.parse(firstUp.decidedAt)) } : {}),
      ...(enoughAt ? { enoughReplicasSeconds: enoughAt[0] } : {}),
      decisions: scaled.map((d) => `${d.action} ${d.from}→${d.to} at ${rel(Date.parse(d.decidedAt)).toFixed(0)}s`),
      ...(tail ? { tail } : {}),
    };
  } finally {
    await edge?.process.stop();
    await remove();
    // Let Prometheus' windows forget this phase before the next one starts.
    await sleep(5_000);
  }
}

const ms = (n: number | undefined): string => (n === undefined ? '—' : `${n >= 1000 ? (n / 1000).toFixed(2) : n.toFixed(0)}${n >= 1000 ? ' s' : ' ms'}`);
const s1 = (n: number | undefined): string => (n === undefined ? '—' : `${n.toFixed(0)} s`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || !(b > 0) ? '—' : `${(a / b).toFixed(2)}×`);
const errorRate = (r: PhaseResult): number => {
  const failed = failedRequests(r.report.aggregate);
  return failed / Math.max(1, failed + okResponses(r.report.aggregate));
};
const successPerSecond = (r: PhaseResult): number => okResponses(r.report.aggregate) / (CONFIG.baselineSeconds + CONFIG.spikeSeconds + CONFIG.afterSeconds);

function markdown(results: PhaseResult[], perReplica: number, totalSeconds: number): string {
  const byKey = new Map(results.map((r) => [r.spec.key, r]));
  const [a, b, c] = ['a', 'b', 'c'].map((key) => byKey.get(key));
  const lat = (r: PhaseResult | undefined, p: 'p50' | 'p95' | 'p99'): number | undefined => r?.report.aggregate.latencyMs?.[p];
  const lines = [
    '# HTTP spike benchmark: fixed at min, fixed at max, alertscale',
    '',
    'Generated by `npm run bench:http` (`bench/benchHttp.ts`); the timeline is [http.svg](http.svg).',
    '',
    `- **Command**: \`npm run bench:http\` — ${new Date().toISOString().slice(0, 16)}Z, whole run ${(totalSeconds / 60).toFixed(1)} min`,
    `- **Load**: Artillery ${ARTILLERY_VERSION}, open arrival model (each request a new virtual user, arriving at the set rate whatever the latency), GET /work through the edge: ${CONFIG.baselineRate}/s for ${CONFIG.baselineSeconds} s, **${CONFIG.spikeRate}/s for ${CONFIG.spikeSeconds} s** (${(CONFIG.spikeRate / CAPACITY).toFixed(1)}× one replica's ${CAPACITY}/s), ${CONFIG.baselineRate}/s for ${CONFIG.afterSeconds} s; request timeout 10 s. Latency, errors and rates below are Artillery's own report.`,
    `- **System**: all on 127.0.0.1 — HAProxy (\`deploy/haproxy/haproxy.cfg\`, loopback variant: one server per task slot; as shipped: \`maxconn 2\` per server = the api's concurrency, so excess requests wait in the edge's one line, \`timeout queue 8s\`, health checks every 1 s, 0.5 s while down, rise 1), the demo api as a Swarm service on the host network (as in stack.yml: 2 slots × 100 ms, line of 100, 503 after 2 s), Prometheus with \`rules/*.rules.yml\` as shipped plus the api's tuning rows (per-replica target ${perReplica}/s, its edge mapped as alertscale:http_edge_backend:info maps alertscale_api, p95 0.4 s / 0.2 s), the api and the edge's exporter scraped every 2 s (as \`prometheus.scrape_interval: "2s"\` does in stack.yml), the HTTP scaling group's own 2 s evaluation (ServiceDesiredReplicas \`for: 4s\` on the requests arriving at the edge over 6 s plus its line cleared in 30 s), other scrape/evaluation ${CONFIG.scrapeInterval}/${CONFIG.evaluationInterval}; Alertmanager with the shipped route; alertscale (dist/); in (c) the api's labels from stack.yml (min ${MIN}, max ${MAX}, step.up 1, cooldown.up 30s).`,
    `- **Measured**: replicas = the service's desired replicas sampled every second; replica-seconds over the same window in every phase, the whole load (${CONFIG.baselineSeconds + CONFIG.spikeSeconds + CONFIG.afterSeconds} s, from the first request to the last); first scale-up = first \`scaled\` decision − spike start; enough replicas = first sample with ≥ ceil(spike rate / per-replica target) = ${Math.ceil(CONFIG.spikeRate / perReplica)} replicas. The baseline before the spike is ${CONFIG.baselineSeconds} s because a spike comes after a quiet period, and the cost ratio depends on that quiet share: (b) pays for its maximum all the time, (c) only while the load needs it. After the load, (c) keeps its replicas until ServiceRequestRateLow's 5 min stabilization and \`for: 1m\` have passed (rules/idle.rules.yml); that tail is watched with no load, reported below, and counted in a second ratio with (b) at its maximum for the same time.`,
    '',
    '| phase | p50 | p95 | p99 | error rate | successful req/s | first scale-up | enough replicas | replica-seconds |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.spec.title} | ${ms(lat(r, 'p50'))} | ${ms(lat(r, 'p95'))} | ${ms(lat(r, 'p99'))} | ${(errorRate(r) * 100).toFixed(2)}% | ${successPerSecond(r).toFixed(1)} | ${s1(r.firstScaleUpSeconds)} | ${s1(r.enoughReplicasSeconds)} | ${r.replicaSeconds.toFixed(0)} |`,
    ),
    '',
  ];
  if (a && c)
    lines.push(
      `**(a)/(c)**: p50 ${ratio(lat(a, 'p50'), lat(c, 'p50'))}, p95 ${ratio(lat(a, 'p95'), lat(c, 'p95'))}, p99 ${ratio(lat(a, 'p99'), lat(c, 'p99'))}, error rate ${(errorRate(a) * 100).toFixed(1)}% vs ${(errorRate(c) * 100).toFixed(2)}%.`,
      '',
    );
  if (b && c)
    lines.push(
      `**Cost (c)/(b)**: ${ratio(c.replicaSeconds, b.replicaSeconds)} of the over-provisioned replica-seconds (${c.replicaSeconds.toFixed(0)} vs ${b.replicaSeconds.toFixed(0)}).`,
      '',
      c.tail
        ? `**The way back**: (c) was at its minimum (${MIN}) again ${s1(c.tail.seconds)} after the load ended, using ${c.tail.replicaSeconds.toFixed(0)} replica-seconds meanwhile. Counting that tail in both phases ((b) at ${MAX} for the same ${s1(c.tail.seconds)}): ${ratio(c.replicaSeconds + c.tail.replicaSeconds, b.replicaSeconds + MAX * c.tail.seconds)}.`
        : `**The way back**: (c) was not back at its minimum (${MIN}) within ${CONFIG.tailMaxSeconds} s of the load's end.`,
      '',
    );
  if (a && b && c) {
    const met = (ok: boolean): string => (ok ? 'met' : '**not met**');
    const p95Ratio = (lat(a, 'p95') ?? 0) / Math.max(1, lat(c, 'p95') ?? Infinity);
    lines.push(
      `**Targets** (issues 13 and 15): first scale-up ≤ 20 s: ${met((c.firstScaleUpSeconds ?? Infinity) <= 20)} (${s1(c.firstScaleUpSeconds)}); p95 (a)/(c) ≥ 4× (issue 15; issue 13: ≥ 3×): ${met(p95Ratio >= 4)} (${p95Ratio.toFixed(2)}×); errors in (c) < 1%: ${met(errorRate(c) < 0.01)} (${(errorRate(c) * 100).toFixed(2)}%); replica-seconds (c) < 60% of (b): ${met(c.replicaSeconds < 0.6 * b.replicaSeconds)} (${((100 * c.replicaSeconds) / b.replicaSeconds).toFixed(0)}%).`,
      '',
    );
  }
  lines.push('**Scale decisions** (seconds since the spike started):', '');
  for (const r of results) if (r.decisions.length) lines.push(`- ${r.spec.title}: ${r.decisions.join(', ')}`);
  lines.push('', '![HTTP spike timeline](http.svg)', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const runStarted = Date.now();
  const phases = selectPhases(CONFIG.phases, PHASES);
  const artillery = ensureArtillery(log);
  const perReplica = shippedTuningValue('alertscale:threshold:http_requests_per_replica', { service: 'alertscale_api' });
  const latencyUp = shippedTuningValue('alertscale:threshold:latency_p95_up_seconds', { service: 'alertscale_api' });
  const latencyDown = shippedTuningValue('alertscale:threshold:latency_p95_down_seconds', { service: 'alertscale_api' });
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  const plan = await Promise.all(
    phases.map(async (spec) => ({
      spec,
      service: `alertscale-bench-${runId}-api-${spec.key}`,
      slots: Array.from({ length: MAX }, (_, i) => i),
      base: await findFreePortRange(MAX),
      edge: { listen: await findFreePort(), metrics: await findFreePort() },
    })),
  );
  log(`starting the loop (Prometheus ${CONFIG.scrapeInterval}/${CONFIG.evaluationInterval}, shipped rules and route)`);
  const stack = await LoopStack.start({
    queues: [{ key: 'jobs', mapped: false }],
    scrapeInterval: CONFIG.scrapeInterval,
    evaluationInterval: CONFIG.evaluationInterval,
    resendDelay: CONFIG.resendDelay,
    extraScrapeConfigs: plan.flatMap((p) =>
      httpScrapeConfigs(
        p.service,
        p.slots.map((i) => p.base + i),
        `127.0.0.1:${p.edge.metrics}`,
      ),
    ),
    extraRuleFiles: {
      'bench-http.rules.yml': httpTuningRules(
        plan.map((p) => ({ service: p.service, requestsPerReplica: perReplica, latencyUpSeconds: latencyUp, latencyDownSeconds: latencyDown })),
      ),
    },
  });
  tearDownOnSignal(stack, log);
  const enough = Math.ceil(CONFIG.spikeRate / perReplica);
  const results: PhaseResult[] = [];
  await runThenStop(stack, async () => {
    for (const p of plan) {
      const result = await runPhase(
        stack,
        p.spec,
        p.service,
        p.slots.map((i) => p.base + i),
        p.edge,
        artillery,
        enough,
      );
      results.push(result);
      const agg = result.report.aggregate;
      log(
        `${p.spec.title}: p50 ${ms(agg.latencyMs?.p50)} p95 ${ms(agg.latencyMs?.p95)} p99 ${ms(agg.latencyMs?.p99)}, errors ${(errorRate(result) * 100).toFixed(2)}%, ${result.replicaSeconds.toFixed(0)} replica-s, first up ${s1(result.firstScaleUpSeconds)}`,
      );
    }
  });

  const totalSeconds = (Date.now() - runStarted) / 1000;
  fs.mkdirSync(CONFIG.outDir, { recursive: true });
  fs.writeFileSync(
    path.join(CONFIG.outDir, 'http.svg'),
    renderHttpChart(results, {
      baselineSeconds: CONFIG.baselineSeconds,
      spikeSeconds: CONFIG.spikeSeconds,
      spikeRate: CONFIG.spikeRate,
      capacityPerReplica: CAPACITY,
      maxReplicas: MAX,
    }),
  );
  fs.writeFileSync(path.join(CONFIG.outDir, 'http.md'), markdown(results, perReplica, totalSeconds));
  const rawDir = repoPath('.bench-results');
  fs.mkdirSync(rawDir, { recursive: true });
  fs.writeFileSync(path.join(rawDir, `http-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ config: CONFIG, results }, null, 2));
  log(`wrote ${path.join(CONFIG.outDir, 'http.md')} and http.svg (${(totalSeconds / 60).toFixed(1)} min)`);
}

// Exit explicitly: a pooled keep-alive socket of fetch() would keep the process up after the report.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:http failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
