import { Router } from 'express';
import type { ScaleAlertSource, SwarmGateway } from '../app/ports';
import { describeService } from '../domain/describeService';
import { renderStatusPage } from './statusPage/renderStatusPage';
import type { RecentDecisionsView } from './ports';

export interface StatusPageDeps {
  swarm: SwarmGateway;
  recent: RecentDecisionsView;
  ceiling: number;
  now: () => number;
  dryRun: boolean;
  alertmanagerUrl?: string;
  /** With ALERTMANAGER_URL: which scale alerts are active, silenced or inhibited. */
  scaleAlerts?: ScaleAlertSource;
}

/** No script may run and nothing may be fetched from elsewhere: the page is plain HTML and inline style. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const REFRESH_SECONDS = 10;
const query = (value: unknown) => (typeof value === 'string' && value !== '' ? value.slice(0, 100) : undefined);

/** GET /: the status page, on the same internal port as the read API. */
export function createStatusRouter(deps: StatusPageDeps): Router {
  const router = Router();
  router.get('/', async (request, response) => {
    let servicesError: string | undefined;
    const services = await deps.swarm.listEnabledServices().catch((error: Error) => {
      servicesError = error.message;
      return [];
    });
    let alertsError: string | undefined;
    const alerts = deps.scaleAlerts
      ? await deps.scaleAlerts.listAllScaleAlerts().catch((error: Error) => {
          alertsError = `Alertmanager at ${deps.scaleAlerts?.url}: ${error.message}`;
          return undefined;
        })
      : undefined;
    const service = query(request.query.service);
    const outcome = query(request.query.outcome);
    const page = renderStatusPage({
      services: services.map((state) => describeService(state, deps.ceiling)).sort((a, b) => a.name.localeCompare(b.name)),
      decisions: deps.recent.list(undefined, 500),
      filter: { ...(service ? { service } : {}), ...(outcome ? { outcome } : {}) },
      nowMs: deps.now(),
      dryRun: deps.dryRun,
      ...(deps.alertmanagerUrl ? { alertmanagerUrl: deps.alertmanagerUrl } : {}),
      refreshSeconds: REFRESH_SECONDS,
      ...(servicesError ? { servicesError } : {}),
      ...(alerts
        ? { alertsByService: Object.fromEntries(Object.entries(alerts).map(([name, list]) => [name, list.map((alert) => ({ name: alert.alertname, state: alert.state }))])) }
        : {}),
      ...(alertsError ? { alertsError } : {}),
    });
    response
      .status(200)
      .set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
      .send(page);
  });
  return router;
}
