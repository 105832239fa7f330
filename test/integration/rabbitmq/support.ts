/**
 * Helpers for the RabbitMQ integration tests. They run against the real broker
 * (TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672): a missing broker
 * fails the tests, it never skips them. Every test uses its own queue and
 * exchange names and deletes them afterwards. An unhandled rejection, or an
 * 'error' event without a listener, fails the run: Jest 30 reports both.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import * as amqp from 'amqplib';
import type { ChannelModel, GetMessage } from 'amqplib';
import winston from 'winston';
import type { Decision, Outcome, ScaleIntent } from '../../../src/domain/types';
import type { IntentTopology } from '../../../src/adapters/queue/rabbitmq/topology';

const execFileAsync = promisify(execFile);

export const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Quick reconnects so the outage test does not wait for the 10 s production cap. */
export const FAST_RECONNECT = { initialDelayMs: 100, maxDelayMs: 1000 };

export function uniqueName(what: string): string {
  return `alertscale.test.${what}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
}

/** Silent unless TEST_LOG is set (then everything, to stderr). */
export function testLogger(): winston.Logger {
  const level = process.env.TEST_LOG ? 'debug' : 'info';
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ silent: !process.env.TEST_LOG, stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

/** A connection for the test's own checks; throws (fails the test) when the broker is not there. */
export async function connectAdmin(): Promise<ChannelModel> {
  try {
    const model = await amqp.connect(AMQP_URL, { timeout: 5000 });
    model.on('error', () => undefined);
    return model;
  } catch (error) {
    throw new Error(`RabbitMQ is required for these tests and is not reachable at ${AMQP_URL}: ${(error as Error).message}. Run scripts/setup-test-env.sh.`);
  }
}

/** Runs one operation on a fresh channel, so a 404/406 does not poison a shared one. */
export async function withChannel<T>(admin: ChannelModel, run: (channel: amqp.Channel) => Promise<T>): Promise<T> {
  const channel = await admin.createChannel();
  channel.on('error', () => undefined);
  try {
    return await run(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

export async function deleteIntentTopology(admin: ChannelModel, topology: IntentTopology): Promise<void> {
  for (const queue of [topology.queue, topology.deadLetterQueue]) {
    await withChannel(admin, (channel) => channel.deleteQueue(queue)).catch(() => undefined);
  }
  await withChannel(admin, (channel) => channel.deleteExchange(topology.deadLetterExchange)).catch(() => undefined);
}

export function fakeIntent(service: string, overrides: Partial<ScaleIntent> = {}): ScaleIntent {
  return {
    // The shape computeIdempotencyKey gives: the consumer dead-letters any other as malformed.
    key: randomBytes(16).toString('hex'),
    service,
    action: 'up',
    stepOverrides: [],
    usesServiceStep: true,
    receiver: 'alertscale',
    groupKey: `{}:{scale_service="${service}"}`,
    fingerprints: [randomBytes(8).toString('hex')],
    receivedAt: new Date().toISOString(),
    ...overrides,
  };
}

export function fakeDecision(intent: ScaleIntent, outcome: Outcome = 'no_change', extra: Partial<Decision> = {}): Decision {
  return {
    service: intent.service,
    action: intent.action,
    outcome,
    reason: `${outcome}: test`,
    key: intent.key,
    decidedAt: new Date().toISOString(),
    ...extra,
  };
}

export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Takes (and acks) messages from a queue until `count` were read or the timeout passes. */
export async function drainQueue(admin: ChannelModel, queue: string, count: number, timeoutMs = 10_000): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  const channel = await admin.createChannel();
  channel.on('error', () => undefined);
  try {
    const deadline = Date.now() + timeoutMs;
    while (messages.length < count && Date.now() < deadline) {
      const message = await channel.get(queue, { noAck: false });
      if (message) {
        channel.ack(message);
        messages.push(message);
      } else {
        await sleep(50);
      }
    }
    return messages;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

export function header(message: GetMessage, name: string): unknown {
  return message.properties.headers?.[name];
}

export async function counterValue(metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> }, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  return values.filter((entry) => Object.entries(labels).every(([name, value]) => entry.labels[name] === value)).reduce((sum, entry) => sum + entry.value, 0);
}

/** rabbitmqctl as root (sudo -n when the tests do not run as root). */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['rabbitmqctl', args] : ['sudo', ['-n', 'rabbitmqctl', ...args]];
  const { stdout } = await execFileAsync(file, argv, { timeout: 60_000 });
  return stdout;
}

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('docker', args, { timeout: 60_000 });
  return stdout.trim();
}
