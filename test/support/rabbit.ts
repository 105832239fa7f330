import { connect, type ChannelModel } from 'amqplib';

/** The test broker: this machine's RabbitMQ, loopback only. */
export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Connects to the test broker or throws a message that says what is missing (never a skip). */
export async function connectTestBroker(): Promise<ChannelModel> {
  try {
    return await connect(TEST_AMQP_URL);
  } catch (err) {
    throw new Error(`RabbitMQ is not reachable at ${TEST_AMQP_URL} (run scripts/setup-test-env.sh): ${String(err)}`);
  }
}

/**
 * Runs `work` on a connection of its own, closed afterwards. One connection per
 * check keeps a test's probes working across a broker restart (other suites
 * restart RabbitMQ on purpose).
 */
export async function withTestBroker<T>(work: (broker: ChannelModel) => Promise<T>): Promise<T> {
  const broker = await connectTestBroker();
  broker.on('error', () => undefined);
  try {
    return await work(broker);
  } finally {
    await broker.close().catch(() => undefined);
  }
}

/** Ready messages and consumers of a queue (checkQueue on a throwaway channel). */
export function queueStatus(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
  return withTestBroker(async (broker) => {
    const channel = await broker.createChannel();
    channel.on('error', () => undefined);
    const { messageCount, consumerCount } = await channel.checkQueue(queue);
    return { messageCount, consumerCount };
  });
}

/** Deletes a queue (RabbitMQ answers ok for one that is already gone). */
export function deleteQueue(queue: string): Promise<void> {
  return withTestBroker(async (broker) => {
    const channel = await broker.createChannel();
    channel.on('error', () => undefined);
    await channel.deleteQueue(queue);
  });
}
