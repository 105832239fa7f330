import { Router } from 'express';
import type { ScaleAlertSource, SwarmGateway } from '../app/ports';
import { AlertscaleError } from '../app/errors';
import { explainScaleAlerts, type AlertmanagerView } from '../app/explainScaleAlerts';
import { suggestServiceNames } from '../app/suggestServiceNames';
import { SERVICE_NAME } from '../domain/alertContract';
import { describeService } from '../domain/describeService';
import type { RecentDecisionsView } from './ports';

export interface ApiDeps {
  swarm: SwarmGateway;
  recent: RecentDecisionsView;
  ceiling: number;
  now: () => number;
  /** Present with ALERTMANAGER_URL: shows the service's alerts as Alertmanager sees them. */
  scaleAlerts?: ScaleAlertSource;
  /** Where recentDecisions come from, in words (this process only, or every instance). */
  historySource?: string;
}

async function askAlertmanager(
  source: ScaleAlertSource,
  name: string,
  lastNotificationAt: string | undefined,
  nowMs: number,
): Promise<AlertmanagerView | { url: string; error: string }> {
  try {
    return explainScaleAlerts(source.url, await source.listScaleAlerts(name), lastNotificationAt, nowMs);
  } catch (error) {
    return { url: source.url, error: `could not ask Alertmanager at ${source.url} (${(error as Error).message}); silences and inhibitions are not shown` };
  }
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
    const lastNotificationAt = deps.recent.lastNotificationAt(name);
    response.json({
      ...(inspected ? describeService(inspected.state, deps.ceiling) : { name, exists: false }),
      ...(lastNotificationAt ? { lastNotificationAt } : {}),
      ...(deps.scaleAlerts ? { alertmanager: await askAlertmanager(deps.scaleAlerts, name, lastNotificationAt, deps.now()) } : {}),
      ...(deps.historySource ? { recentDecisionsFrom: deps.historySource } : {}),
      recentDecisions,
    });
  });
  router.get('/api/v1/decisions', (request, response) => {
    const limit = Math.min(Math.max(Number(request.query.limit) || 100, 1), 500);
    response.json({ decisions: deps.recent.list(undefined, limit) });
  });
  return router;
}
