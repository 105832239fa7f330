import { Router } from 'express';
import type { IntentQueue, SwarmGateway } from '../app/ports';
import type { HttpMetrics } from './ports';

export interface HealthDeps {
  swarm: SwarmGateway;
  queue: IntentQueue;
  metrics: HttpMetrics;
  /** True once shutdown began: readiness fails so traffic drains away. */
  isShuttingDown: () => boolean;
}

/** Liveness, readiness and the Prometheus endpoint. */
export function createHealthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  router.get('/readyz', async (_request, response) => {
    const reasons: string[] = [];
    if (deps.isShuttingDown()) reasons.push('shutting down');
    const queueReason = deps.queue.notReadyReason();
    if (queueReason) reasons.push(`intent queue: ${queueReason}`);
    try {
      await deps.swarm.ping();
    } catch (error) {
      reasons.push(`docker: ${(error as Error).message}`);
    }
    response.status(reasons.length === 0 ? 200 : 503).json(reasons.length === 0 ? { status: 'ready' } : { status: 'not_ready', reasons });
  });
  router.get('/metrics', async (_request, response) => {
    response.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
