import { randomBytes } from 'node:crypto';
import { jobQueues } from '../../demo/jobTopology';
import { docker, removeService } from '../../harness/docker';
import { createApiService, httpScrapeConfigs, httpTuningRules } from '../../harness/apiService';
import { serversUp, startLoopbackEdge, type LoopbackEdge } from '../../harness/edge';
import { E2E_LOOP, MAX, MIN, workerPolicy } from './e2eSettings';
import { nonOkResponses, responses, runHey, transportErrors, type HeyReport } from '../../harness/hey';
import { LoopStack } from '../../harness/loopStack';
import { findFreePort, sleep, waitFor, findFreePortRange } from '../../harness/polling';
import { readJobLog, type WorkerService } from '../../harness/workerService';

jest.setTimeout(480_000);

/** One api replica: 2 slots x 100 ms = 20 requests/s; the target carries 15. */
const PER_REPLICA_TARGET = 15;
const BASELINE_RATE = 10;
const SPIKE_RATE = 45;
/** Load after the api is back at its minimum: the removed replicas' drain (3 s delay, 10 s grace) happens under it. */
const AFTER_MINIMUM_MS = 20_000;

/**
 * The reference HTTP system on loopback, every part real: hey drives a spike
 * through HAProxy (the shipped config, loopback variant) to the demo api (a
 * Swarm service on the host network); Prometheus evaluates the shipped rules
 * (durations shortened) on the api's histogram; the shipped Alertmanager route
 * posts to alertscale, which scales the api up; after the spike the rate rule
 * gives the replicas back. Jobs posted meanwhile reach the demo worker, one of
 * whose containers is killed -9 mid-spike.
 */
