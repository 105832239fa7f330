import type { ConfirmChannel, RecoveringChannelModel } from 'amqplib';
import type winston from 'winston';
import { connectBroker } from './connectBroker';
import { encodeJob, type Job } from './job';
import { assertJobTopology } from './jobTopology';
import { sendConfirmed } from './sendConfirmed';

export interface JobPublisher {
  /** Resolves once the broker confirmed the persistent job; rejects when disconnected or nacked. */
  publish: (job: Job) => Promise<void>;
  broker: RecoveringChannelModel;
}

/** A confirm channel on the job topology, re-opened after every reconnection. */
export async function connectJobPublisher(url: string, queue: string, logger: winston.Logger, maxDelayMs: number): Promise<JobPublisher> {
  let channel: ConfirmChannel | undefined;
  const broker = await connectBroker(url, logger, maxDelayMs, async (model) => {
    const confirmChannel = await model.createConfirmChannel();
    confirmChannel.on('error', (err: Error) => logger.warn('channel error', { error: err.message }));
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
  return { publish, broker };
}
