import { connect, type Channel, type ChannelModel } from 'amqplib';

export interface QueueCounts {
  /** Ready messages (checkQueue's messageCount). */
  ready: number;
  consumers: number;
}

/**
 * Reads queue depth and consumers over one AMQP connection, reopened after
 * any error (another suite may restart RabbitMQ's app while we sample). A
 * failed read throws; callers that poll treat it as "not yet".
 */
export class QueueProbe {
  private model: ChannelModel | undefined;
  private channel: Channel | undefined;

  constructor(readonly amqpUrl: string) {}

  private async open(): Promise<Channel> {
    if (this.channel) return this.channel;
    const model = await connect(this.amqpUrl).catch((error: unknown) => {
      throw new Error(`RabbitMQ is not reachable at ${this.amqpUrl.replace(/\/\/[^@]*@/, '//')} (run \`npm run setup\`): ${String(error)}`);
    });
    const reset = (): void => {
      if (this.model === model) {
        this.model = undefined;
        this.channel = undefined;
      }
    };
    model.on('error', reset);
    model.on('close', reset);
    const channel = await model.createChannel();
    channel.on('error', reset);
    channel.on('close', reset);
    this.model = model;
    this.channel = channel;
    return channel;
  }

  /** Counts of `queue`, which must exist (checkQueue closes the channel otherwise; the next call reopens). */
  async counts(queue: string): Promise<QueueCounts> {
    const channel = await this.open();
    const { messageCount, consumerCount } = await channel.checkQueue(queue);
    return { ready: messageCount, consumers: consumerCount };
  }

  async assertQueue(queue: string): Promise<void> {
    await (await this.open()).assertQueue(queue, { durable: true });
  }

  async deleteQueue(queue: string): Promise<void> {
    await (await this.open()).deleteQueue(queue);
  }

  async close(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    this.channel = undefined;
    await model?.close().catch(() => undefined);
  }
}