describe('HTTP spike through the edge, scaled on request rate and latency', () => {
  const api = `alertscale-e2e-${process.pid}-${randomBytes(3).toString('hex')}-api`;
  let stack: LoopStack | undefined;
  let edge: LoopbackEdge | undefined;
  let slots: number[] = [];
  let removeApi: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const base = await findFreePortRange(MAX);
    slots = Array.from({ length: MAX }, (_, i) => base + i);
    const edgePorts = { listen: await findFreePort(), metrics: await findFreePort(), slots };
    stack = await LoopStack.start({
      ...E2E_LOOP,
      queues: [{ key: 'jobs', mapped: false }],
      extraScrapeConfigs: httpScrapeConfigs(api, slots, `127.0.0.1:${edgePorts.metrics}`),
      extraRuleFiles: { 'e2e-http.rules.yml': httpTuningRules([{ service: api, requestsPerReplica: PER_REPLICA_TARGET, latencyUpSeconds: 0.4, latencyDownSeconds: 0.2 }]) },
    });
    const loop = stack;
    ({ remove: removeApi } = await createApiService({
      name: api,
      image: loop.image,
      amqpUrl: loop.amqpUrl,
      queue: loop.queue('jobs').queue,
      portBase: base,
      replicas: MIN,
      // Step down one at a time: the rate rule asks for a scale-down only while one replica fewer still carries the rate.
      labels: workerPolicy({ 'alertscale.step.down': '1' }),
    }));
    await waitFor('the api replica to answer', async () => (await fetch(`http://127.0.0.1:${base}/healthz`)).ok, 90_000, 250);
    // HAProxy counts a server UP until its first failed check: start it once the first replica answers.
    edge = await startLoopbackEdge(loop.dir, edgePorts);
    await waitFor('the edge to see one replica', async () => (await serversUp(edge as LoopbackEdge)) === MIN, 20_000, 250);
    await waitFor(
      'Prometheus to see the api',
      async () => (await loop.prometheus.samples(`service:http_replicas_up:sum{service="${api}"}`)).some((s) => Number(s.value[1]) === MIN),
      60_000,
      500,
    );
  }, 240_000);

  afterAll(async () => {
    await edge?.process.stop().catch(() => undefined);
    await (removeApi ? removeApi() : removeService(api)).catch(() => undefined);
    await stack?.stop();
  }, 120_000);

  const explained = async (scenario: () => Promise<void>): Promise<void> => {
    try {
      await scenario();
    } catch (error) {
      throw new Error(`${String(error)}\n${stack?.diagnostics() ?? ''}\n${edge?.process.output ?? ''}`, { cause: error });
    }
  };

  /** SIGKILL to one running container of the worker service (Swarm restarts it). */
  async function killOneWorker(service: string): Promise<void> {
    const containers = (await docker.listContainers({ filters: JSON.stringify({ label: [`com.docker.swarm.service.name=${service}`], status: ['running'] }) })) as Array<{
      Id: string;
    }>;
    const victim = containers[0];
    if (!victim) throw new Error(`no running container of ${service} to kill`);
    await docker.getContainer(victim.Id).kill({ signal: 'SIGKILL' });
  }

  it('when a spike of 2.25x one replica hits the edge, then the api is scaled up within [min, max], p95 recovers, it is scaled back to min after the spike, not one request is lost, and every accepted job is done', () =>
    explained(async () => {
      const loop = stack as LoopStack;
      const url = `${(edge as LoopbackEdge).url}`;
      const worker: WorkerService = await loop.startWorker('jobs', { replicas: 2, labels: {}, serviceTimeMs: 100, prefetch: 2 });
      const sampler = loop.sampleReplicas(api, 250);
      const reports: Record<string, HeyReport> = {};

      // hey's workers fire together (each on its own ticker, all started at once): few workers keep
      // its bursts small. They are closed-loop, so under saturation the spike's rate falls to what the
      // replicas serve until they are added (bench:http measures with an open arrival model instead).
      reports.baseline = await runHey({ url: `${url}/work`, rate: BASELINE_RATE, durationS: 10, workers: 2 });
      const spikeStart = Date.now();
      const jobs = runHey({ url: `${url}/jobs`, method: 'POST', rate: 5, durationS: 40, workers: 2 });
      const killed = sleep(10_000).then(() => killOneWorker(worker.name));
      reports.spikeFirstHalf = await runHey({ url: `${url}/work`, rate: SPIKE_RATE, durationS: 20, workers: 30, timeoutS: 30 });
      reports.spikeSecondHalf = await runHey({ url: `${url}/work`, rate: SPIKE_RATE, durationS: 20, workers: 30, timeoutS: 30 });
      reports.jobs = await jobs;
      await killed;
      const summary = async (): Promise<string> =>
        JSON.stringify({
          decisions: (await loop.decisions(api))
            .filter((d) => d.outcome === 'scaled')
            .map((d) => `${((Date.parse(d.decidedAt) - spikeStart) / 1000).toFixed(1)}s ${d.action} ${d.from}->${d.to}`),
          reports: Object.fromEntries(
            Object.entries(reports).map(([k, r]) => [k, { p50: r.percentiles[50], p95: r.percentiles[95], responses: responses(r), statuses: r.statuses, errors: r.errors }]),
          ),
        });
      process.stdout.write(`after the spike: ${await summary()}\n`);
      // Scale-down waits for the latency rule's 2-minute window to forget the spike (ServiceLatencyHigh inhibits downs).
      // The baseline goes on until the api is back at its minimum and AFTER_MINIMUM_MS more, so the
      // removed replicas drain under load; a fixed length would mostly wait after the scale-down.
      const stopAfter = new AbortController();
      const after = runHey({ url: `${url}/work`, rate: BASELINE_RATE, durationS: 170, workers: 2 }, { stop: stopAfter.signal });
      await waitFor(`${api} back at its minimum`, () => loop.isBackAtMinimum(api, sampler, MIN), 170_000, 500).catch(async (error: unknown) => {
        stopAfter.abort();
        throw new Error(`${String(error)}\n${await summary()}`);
      });
      await sleep(AFTER_MINIMUM_MS);
      stopAfter.abort();
      reports.after = await after;
      const samples = await sampler.stop();

      const decisions = (await loop.decisions(api)).filter((d) => d.outcome === 'scaled');
      const firstUp = decisions.find((d) => d.direction === 'up');
      expect(firstUp).toBeDefined();
      const replicas = samples.map((s) => s.replicas);
      expect(Math.min(...replicas)).toBeGreaterThanOrEqual(MIN);
      expect(Math.max(...replicas)).toBeLessThanOrEqual(MAX);
      expect(Math.max(...replicas)).toBeGreaterThanOrEqual(3); // 45/s needs ceil(45/15) = 3
      // Not one request lost, through scale-ups and drained scale-downs: every one answered 200 (or 202).
      for (const [phase, r] of Object.entries(reports)) expect({ phase, transport: transportErrors(r), nonOk: nonOkResponses(r) }).toEqual({ phase, transport: 0, nonOk: 0 });
      // p95 recovers: the second half of the spike, at the new capacity, is faster than the first; after it, under the up threshold.
      expect(reports.spikeSecondHalf?.percentiles[95]).toBeLessThan(reports.spikeFirstHalf?.percentiles[95] ?? 0);
      expect(reports.after?.percentiles[95]).toBeLessThan(0.4);
      // Every job the api accepted (202) is done; the killed worker's deliveries came back.
      const accepted = reports.jobs?.statuses[202] ?? 0;
      expect(accepted).toBeGreaterThan(100);
      const doneJobs = (): number => new Set(readJobLog(worker.jobLogFile).map((line) => line.id)).size;
      await waitFor('every accepted job done', async () => doneJobs() >= accepted, 60_000, 500);
      const dead = await loop.probe.counts(jobQueues(loop.queue('jobs').queue).dead);
      expect(doneJobs() + dead.ready).toBe(accepted);
      process.stdout.write(`done: ${await summary()}\n`);
    }));
});
