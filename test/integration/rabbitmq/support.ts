/**
 * What only the RabbitMQ integration tests need. They run against the real
 * broker (harness/rabbit.ts: TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672):
 * a missing broker fails the tests, it never skips them. Every test uses its
 * own queue and exchange names and deletes them afterwards. An unhandled
 * rejection, or an 'error' event without a listener, fails the run: Jest 30 reports both.
 */
import type { ChannelModel, GetMessage } from 'amqplib';
import winston from 'winston';
import { sleep } from '../../../harness/polling';

/** Quick reconnects so the outage test does not wait for the 10 s production cap. */
export const FAST_RECONNECT = { initialDelayMs: 100, maxDelayMs: 1000 };

/** Silent unless TEST_LOG is set (then everything, to stderr). */
export function testLogger(): winston.Logger {
  const level = process.env.TEST_LOG ? 'debug' : 'info';
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ silent: !process.env.TEST_LOG, stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

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

export async function counterValue(
  metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  return values.filter((entry) => Object.entries(labels).every(([name, value]) => entry.labels[name] === value)).reduce((sum, entry) => sum + entry.value, 0);
}
