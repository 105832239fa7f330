import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ApiMetrics } from './apiMetrics';
import type { Job } from './job';
import { CapacityRefused, type WorkCapacity } from './workCapacity';

/** Set by shutdown: /healthz answers 503 so the load balancer stops sending, responses close their connection. */
export interface DrainState {
  draining: boolean;
}

export interface ApiDependencies {
  /** The replica's slots and waiting line (its metrics read the line's length). */
  capacity: WorkCapacity;
  metrics: ApiMetrics;
  /** Publishes a persistent job; resolves once the broker confirmed it, rejects when it cannot. */
  publishJob: (job: Job) => Promise<void>;
  drain: DrainState;
  /** Who answered (host:pid), in every /work response. */
  replica: string;
}

const KNOWN_ROUTES = new Set(['/work', '/jobs']);
/**
 * Probes are not traffic: the edge's health checks (every second per server),
 * Docker's and Prometheus' scrapes would otherwise count as requests in the
 * rate the proportional rule divides by the per-replica target.
 */
const PROBES = new Set(['/healthz', '/metrics']);

/** Counts every response but probes in the histogram, with a bounded `route` label (unknown paths are "other"). */
function measure(metrics: ApiMetrics, drain: DrainState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (drain.draining) res.setHeader('Connection', 'close');
    if (PROBES.has(req.path)) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    metrics.inFlight.inc();
    let counted = false;
    const done = (): void => {
      if (counted) return;
      counted = true;
      metrics.inFlight.dec();
      const route = KNOWN_ROUTES.has(req.path) ? req.path : 'other';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.duration.observe({ route, method: req.method, code: String(res.statusCode) }, seconds);
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

/**
 * The demo api (createApp without listen):
 *   GET  /work     one unit of work within the replica's fixed capacity, 503 when the line is full or the wait too long;
 *   POST /jobs     publishes a persistent job, 202 {id} once the broker confirmed it;
 *   GET  /healthz  200, or 503 while draining;
 *   GET  /metrics  Prometheus text format.
 */
export function createApiApp(deps: ApiDependencies): express.Express {
  const { metrics, drain, capacity } = deps;
  const { concurrency, serviceTimeMs } = capacity.limits;
  metrics.capacity.set(serviceTimeMs > 0 ? (concurrency * 1000) / serviceTimeMs : 0);
  let seq = 0;

  const app = express();
  app.disable('x-powered-by');
  app.use(measure(metrics, drain));

  app.get('/work', async (_req, res) => {
    const queuedAt = Date.now();
    let release: () => void;
    try {
      release = await capacity.acquire();
    } catch (err) {
      const reason = err instanceof CapacityRefused ? err.reason : 'internal';
      metrics.errors.inc({ route: '/work', reason });
      res
        .status(503)
        .setHeader('Retry-After', '1')
        .json({ error: `overloaded (${reason}): add replicas or lower the load` });
      return;
    }
    const startedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, serviceTimeMs));
    release();
    res.json({ replica: deps.replica, waitedMs: startedAt - queuedAt, servedMs: Date.now() - startedAt });
  });

  app.post('/jobs', async (_req, res) => {
    const job: Job = { id: randomUUID(), seq: seq++, enqueuedAt: Date.now(), producer: deps.replica };
    try {
      await deps.publishJob(job);
      metrics.jobsPublished.inc();
      res.status(202).json({ id: job.id });
    } catch (err) {
      metrics.errors.inc({ route: '/jobs', reason: 'broker_unavailable' });
      res
        .status(503)
        .setHeader('Retry-After', '1')
        .json({ error: `job not accepted, retry: ${err instanceof Error ? err.message : String(err)}` });
    }
  });

  app.get('/healthz', (_req, res) => {
    if (drain.draining) res.status(503).type('text/plain').send('draining\n');
    else res.type('text/plain').send('ok\n');
  });

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use((_req, res) => {
    metrics.errors.inc({ route: 'other', reason: 'not_found' });
    res.status(404).json({ error: 'not found: the api serves GET /work, POST /jobs, GET /healthz, GET /metrics' });
  });
  return app;
}
