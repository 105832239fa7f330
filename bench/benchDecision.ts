/**
 * npm run bench:decision — latency from the webhook request to the Swarm update
 * being committed (the in-process queue answers after the update), over real
 * scale actions alternating up and down on one service; and in the same run the
 * bare dockerode inspect+update of the same service; and alertscale again with
 * DOCKER_HOST at the Docker API guard (src/guard), interleaved with the direct
 * path so both see the same machine. Prints figures; asserts nothing.
 */
import { BENCH_TOKEN, createBenchService, machine, runBenchmark, startAlertscale, summarize } from './benchSupport';
import { docker, inspectServiceObject, removeService } from '../harness/docker';
import { uniqueNotification } from '../harness/notifications';
import { startGuard } from '../harness/startGuard';

const ACTIONS = Number(process.env.BENCH_ACTIONS ?? 200);

const WARM_UP = 10;

async function timeWebhookActions(url: string, service: string, count = ACTIONS, first = 0): Promise<number[]> {
  const samples: number[] = [];
  for (let index = first; index < first + count; index += 1) {
    const action = index % 2 === 0 ? 'up' : 'down';
    // A new startsAt makes each notification a new firing, not a duplicate.
    const body = JSON.stringify(uniqueNotification(service, action));
    const started = performance.now();
    const response = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` }, body });
    const result = (await response.json()) as { decisions?: Array<{ outcome: string }> };
    samples.push(performance.now() - started);
    if (result.decisions?.[0]?.outcome !== 'scaled') throw new Error(`action ${index} was not scaled: ${JSON.stringify(result)}`);
  }
  return samples;
}

async function timeBareDockerUpdates(service: string): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < ACTIONS; index += 1) {
    const started = performance.now();
    const info = await inspectServiceObject(service);
    const spec = { ...info.Spec, Mode: { Replicated: { Replicas: index % 2 === 0 ? 2 : 1 } } };
    await docker.getService(service).update({ _query: { version: info.Version?.Index }, _body: spec });
    samples.push(performance.now() - started);
  }
  return samples;
}

async function main(): Promise<void> {
  const service = `bench-decision-${process.pid}`;
  await createBenchService(service);
  const alertscale = await startAlertscale();
  const guard = await startGuard({ LOG_LEVEL: 'error' });
  const guarded = await startAlertscale({ DOCKER_HOST: guard.dockerHost });
  try {
    const direct: number[] = [];
    const through: number[] = [];
    // Both fresh processes warm up alike (JIT, connections) before anything is counted.
    await timeWebhookActions(alertscale.url, service, WARM_UP, -2 * WARM_UP);
    await timeWebhookActions(guarded.url, service, WARM_UP, -WARM_UP);
    // An up and a down on each path in turn, so both see the same moments of a shared machine.
    const perRound = 2;
    for (let round = 0; round < ACTIONS / perRound; round += 1) {
      direct.push(...(await timeWebhookActions(alertscale.url, service, perRound, 2 * round * perRound)));
      through.push(...(await timeWebhookActions(guarded.url, service, perRound, (2 * round + 1) * perRound)));
    }
    const ours = summarize(direct);
    const viaGuard = summarize(through);
    const bare = summarize(await timeBareDockerUpdates(service));
    console.log(`bench:decision on ${machine()}; ${ACTIONS} real scale actions each, one service, alternating up/down`);
    console.log(`  alertscale webhook → update committed   p50 ${ours.p50.toFixed(1).padStart(6)} ms   p99 ${ours.p99.toFixed(1).padStart(6)} ms`);
    console.log(`  the same through the Docker API guard   p50 ${viaGuard.p50.toFixed(1).padStart(6)} ms   p99 ${viaGuard.p99.toFixed(1).padStart(6)} ms`);
    console.log(`  bare dockerode inspect + update         p50 ${bare.p50.toFixed(1).padStart(6)} ms   p99 ${bare.p99.toFixed(1).padStart(6)} ms`);
    console.log(`  ratio (alertscale / bare): p50 ${(ours.p50 / bare.p50).toFixed(2)}, p99 ${(ours.p99 / bare.p99).toFixed(2)}`);
    console.log(`  ratio (through the guard / direct): p50 ${(viaGuard.p50 / ours.p50).toFixed(2)}, p99 ${(viaGuard.p99 / ours.p99).toFixed(2)}`);
  } finally {
    await alertscale.close();
    await guarded.close();
    await guard.stop();
    await removeService(service).catch(() => undefined);
  }
}

runBenchmark(main);
