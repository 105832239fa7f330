import { composeAlertscale } from './composeAlertscale';
import { ConfigError, loadConfig, type Config } from './config/loadConfig';

/** Serves alertscale until SIGTERM/SIGINT, then drains in-flight requests and decisions and exits 0. */
async function serve(config: Config): Promise<void> {
  const { app, logger, beginShutdown, stop } = await composeAlertscale(config);
  const server = app.listen(config.PORT, () => {
    logger.info(`alertscale listening on :${config.PORT}`, { event: 'started', port: config.PORT, dryRun: config.DRY_RUN });
  });

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
