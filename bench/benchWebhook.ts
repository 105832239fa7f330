/**
 * npm run bench:webhook — a storm of identical notifications (an Alertmanager HA
 * pair re-sending, retries) against alertscale, and in the same run against a
 * bare express route that parses JSON and answers 202. Prints figures; asserts nothing.
 */
import autocannon from 'autocannon';
import express from 'express';
import { BENCH_TOKEN, createBenchService, runBenchmark, machine, startAlertscale } from './benchSupport';
import { desiredReplicas, removeService } from '../harness/docker';
import { listenOnLoopback } from '../harness/listenOnLoopback';
import { uniqueNotification } from '../harness/notifications';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

async function storm(url: string, body: string): Promise<{ rps: number; p99: number; non2xx: number }> {
  const result = await autocannon({
    url: `${url}/webhook`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
    body,
    connections: CONNECTIONS,
    duration: DURATION_S,
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx };
}

async function main(): Promise<void> {
  const service = `bench-webhook-${process.pid}`;
  await createBenchService(service, { 'alertscale.max': '2' });
  const alertscale = await startAlertscale();
  const bare = express();
  bare.post('/webhook', express.json({ limit: '1mb' }), (_request, response) => void response.status(202).json({ accepted: 1 }));
  const baseline = await listenOnLoopback(bare);
  try {
    const body = JSON.stringify(uniqueNotification(service, 'up'));
    const ours = await storm(alertscale.url, body);
    const theirs = await storm(baseline.url, body);
    const replicas = await desiredReplicas(service);
    console.log(`bench:webhook on ${machine()}; ${CONNECTIONS} connections × ${DURATION_S}s, identical notifications`);
    console.log(`  alertscale     ${ours.rps.toFixed(0).padStart(7)} req/s   p99 ${String(ours.p99).padStart(4)} ms   non-2xx ${ours.non2xx}`);
    console.log(`  bare express   ${theirs.rps.toFixed(0).padStart(7)} req/s   p99 ${String(theirs.p99).padStart(4)} ms   non-2xx ${theirs.non2xx}`);
    console.log(`  ratio (alertscale / bare): throughput ${(ours.rps / theirs.rps).toFixed(2)}, p99 ${(ours.p99 / Math.max(theirs.p99, 1)).toFixed(2)}`);
    console.log(`  replicas after the storm: ${replicas} (started at 1: one scale-up, every re-send a duplicate)`);
  } finally {
    await alertscale.close();
    await baseline.close();
    await removeService(service).catch(() => undefined);
  }
}

runBenchmark(main);
