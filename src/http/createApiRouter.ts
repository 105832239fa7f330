import { Router } from 'express';
import type { SwarmGateway } from '../app/ports';
import { AlertscaleError } from '../app/errors';
import { suggestServiceNames } from '../app/suggestServiceNames';
import type { RecentDecisions } from '../adapters/observability/createRecentDecisions';
import { SERVICE_NAME } from '../domain/alertContract';
import { describeService } from '../domain/describeService';

export interface ApiDeps {
  swarm: SwarmGateway;
  recent: RecentDecisions;
  ceiling: number;
}

/** Read-only API that answers "why didn't it scale?" in one request. */
export function createApiRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/api/v1/services', async (_request, response) => {
    const services = await deps.swarm.listEnabledServices();
    response.json({ services: services.map((service) => describeService(service, deps.ceiling)) });
  });
  router.get('/api/v1/services/:name', async (request, response) => {
    const name = String(request.params.name);
    const recentDecisions = SERVICE_NAME.test(name) ? deps.recent.list(name, 50) : [];
    const inspected = SERVICE_NAME.test(name) ? await deps.swarm.inspectService(name) : undefined;
    if (!inspected && recentDecisions.length === 0) {
      const hint = SERVICE_NAME.test(name) ? await suggestServiceNames(name, deps.swarm) : '';
      throw new AlertscaleError('not_found', `not_found: no Swarm service named "${name.slice(0, 80)}" and no recent decision about it${hint}`);
    }
    response.json({
      ...(inspected ? describeService(inspected.state, deps.ceiling) : { name, exists: false }),
      recentDecisions,
    });
  });
  router.get('/api/v1/decisions', (request, response) => {
    const limit = Math.min(Math.max(Number(request.query.limit) || 100, 1), 500);
    response.json({ decisions: deps.recent.list(undefined, limit) });
  });
  return router;
}
