import { connect, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type winston from 'winston';

/**
 * Connects with amqplib's recovery: exponential backoff with jitter while the
 * broker is down at start, and again after any disconnect. `setup` runs on
 * every (re)connection to open channels and start consuming. Returns at once:
 * await `waitForConnect()`, or `close()` to give up (e.g. on SIGTERM).
 */
export async function connectBroker(url: string, logger: winston.Logger, maxDelayMs: number, setup: (model: ChannelModel) => Promise<void>): Promise<RecoveringChannelModel> {
  const broker = await connect(url, {
    recovery: { initialDelay: 250, maxDelay: maxDelayMs, factor: 2, jitter: 0.2, waitForConnect: false, setup },
  });
  broker.on('connect', () => logger.info('broker connected'));
  broker.on('disconnect', (err: Error) => logger.warn('broker disconnected', { error: err.message }));
  broker.on('reconnect-scheduled', ({ attempt, delay, error }: { attempt: number; delay: number; error: Error }) =>
    logger.warn('broker unreachable, retrying', { attempt, delayMs: delay, error: error.message }),
  );
  broker.on('error', (err: Error) => logger.warn('broker connection error', { error: err.message }));
  return broker;
}
