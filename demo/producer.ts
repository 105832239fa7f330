import os from 'node:os';
import type { ConfirmChannel } from 'amqplib';
import { connectBroker } from './connectBroker';
import { exitOnFatal } from './exitOnFatal';
import { assertJobTopology } from './jobTopology';
import { createDemoLogger } from './logger';
import { resolveMetricsPort } from './metricsPort';
import { loadProducerConfig } from './producerConfig';
import { createProducerMetrics } from './producerMetrics';
import { publishJob } from './publishJob';
import { startMetricsServer } from './startMetricsServer';

const TICK_MS = 50;

/**
 * Demo producer: publishes jobs to a durable queue, either `PRODUCER_BURST` jobs
 * at once (then exits 0 once the broker confirmed them all) or `PRODUCER_RATE`
 * jobs per second until SIGTERM (or for `PRODUCER_DURATION_S`).
 */
async function main(): Promise<void> {
  const config = loadProducerConfig(process.env);
  const logger = createDemoLogger('demo-producer', config.logLevel);
  const metrics = createProducerMetrics(config.queue);
  metrics.rate.set(config.mode.kind === 'rate' ? config.mode.jobsPerSecond : 0);
  const port = resolveMetricsPort(config.metricsPort, config.taskSlot);
  const metricsServer = port === null ? undefined : await startMetricsServer(metrics.registry, port);
  if (metricsServer) logger.info('metrics listening', { port: metricsServer.port });
  const producer = `${os.hostname()}:${process.pid}`;
  let channel: ConfirmChannel | undefined;
  let seq = 0;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;

  const { connection } = connectBroker(
    { url: config.amqpUrl, connectionName: 'demo-producer', logger, maxDelayMs: config.reconnectMaxDelayMs, isClosing: () => stopping },
    async (model, broker) => {
      const confirmChannel = await model.createConfirmChannel();
      broker.watch(model, confirmChannel, 'publish');
      confirmChannel.on('close', () => {
        if (channel === confirmChannel) channel = undefined;
      });
      await assertJobTopology(confirmChannel, config.queue);
      channel = confirmChannel;
    },
  );

  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    logger.info('stopping', { reason, published: seq });
    const confirmed = await channel?.waitForConfirms().then(
      () => true,
      () => false,
    );
    await connection.close();
    await metricsServer?.close();
    logger.info('stopped', { published: seq, allConfirmed: confirmed ?? false });
    process.exit(confirmed === false ? 1 : 0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void stop(signal).catch(exitOnFatal('demo-producer')));
  }
  // Waits as long as the broker is down (the connection retries); stop() ends the wait.
  await connection.whenReady(Infinity).catch((err: unknown) => {
    if (!stopping) throw err;
  });
  if (stopping) return;

  if (config.mode.kind === 'burst') {
    logger.info('publishing a burst', { queue: config.queue, jobs: config.mode.jobs });
    while (seq < config.mode.jobs && channel && !stopping) await publishJob(channel, config.queue, seq++, producer, metrics);
    if (stopping) return;
    if (seq < config.mode.jobs) throw new Error(`connection lost after ${seq} of ${config.mode.jobs} jobs`);
    await stop('burst published');
    return;
  }

  const { jobsPerSecond, durationSeconds } = config.mode;
  logger.info('publishing at a rate', { queue: config.queue, jobsPerSecond, durationSeconds });
  const startedAt = Date.now();
  let scheduled = 0;
  let busy = false;
  timer = setInterval(() => {
    if (busy || stopping) return;
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    const finished = durationSeconds !== undefined && elapsedSeconds >= durationSeconds;
    const due = Math.floor(jobsPerSecond * Math.min(elapsedSeconds, durationSeconds ?? Infinity)) - scheduled;
    scheduled += Math.max(due, 0);
    const current = channel;
    if (due > 0 && !current) metrics.failed.inc({ reason: 'disconnected' }, due);
    busy = true;
    void (async () => {
      for (let i = 0; i < due && current && !stopping; i++) await publishJob(current, config.queue, seq++, producer, metrics);
      if (finished) await stop('duration reached');
    })()
      .catch((err: unknown) => logger.warn('publish failed', { error: String(err) }))
      .finally(() => {
        busy = false;
      });
  }, TICK_MS);
}

main().catch(exitOnFatal('demo-producer'));
