import type { Express } from 'express';
import type winston from 'winston';
import { createAlertmanagerClient } from './adapters/alertmanager/createAlertmanagerClient';
import { fetchAlertmanagerStatus } from './adapters/alertmanager/fetchAlertmanagerStatus';
import { readScaleRoutes } from './adapters/alertmanager/readScaleRoutes';
import { createNodeCacheDedup } from './adapters/cache/createNodeCacheDedup';
import { createDockerClient } from './adapters/docker/createDockerClient';
import { createDockerSwarmGateway } from './adapters/docker/createDockerSwarmGateway';
import { createDecisionRecorder } from './adapters/observability/createDecisionRecorder';
import { createLogger } from './adapters/observability/createLogger';
import { createRecentDecisions } from './adapters/observability/createRecentDecisions';
import { createMetrics, type Metrics } from './adapters/observability/metrics';
import { createInProcessIntentQueue } from './adapters/queue/createInProcessIntentQueue';
import { createRabbitEventPublisher, createRabbitIntentQueue } from './adapters/queue/rabbitmq';
import { createRabbitDecisionFeed } from './adapters/queue/rabbitmq/createRabbitDecisionFeed';
import type { IntentQueue, SwarmGateway } from './app/ports';
import { createIntentProcessor } from './app/processIntent';
import type { Config } from './config/loadConfig';
import { runStartupChecks } from './config/runStartupChecks';
import { createApp } from './http/createApp';

export interface Alertscale {
  app: Express;
  metrics: Metrics;
  queue: IntentQueue;
  logger: winston.Logger;
  /** Marks the instance as shutting down: /readyz turns 503 so traffic drains away. */
  beginShutdown: () => void;
  /** Stops consuming, waits for in-flight decisions, closes broker connections. */
  stop: () => Promise<void>;
  /** Settles once the startup warnings (Docker, Alertmanager, DEDUP_WINDOW) are logged; never rejects. */
  startupChecks: Promise<void>;
}

/** Replacements for tests and benchmarks; production passes none. */
export interface CompositionOverrides {
  logger?: winston.Logger;
  swarm?: SwarmGateway;
}

/** The composition root: the one place that knows every concrete adapter. */
export async function composeAlertscale(config: Config, overrides: CompositionOverrides = {}): Promise<Alertscale> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  const now = () => Date.now();
  const swarm =
    overrides.swarm ??
    // One Docker call never outlasts the retry deadline, so a hung daemon is a prompt 503, not a stuck webhook.
    createDockerSwarmGateway(createDockerClient(config.DOCKER_HOST, Math.min(10_000, Math.max(1000, config.DOCKER_RETRY_DEADLINE))), {
      onError: (operation) => metrics.dockerErrors.inc({ operation }),
    });
  const recent = createRecentDecisions();
  const alertmanager = config.ALERTMANAGER_URL ? createAlertmanagerClient(config.ALERTMANAGER_URL) : undefined;
  const events = config.AMQP_URL ? createRabbitEventPublisher({ url: config.AMQP_URL, logger }) : undefined;
  // Every instance's decisions, replayed at start and followed live: the same "why" on every replica (ADR 0006).
  const feed = config.AMQP_URL ? createRabbitDecisionFeed({ url: config.AMQP_URL, logger, onDecision: (decision) => recent.add(decision) }) : undefined;
  const recorder = createDecisionRecorder({ logger, metrics, recent, now, ...(events ? { events } : {}) });
  const queue = config.AMQP_URL
    ? createRabbitIntentQueue({ url: config.AMQP_URL, metrics, logger, intentTtlMs: config.INTENT_TTL, decisionBudgetMs: config.DOCKER_RETRY_DEADLINE })
    : createInProcessIntentQueue();
  if (!config.AMQP_URL) {
    logger.warn('intents are not durable: AMQP_URL is not set, so intents are decided in-process before the webhook answers; set AMQP_URL for durable intents across instances', {
      event: 'startup_warning',
    });
  }
  if (config.webhookToken === undefined)
    logger.warn('webhook authentication is OFF (WEBHOOK_AUTH=none): anyone who reaches the port can scale services', { event: 'startup_warning' });
  if (config.DRY_RUN) logger.warn('DRY_RUN=true: decisions are recorded, nothing is applied', { event: 'startup_warning' });

  const alertmanagerUrl = config.ALERTMANAGER_URL;
  // Not awaited: a Docker or Alertmanager that is down now must not hold the start back (/readyz keeps telling).
  const startupChecks = runStartupChecks({
    logger,
    dedupWindowMs: config.DEDUP_WINDOW,
    dockerHost: config.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
    pingDocker: () => swarm.ping(),
    ...(alertmanagerUrl
      ? {
          alertmanager: {
            url: alertmanagerUrl,
            readRoutes: async () => {
              const status = await fetchAlertmanagerStatus(alertmanagerUrl);
              return { routes: readScaleRoutes(status.configYaml), clusterPeers: status.clusterPeers };
            },
          },
        }
      : {}),
  }).catch((error: Error) => {
    logger.warn(`startup checks failed: ${error.message}`, { event: 'startup_warning' });
  });

  await queue.start(
    createIntentProcessor({
      swarm,
      dedupCache: createNodeCacheDedup(config.DEDUP_WINDOW),
      recorder,
      ...(alertmanager ? { activeAlerts: alertmanager } : {}),
      settings: { ceiling: config.MAX_REPLICAS_CEILING, dedupWindowMs: config.DEDUP_WINDOW },
      dryRun: config.DRY_RUN,
      now,
      transientRetryDeadlineMs: config.DOCKER_RETRY_DEADLINE,
    }),
  );

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
    dryRun: config.DRY_RUN,
    ...(config.ALERTMANAGER_URL ? { alertmanagerUrl: config.ALERTMANAGER_URL } : {}),
    isShuttingDown: () => shuttingDown,
    alertmanagerGuard: alertmanagerUrl ? { url: alertmanagerUrl, check: () => fetchAlertmanagerStatus(alertmanagerUrl) } : undefined,
    ...(alertmanager ? { scaleAlerts: alertmanager } : {}),
    historySource: feed
      ? 'every alertscale instance, from the RabbitMQ stream alertscale.decisions (last 24 h, replayed at start)'
      : 'this process only, since it started (set AMQP_URL to share them between instances and keep them across restarts); state and lastChange come from the service labels',
  });
  return {
    app,
    metrics,
    queue,
    logger,
    startupChecks,
    beginShutdown: () => (shuttingDown = true),
    stop: async () => {
      await queue.stop();
      await events?.close();
      await feed?.close();
    },
  };
}
