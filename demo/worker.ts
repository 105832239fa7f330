import os from 'node:os';
import type { Channel } from 'amqplib';
import { assertJobTopology } from './jobTopology';
import { connectBroker } from './connectBroker';
import { exitOnFatal } from './exitOnFatal';
import { InFlightJobs } from './inFlightJobs';
import { createDemoLogger } from './logger';
import { resolveMetricsPort } from './metricsPort';
import { openJobLog } from './openJobLog';
import { processJob, type JobContext } from './processJob';
import { releaseJobs } from './releaseJobs';
import { startMetricsServer } from './startMetricsServer';
import { loadWorkerConfig } from './workerConfig';
import { createWorkerMetrics } from './workerMetrics';

/**
 * Demo worker: consumes jobs from a durable queue, works `WORKER_SERVICE_TIME_MS`
 * on each, acks, and records each job's end-to-end latency; failed jobs are
 * retried later or dead-lettered with their reason (see processJob). On SIGTERM/SIGINT it
 * stops consuming, lets in-flight jobs finish for up to `SHUTDOWN_GRACE_MS`,
 * requeues the rest, closes the connection and exits 0.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig(process.env);
  const logger = createDemoLogger('demo-worker', config.logLevel);
  const metrics = createWorkerMetrics(config.queue);
  const port = resolveMetricsPort(config.metricsPort, config.taskSlot);
  const metricsServer = port === null ? undefined : await startMetricsServer(metrics.registry, port);
  if (metricsServer) logger.info('metrics listening', { port: metricsServer.port });
  const jobLog = config.jobLogFile !== undefined ? openJobLog(config.jobLogFile) : undefined;
  const inFlight = new InFlightJobs();
  const context: JobContext = {
    queue: config.queue,
    worker: `${os.hostname()}:${process.pid}`,
    workMode: config.workMode,
    serviceTimeMs: config.serviceTimeMs,
    failureRate: config.failureRate,
    maxAttempts: config.maxAttempts,
    retryDelayMs: config.retryDelayMs,
    random: Math.random,
    metrics,
    logger,
    inFlight,
    ...(jobLog ? { jobLog } : {}),
  };
  let consumer: { channel: Channel; tag: string } | undefined;
  let stopping = false;

  const { connection } = connectBroker(
    { url: config.amqpUrl, connectionName: 'demo-worker', logger, maxDelayMs: config.reconnectMaxDelayMs, isClosing: () => stopping },
    async (model, broker) => {
      // A confirm channel: retries and dead letters are acked away only once the broker has them.
      const channel = await model.createConfirmChannel();
      broker.watch(model, channel, 'consume');
      await assertJobTopology(channel, config.queue);
      await channel.prefetch(config.prefetch);
      if (stopping) return;
      const { consumerTag } = await channel.consume(config.queue, (message) => {
        if (message) processJob(context, channel, message);
        // Reconnecting declares the queue again and consumes from it.
        else if (!stopping) connection.recycle(model, `the broker cancelled the consumer (queue ${config.queue} deleted?)`);
      });
      consumer = { channel, tag: consumerTag };
      logger.info('consuming', {
        queue: config.queue,
        prefetch: config.prefetch,
        serviceTimeMs: config.serviceTimeMs,
        workMode: config.workMode,
      });
    },
  );

  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal, inFlight: inFlight.size, graceMs: config.shutdownGraceMs });
    setTimeout(() => {
      logger.error('shutdown did not finish in time');
      process.exit(1);
    }, config.shutdownGraceMs + 10_000).unref();
    if (consumer) {
      await consumer.channel.cancel(consumer.tag).catch((err: unknown) => logger.warn('cancel failed', { error: String(err) }));
    }
    releaseJobs(await inFlight.drain(config.shutdownGraceMs), metrics, logger);
    await connection.close();
    await jobLog?.close();
    await metricsServer?.close();
    logger.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutdown(signal).catch(exitOnFatal('demo-worker')));
  }
}

main().catch(exitOnFatal('demo-worker'));
