import { Writable } from 'node:stream';
import winston from 'winston';
import type { SwarmGateway } from '../../src/app/ports';
import { composeAlertscale } from '../../src/composeAlertscale';
import { loadConfig } from '../../src/config/loadConfig';

export const TEST_TOKEN = 's3cret-token-for-tests';

/** A winston logger whose JSON lines land in `lines`, so tests can read what was logged. */
function captureLogger(lines: string[]): winston.Logger {
  return winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk, _encoding, done) {
            lines.push(String(chunk));
            done();
          },
        }),
      }),
    ],
  });
}

/** The real app, composed exactly as main.ts composes it, over the given Swarm gateway, with logs captured. */
export async function createTestApp(swarm: SwarmGateway, options: { token?: string | null; bodyLimitBytes?: number; dryRun?: boolean } = {}) {
  const logLines: string[] = [];
  const config = loadConfig({
    ...(options.token === null ? { WEBHOOK_AUTH: 'none' } : { WEBHOOK_TOKEN: options.token ?? TEST_TOKEN }),
    BODY_LIMIT: String(options.bodyLimitBytes ?? 1024 * 1024),
    DRY_RUN: String(options.dryRun ?? false),
    DOCKER_RETRY_DEADLINE: '300ms',
    LOG_LEVEL: 'debug',
  });
  const alertscale = await composeAlertscale(config, { swarm, logger: captureLogger(logLines) });
  return { app: alertscale.app, metrics: alertscale.metrics, queue: alertscale.queue, logLines };
}
