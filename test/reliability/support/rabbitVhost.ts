import { randomBytes } from 'node:crypto';
import { describeError } from '../../../harness/describeError';
import { AMQP_URL, rabbitmqctl, withBroker, withChannel } from '../../../harness/rabbit';

/**
 * A RabbitMQ virtual host of the test's own. alertscale as a process always uses
 * the queue `alertscale.intents`; other suites (and other people's runs on this
 * machine) run alertscale processes on the default vhost, and they would consume
 * this test's intents. A vhost isolates queues, exchanges and consumers.
 */
export interface TestVhost {
  name: string;
  url: string;
  /**
   * messages_ready, messages_unacknowledged of a queue in this vhost (undefined when it does not exist),
   * from rabbitmqctl: for quorum queues these figures lag by up to ~5 s.
   */
  queueDepth(queue: string): Promise<{ ready: number; unacked: number } | undefined>;
  /** Ready messages right now (AMQP passive declare), or undefined when the queue does not exist. */
  readyCount(queue: string): Promise<number | undefined>;
  /** Consumers the broker counts on a queue right now (AMQP passive declare), or undefined when it does not exist. */
  consumerCount(queue: string): Promise<number | undefined>;
  remove(): Promise<void>;
}

/** The queue's counts (AMQP passive declare), or undefined when it does not exist. */
function checkQueue(url: string, queue: string): Promise<{ messageCount: number; consumerCount: number } | undefined> {
  return withBroker((broker) => withChannel(broker, (channel) => channel.checkQueue(queue)), url).catch(() => undefined);
}

export async function createTestVhost(prefix: string): Promise<TestVhost> {
  const name = `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  try {
    await rabbitmqctl('add_vhost', name);
  } catch (error) {
    throw new Error(`RabbitMQ is required (rabbitmqctl add_vhost failed; run \`npm run setup\`): ${describeError(error)}`, { cause: error });
  }
  const base = new URL(AMQP_URL);
  await rabbitmqctl('set_permissions', '-p', name, decodeURIComponent(base.username || 'guest'), '.*', '.*', '.*');
  base.pathname = `/${encodeURIComponent(name)}`;
  return {
    name,
    url: base.toString(),
    async queueDepth(queue) {
      const out = await rabbitmqctl('-q', 'list_queues', '-p', name, 'name', 'messages_ready', 'messages_unacknowledged');
      for (const line of out.split('\n')) {
        const [queueName, ready, unacked] = line.trim().split(/\s+/);
        if (queueName === queue) return { ready: Number(ready), unacked: Number(unacked) };
      }
      return undefined;
    },
    async readyCount(queue) {
      return (await checkQueue(base.toString(), queue))?.messageCount;
    },
    async consumerCount(queue) {
      return (await checkQueue(base.toString(), queue))?.consumerCount;
    },
    async remove() {
      await rabbitmqctl('delete_vhost', name).catch(() => undefined);
    },
  };
}
