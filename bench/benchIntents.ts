/**
 * Webhook-to-decision latency and sustained intents/s: durable RabbitMQ intents
 * versus the in-process queue (a direct call of the handler), in the same run,
 * with a cheap fake handler, so the figures show what the broker path costs.
 *
 *   npm run bench:intents   (npm run build:bench && node dist/bench/benchIntents.js)
 *
 * Env: BENCH_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672),
 * BENCH_LATENCY_INTENTS (default 500), BENCH_THROUGHPUT_INTENTS (default 5000),
 * BENCH_CONCURRENCY (concurrent webhook requests, default 16), BENCH_PREFETCH (default 8).
 * Uses its own queue (alertscale.bench.<random>) and deletes it at the end.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import winston from 'winston';
import type { IntentHandler, IntentQueue } from '../src/app/ports';
import { makeDecision } from '../src/domain/makeDecision';
import type { Decision, ScaleIntent } from '../src/domain/types';
import { createMetrics } from '../src/adapters/observability/metrics';
import { createInProcessIntentQueue } from '../src/adapters/queue/createInProcessIntentQueue';
import { createRabbitIntentQueue } from '../src/adapters/queue/rabbitmq/createRabbitIntentQueue';
import { intentTopology } from '../src/adapters/queue/rabbitmq/topology';
import { AMQP_URL, deleteIntentTopology, withBroker } from '../harness/rabbit';
import { percentile } from './percentile';

const url = process.env.BENCH_AMQP_URL ?? AMQP_URL;
const latencyIntents = Number(process.env.BENCH_LATENCY_INTENTS ?? 500);
const throughputIntents = Number(process.env.BENCH_THROUGHPUT_INTENTS ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const prefetch = Number(process.env.BENCH_PREFETCH ?? 8);
const SERVICES = 5;

let sequence = 0;
function intent(): ScaleIntent {
  sequence += 1;
  const service = `bench_svc${sequence % SERVICES}`;
  return {
    key: randomBytes(16).toString('hex'),
    service,
    action: 'up',
    stepOverrides: [],
    usesServiceStep: true,
    receiver: 'alertscale',
    groupKey: `{}:{scale_service="${service}"}`,
    fingerprints: [randomBytes(8).toString('hex')],
    receivedAt: new Date().toISOString(),
  };
}

/** The fake decision: cheap, so the figures are the queue's cost. Resolves a waiter per key. */
function createFakeHandler() {
  const waiting = new Map<string, (at: number) => void>();
  const handler: IntentHandler = async (scaleIntent): Promise<Decision> => {
    const at = performance.now();
    waiting.get(scaleIntent.key)?.(at);
    waiting.delete(scaleIntent.key);
    return makeDecision({ service: scaleIntent.service, action: scaleIntent.action, key: scaleIntent.key, outcome: 'cooldown', reason: 'cooldown: bench', nowMs: Date.now() });
  };
  const decided = (key: string) => new Promise<number>((resolve) => waiting.set(key, resolve));
  return { handler, decided };
}

interface LatencyResult {
  ackP50: number;
  ackP99: number;
  decisionP50: number;
  decisionP99: number;
}

/** One request at a time: time to the webhook's answer (submit resolved) and to the decision. */
async function measureLatency(queue: IntentQueue, decided: (key: string) => Promise<number>, count: number): Promise<LatencyResult> {
  const ack: number[] = [];
  const decision: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const next = intent();
    const whenDecided = decided(next.key);
    const started = performance.now();
    await queue.submit([next]);
    ack.push(performance.now() - started);
    decision.push((await whenDecided) - started);
  }
  ack.sort((a, b) => a - b);
  decision.sort((a, b) => a - b);
  return { ackP50: percentile(ack, 50), ackP99: percentile(ack, 99), decisionP50: percentile(decision, 50), decisionP99: percentile(decision, 99) };
}

/** `concurrency` webhook requests in flight, one intent each, until `count` are decided. */
async function measureThroughput(queue: IntentQueue, decided: (key: string) => Promise<number>, count: number): Promise<number> {
  const intents = Array.from({ length: count }, intent);
  const allDecided = Promise.all(intents.map((next) => decided(next.key)));
  let cursor = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (cursor < intents.length) {
        const next = intents[cursor++] as ScaleIntent;
        await queue.submit([next]);
      }
    }),
  );
  await allDecided;
  return count / ((performance.now() - started) / 1000);
}

const ms = (value: number) => `${value.toFixed(3)} ms`.padStart(11);

async function main(): Promise<void> {
  const logger = winston.createLogger({ level: 'warn', transports: [new winston.transports.Console()] });
  const queueName = `alertscale.bench.${randomBytes(4).toString('hex')}`;

  const direct = createFakeHandler();
  const inProcess = createInProcessIntentQueue();
  await inProcess.start(direct.handler);

  const viaBroker = createFakeHandler();
  const rabbit = createRabbitIntentQueue({ url, metrics: createMetrics(), logger, intentTtlMs: 120_000, queue: queueName, prefetch, connectionName: 'alertscale-bench' });
  try {
    await rabbit.start(viaBroker.handler);
    await rabbit.whenReady(15_000);

    // Warm-up (JIT, connection buffers, the quorum queue's first writes).
    await measureLatency(inProcess, direct.decided, 100);
    await measureLatency(rabbit, viaBroker.decided, 100);

    const inProcessLatency = await measureLatency(inProcess, direct.decided, latencyIntents);
    const rabbitLatency = await measureLatency(rabbit, viaBroker.decided, latencyIntents);
    const inProcessRate = await measureThroughput(inProcess, direct.decided, throughputIntents);
    const rabbitRate = await measureThroughput(rabbit, viaBroker.decided, throughputIntents);

    const line = (label: string, a: number, b: number) => `${label.padEnd(34)}${ms(a)}${ms(b)}${`x${(b / a).toFixed(1)}`.padStart(10)}`;
    process.stdout.write(
      [
        `alertscale intents bench — node ${process.version}, ${latencyIntents} sequential intents for latency, ${throughputIntents} intents with ${concurrency} concurrent webhook requests for throughput, prefetch ${prefetch}, fake handler`,
        `${''.padEnd(34)}${'in-process'.padStart(11)}${'RabbitMQ'.padStart(11)}${'ratio'.padStart(10)}`,
        line('webhook answer (submit) p50', inProcessLatency.ackP50, rabbitLatency.ackP50),
        line('webhook answer (submit) p99', inProcessLatency.ackP99, rabbitLatency.ackP99),
        line('webhook-to-decision p50', inProcessLatency.decisionP50, rabbitLatency.decisionP50),
        line('webhook-to-decision p99', inProcessLatency.decisionP99, rabbitLatency.decisionP99),
        `${'sustained intents/s'.padEnd(34)}${inProcessRate.toFixed(0).padStart(11)}${rabbitRate.toFixed(0).padStart(11)}${`x${(rabbitRate / inProcessRate).toFixed(3)}`.padStart(10)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await rabbit.stop();
    await inProcess.stop();
    await withBroker((broker) => deleteIntentTopology(broker, intentTopology(queueName)), url).catch(() => undefined);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`benchIntents failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
