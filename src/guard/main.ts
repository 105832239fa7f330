import { chmodSync, rmSync } from 'node:fs';
import http from 'node:http';
import { ConfigError } from '../config/loadConfig';
import { createLogger } from '../adapters/observability/createLogger';
import { createGuardMetrics } from './createGuardMetrics';
import { createGuardServer } from './createGuardServer';
import { loadGuardConfig, toAddress, type GuardConfig } from './loadGuardConfig';

/**
 * alertscale's Docker API guard: the only holder of the Docker socket. Serves
 * the rules of src/guard/rules on GUARD_LISTEN until SIGTERM/SIGINT.
 */
function serve(config: GuardConfig): void {
  const logger = createLogger(config.LOG_LEVEL).child({ component: 'docker-guard', mode: config.GUARD_MODE });
  const metrics = createGuardMetrics(config.GUARD_MODE);
  const server = createGuardServer({
    limits: { mode: config.GUARD_MODE, ceiling: config.MAX_REPLICAS_CEILING, bodyLimitBytes: config.GUARD_BODY_LIMIT },
    docker: toAddress(config.GUARD_DOCKER_HOST),
    upstreamTimeoutMs: config.GUARD_UPSTREAM_TIMEOUT_MS,
    logger,
    metrics,
  });
  const address = toAddress(config.GUARD_LISTEN);
  if ('socketPath' in address) rmSync(address.socketPath, { force: true });
  server.on('error', (error) => {
    logger.error(`cannot listen on ${config.GUARD_LISTEN}: ${error.message}`, { event: 'listen_failed' });
    process.exit(1);
  });
  server.listen('socketPath' in address ? { path: address.socketPath } : address, () => {
    // Owner and group only: whoever may talk to the guard is chosen by the socket's group (docs/deploy.md).
    if ('socketPath' in address) chmodSync(address.socketPath, 0o660);
    logger.info(`alertscale guard (${config.GUARD_MODE}) listening on ${config.GUARD_LISTEN}`, { event: 'started' });
  });

  const metricsServer =
    config.GUARD_METRICS_PORT > 0
      ? http
          .createServer((request, response) => {
            if (request.method !== 'GET' || request.url !== '/metrics') {
              response.writeHead(404).end();
              return;
            }
            void metrics.registry.metrics().then(
              (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
              () => response.writeHead(500).end(),
            );
          })
          .listen(config.GUARD_METRICS_PORT)
      : undefined;

  const shutDown = (signal: string) => {
    logger.info(`${signal}: finishing in-flight calls`, { event: 'shutdown' });
    metricsServer?.close();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => shutDown('SIGTERM'));
  process.on('SIGINT', () => shutDown('SIGINT'));
}

try {
  serve(loadGuardConfig(process.env));
} catch (error) {
  process.stderr.write(`alertscale guard: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
