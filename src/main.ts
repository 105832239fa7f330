import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import { composeAlertscale } from './composeAlertscale';
import { ConfigError, loadConfig, type Config } from './config/loadConfig';

const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'another process already listens there: stop it or set PORT to a free port',
  EACCES: 'not allowed to bind there: use a PORT above 1023 or run with the capability to bind low ports',
  EADDRNOTAVAIL: 'no interface of this host has that address: set HOST to one of its addresses, 0.0.0.0 or ::',
  ENOTFOUND: 'HOST does not resolve: set it to an IP address or a resolvable name',
};

/**
 * Resolves once the server really listens; rejects with the reason when it cannot
 * (express 5's app.listen hands a bind error to its callback, where it was easy to miss).
 */
function listen(app: Express, config: Config): Promise<Server> {
  const server = createServer(app);
  const where = `${config.HOST ?? ''}:${config.PORT}`;
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code ? LISTEN_HINTS[error.code] : undefined;
      reject(new Error(`cannot listen on ${where}: ${error.code ?? error.message}${hint ? ` (${hint})` : ''}`));
    });
    const onListening = () => resolve(server);
    if (config.HOST === undefined) server.listen(config.PORT, onListening);
    else server.listen(config.PORT, config.HOST, onListening);
  });
}

/** Serves alertscale until SIGTERM/SIGINT, then drains in-flight requests and decisions and exits 0. */
async function serve(config: Config): Promise<void> {
  const { app, logger, beginShutdown, stop } = await composeAlertscale(config);
  let server: Server;
  try {
    server = await listen(app, config);
  } catch (error) {
    logger.error(`failed to start: ${(error as Error).message}`, { event: 'start_failed', port: config.PORT, host: config.HOST });
    await stop().catch(() => undefined);
    throw error;
  }
  logger.info(`alertscale listening on ${config.HOST ?? ''}:${config.PORT}`, { event: 'started', port: config.PORT, host: config.HOST, dryRun: config.DRY_RUN });

  let stopping = false;
  const shutDown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    beginShutdown();
    logger.info(`${signal}: finishing in-flight requests and decisions`, { event: 'shutdown' });
    setTimeout(() => {
      logger.error(`shutdown took longer than SHUTDOWN_TIMEOUT (${config.SHUTDOWN_TIMEOUT} ms); exiting`, { event: 'shutdown_timeout' });
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT).unref();
    // close() stops accepting and calls back once in-flight requests (which await their decisions) are done.
    server.close(() => {
      stop().then(
        () => {
          logger.info('stopped', { event: 'stopped' });
          process.exit(0);
        },
        () => process.exit(1),
      );
    });
    server.closeIdleConnections();
    // close() refuses new connections, but a busy keep-alive connection would carry
    // request after request until SHUTDOWN_TIMEOUT: answer what arrives on it, then close it.
    server.on('request', (_request, response) => response.setHeader('Connection', 'close'));
  };
  process.on('unhandledRejection', (reason) => {
    logger.error(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`, { event: 'unhandled_rejection' });
  });
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
serve(config).catch((error: Error) => {
  process.stderr.write(`alertscale: failed to start: ${error.message}\n`);
  process.exit(1);
});
