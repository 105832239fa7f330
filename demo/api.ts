import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { loadApiConfig } from './apiConfig';
import { createApiMetrics } from './apiMetrics';
import { connectJobPublisher } from './connectJobPublisher';
import { createApiApp, type DrainState } from './createApiApp';
import { drainServer } from './drainServer';
import { exitOnFatal } from './exitOnFatal';
import { createDemoLogger } from './logger';
import { resolveMetricsPort } from './metricsPort';
import { WorkCapacity } from './workCapacity';

const BROKER_WAIT_MS = 10_000;

/**
 * Demo api: GET /work within a fixed per-replica capacity, POST /jobs to
 * RabbitMQ, /healthz, /metrics. On SIGTERM/SIGINT it drains (see drainServer)
 * and exits 0, or 1 when requests had to be cut after the grace period.
 */
async function main(): Promise<void> {
  const config = loadApiConfig(process.env);
  const logger = createDemoLogger('demo-api', config.logLevel);
  const capacity = new WorkCapacity(config.capacity);
  const metrics = createApiMetrics(() => capacity.queued);
  const drain: DrainState = { draining: false };
  const publisher = connectJobPublisher(config.amqpUrl, config.queue, logger, config.reconnectMaxDelayMs);
  // A new replica joins the edge (its first healthy check) able to take jobs; GET /work needs no
  // broker, so after a while it listens anyway and POST /jobs answers 503 until connected.
  const connected = await publisher.connection.whenReady(BROKER_WAIT_MS).then(
    () => true,
    () => false,
  );
  if (!connected) logger.warn('broker not reachable yet: POST /jobs answers 503 until it is', { waitedMs: BROKER_WAIT_MS });
  const app = createApiApp({
    capacity,
    metrics,
    publishJob: publisher.publish,
    drain,
    replica: `${os.hostname()}:${process.pid}`,
  });
  const server = http.createServer(app);
  // Longer than the edge keeps idle connections to a server (HAProxy purges them
  // within 5 s, Node's default here): otherwise HAProxy may reuse a connection
  // Node is closing, and the request on it gets no response.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 31_000;
  const port = resolveMetricsPort(config.port, config.taskSlot) ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  logger.info('listening', { port: (server.address() as AddressInfo).port, ...config.capacity });

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info('draining', { signal, drainDelayMs: config.drainDelayMs, graceMs: config.shutdownGraceMs });
    const complete = await drainServer(server, drain, { drainDelayMs: config.drainDelayMs, graceMs: config.shutdownGraceMs });
    await publisher.close();
    logger.info('stopped', { complete });
    process.exit(complete ? 0 : 1);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutdown(signal).catch(exitOnFatal('demo-api')));
  }
}

main().catch(exitOnFatal('demo-api'));
