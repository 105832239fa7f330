import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { describeError } from './describeError';
import type { IntentTopology } from '../src/adapters/queue/rabbitmq/topology';

const execFileAsync = promisify(execFile);

/** The test broker: this machine's RabbitMQ, loopback only. */
export const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A connection for checks of our own; throws a message that says what is missing (never a skip). */
export async function connectBroker(url = AMQP_URL): Promise<ChannelModel> {
  try {
    const model = await connect(url, { timeout: 5000 });
    model.on('error', () => undefined);
    return model;
  } catch (error) {
    throw new Error(`RabbitMQ is required and not reachable at ${url.replace(/\/\/[^@]*@/, '//')} (run \`npm run setup\`): ${describeError(error)}`, { cause: error });
  }
}

/**
 * Runs `work` on a connection of its own, closed afterwards. One connection per
 * check keeps a test's probes working across a broker restart (other suites
 * restart RabbitMQ on purpose).
 */
export async function withBroker<T>(work: (broker: ChannelModel) => Promise<T>, url = AMQP_URL): Promise<T> {
  const broker = await connectBroker(url);
  try {
    return await work(broker);
  } finally {
    await broker.close().catch(() => undefined);
  }
}

/** Runs one operation on a fresh channel, so a 404/406 does not poison a shared one. */
export async function withChannel<T>(broker: ChannelModel, run: (channel: Channel) => Promise<T>): Promise<T> {
  const channel = await broker.createChannel();
  channel.on('error', () => undefined);
  try {
    return await run(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** Ready messages and consumers of a queue (checkQueue on a throwaway connection). */
export function queueStatus(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
  return withBroker((broker) =>
    withChannel(broker, async (channel) => {
      const { messageCount, consumerCount } = await channel.checkQueue(queue);
      return { messageCount, consumerCount };
    }),
  );
}

/** Deletes a queue (RabbitMQ answers ok for one that is already gone). */
export function deleteQueue(queue: string): Promise<void> {
  return withBroker((broker) => withChannel(broker, async (channel) => void (await channel.deleteQueue(queue))));
}

/** Deletes an intent queue, its dead-letter queue and exchange; best effort. */
export async function deleteIntentTopology(broker: ChannelModel, topology: IntentTopology): Promise<void> {
  for (const queue of [topology.queue, topology.deadLetterQueue]) {
    await withChannel(broker, (channel) => channel.deleteQueue(queue)).catch(() => undefined);
  }
  await withChannel(broker, (channel) => channel.deleteExchange(topology.deadLetterExchange)).catch(() => undefined);
}

/** rabbitmqctl as root (sudo -n when not running as root). */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['rabbitmqctl', args] : ['sudo', ['-n', 'rabbitmqctl', ...args]];
  const { stdout } = await execFileAsync(file, argv, { timeout: 60_000 });
  return stdout;
}
