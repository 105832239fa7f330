import type { ConfirmChannel, Options } from 'amqplib';

/** Publishes a persistent message to `queue`; resolves once the broker confirmed it, rejects on a nack. */
export function sendConfirmed(channel: ConfirmChannel, queue: string, body: Buffer, options: Options.Publish = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.sendToQueue(queue, body, { persistent: true, contentType: 'application/json', ...options }, (err: unknown) =>
      err ? reject(new Error(`the broker refused a message for ${queue} (nack)`)) : resolve(),
    );
  });
}
