import { Router } from 'express';
import type { IntentQueue, SwarmGateway } from '../app/ports';
import type { HttpMetrics } from './ports';

export interface HealthDeps {
  swarm: SwarmGateway;
  queue: IntentQueue;
  metrics: HttpMetrics;
  /** True once shutdown began: readiness fails so traffic drains away. */
  isShuttingDown: () => boolean;
  /** With ALERTMANAGER_URL: asks Alertmanager, which the scale-down guard needs. */
  alertmanagerGuard?: { url: string; check: () => Promise<unknown> } | undefined;
}

/**
 * The scale-down guard without Alertmanager blocks scale-downs and nothing else, so it
 * makes readiness "degraded" (200, said in the body), not 503: a 503 would take the
 * instance out of the load balancer and stop scale-ups too, the opposite of safe.
 */
async function findDegraded(deps: HealthDeps): Promise<string[]> {
  if (!deps.alertmanagerGuard) return [];
  const { url, check } = deps.alertmanagerGuard;
  try {
    await check();
    return [];
  } catch (error) {
    return [
      `scale-down guard: Alertmanager at ${url} does not answer (${(error as Error).message}); a scale-down cannot be confirmed safe, so scale-downs are blocked until it answers (scale-ups work)`,
    ];
  }
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
    const [docker, degraded] = await Promise.all([
      deps.swarm.ping().then(
        () => undefined,
        (error: Error) => `docker: ${error.message}`,
      ),
      findDegraded(deps),
    ]);
    if (docker) reasons.push(docker);
    const status = reasons.length > 0 ? 'not_ready' : degraded.length > 0 ? 'degraded' : 'ready';
    response.status(reasons.length === 0 ? 200 : 503).json({ status, ...(reasons.length > 0 ? { reasons } : {}), ...(degraded.length > 0 ? { degraded } : {}) });
  });
  router.get('/metrics', async (_request, response) => {
    response.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
