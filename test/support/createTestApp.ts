import { Writable } from 'node:stream';
import winston from 'winston';
import { createNodeCacheDedup } from '../../src/adapters/cache/createNodeCacheDedup';
import { createDecisionRecorder } from '../../src/adapters/observability/createDecisionRecorder';
import { createRecentDecisions } from '../../src/adapters/observability/createRecentDecisions';
import { createMetrics } from '../../src/adapters/observability/metrics';
import { createInProcessIntentQueue } from '../../src/adapters/queue/createInProcessIntentQueue';
import { createIntentProcessor } from '../../src/app/processIntent';
import type { SwarmGateway } from '../../src/app/ports';
import { createApp } from '../../src/http/createApp';

export const TEST_TOKEN = 's3cret-token-for-tests';

/** The real app over the given Swarm gateway, wired like main.ts but with logs captured in memory. */
export async function createTestApp(swarm: SwarmGateway, options: { token?: string | null; bodyLimitBytes?: number; dryRun?: boolean } = {}) {
  const logLines: string[] = [];
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk, _encoding, done) {
            logLines.push(String(chunk));
            done();
          },
        }),
      }),
    ],
  });
  const metrics = createMetrics();
  const recent = createRecentDecisions();
  const now = () => Date.now();
  const recorder = createDecisionRecorder({ logger, metrics, recent, now });
  const queue = createInProcessIntentQueue();
  await queue.start(
    createIntentProcessor({
      swarm,
      dedupCache: createNodeCacheDedup(30_000),
      recorder,
      settings: { ceiling: 100, dedupWindowMs: 30_000 },
      dryRun: options.dryRun ?? false,
      now,
      transientRetryDeadlineMs: 300,
    }),
  );
  const app = createApp({
    swarm,
    queue,
    recorder,
    recent,
    metrics,
    logger,
    now,
    token: options.token === null ? undefined : (options.token ?? TEST_TOKEN),
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    ceiling: 100,
  });
  return { app, metrics, logLines, queue };
}
