import type { Server } from 'node:http';
import { createAlertmanagerClient } from './adapters/alertmanager/createAlertmanagerClient';
import { createNodeCacheDedup } from './adapters/cache/createNodeCacheDedup';
import { createDockerClient } from './adapters/docker/createDockerClient';
import { createDockerSwarmGateway } from './adapters/docker/createDockerSwarmGateway';
import { createDecisionRecorder } from './adapters/observability/createDecisionRecorder';
import { createLogger } from './adapters/observability/createLogger';
import { createRecentDecisions } from './adapters/observability/createRecentDecisions';
import { createMetrics } from './adapters/observability/metrics';
import { createInProcessIntentQueue } from './adapters/queue/createInProcessIntentQueue';
import { createIntentProcessor } from './app/processIntent';
import { ConfigError, loadConfig, type Config } from './config/loadConfig';
import { createApp } from './http/createApp';

/** The composition root: the one place that knows every concrete adapter. */
async function main(config: Config): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  const now = () => Date.now();
  const swarm = createDockerSwarmGateway(createDockerClient(config.DOCKER_HOST), {
    onError: (operation) => metrics.dockerErrors.inc({ operation }),
  });
  const recent = createRecentDecisions();
  const recorder = createDecisionRecorder({ logger, metrics, recent, now });
  const queue = createInProcessIntentQueue();
  logger.warn('intents are not durable: AMQP_URL is not set, so intents are decided in-process before the webhook answers; set AMQP_URL for durable intents across instances', { event: 'startup_warning' });
  if (config.webhookToken === undefined) logger.warn('webhook authentication is OFF (WEBHOOK_AUTH=none): anyone who reaches the port can scale services', { event: 'startup_warning' });
  if (config.DRY_RUN) logger.warn('DRY_RUN=true: decisions are recorded, nothing is applied', { event: 'startup_warning' });

  const processIntent = createIntentProcessor({
    swarm,
    dedupCache: createNodeCacheDedup(config.DEDUP_WINDOW),
    recorder,
    ...(config.ALERTMANAGER_URL ? { activeAlerts: createAlertmanagerClient(config.ALERTMANAGER_URL) } : {}),
    settings: { ceiling: config.MAX_REPLICAS_CEILING, dedupWindowMs: config.DEDUP_WINDOW },
    dryRun: config.DRY_RUN,
    now,
    transientRetryDeadlineMs: config.DOCKER_RETRY_DEADLINE,
  });
  await queue.start(processIntent);

  let shuttingDown = false;
  const app = createApp({
    swarm,
    queue,
    recorder,
    recent,
    metrics,
    logger,
    now,
    token: config.webhookToken,
    bodyLimitBytes: config.BODY_LIMIT,
    ceiling: config.MAX_REPLICAS_CEILING,
    isShuttingDown: () => shuttingDown,
  });
  const server: Server = app.listen(config.PORT, () => {
    logger.info(`alertscale listening on :${config.PORT}`, { event: 'started', port: config.PORT, dryRun: config.DRY_RUN });
  });

  const shutDown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info(`${signal}: finishing in-flight requests and decisions`, { event: 'shutdown' });
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than SHUTDOWN_TIMEOUT (${config.SHUTDOWN_TIMEOUT} ms); exiting`, { event: 'shutdown_timeout' });
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT);
    timer.unref();
    // close() stops accepting and resolves once in-flight requests (which await their decisions) are done.
    server.close(() => {
      queue
        .stop()
        .then(() => {
          logger.info('stopped', { event: 'stopped' });
          process.exit(0);
        })
        .catch(() => process.exit(1));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutDown('SIGTERM'));
  process.on('SIGINT', () => shutDown('SIGINT'));
}

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  process.stderr.write(`alertscale: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
main(config).catch((error: Error) => {
  process.stderr.write(`alertscale: failed to start: ${error.message}\n`);
  process.exit(1);
});
