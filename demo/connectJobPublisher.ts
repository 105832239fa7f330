import type { ConfirmChannel } from 'amqplib';
import type winston from 'winston';
import type { BrokerConnection } from '../src/adapters/queue/rabbitmq/connection/brokerConnection';
import { connectBroker } from './connectBroker';
import { encodeJob, type Job } from './job';
import { assertJobTopology } from './jobTopology';
import { sendConfirmed } from './sendConfirmed';

export interface JobPublisher {
  /** Resolves once the broker confirmed the persistent job; rejects when disconnected or nacked. */
  publish: (job: Job) => Promise<void>;
  /** Closes the channel and the connection; nothing is published after it. */
  close: () => Promise<void>;
  connection: BrokerConnection;
}

/** A confirm channel on the job topology, re-opened after every reconnection. */
export function connectJobPublisher(url: string, queue: string, logger: winston.Logger, maxDelayMs: number): JobPublisher {
  let channel: ConfirmChannel | undefined;
  let closing = false;
  const { connection } = connectBroker({ url, connectionName: 'demo-api', logger, maxDelayMs, isClosing: () => closing }, async (model, broker) => {
    const confirmChannel = await model.createConfirmChannel();
    broker.watch(model, confirmChannel, 'publish');
    confirmChannel.on('close', () => {
      if (channel === confirmChannel) channel = undefined;
    });
    await assertJobTopology(confirmChannel, queue);
    channel = confirmChannel;
  });
  const publish = async (job: Job): Promise<void> => {
    if (!channel) throw new Error('not connected to the broker');
    await sendConfirmed(channel, queue, encodeJob(job), { messageId: job.id, timestamp: Math.floor(job.enqueuedAt / 1000) });
  };
  const close = async (): Promise<void> => {
    closing = true;
    await connection.close();
  };
  return { publish, close, connection };
}
