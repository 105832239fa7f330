import express, { type Express } from 'express';
import type winston from 'winston';
import type { DecisionRecorder, IntentQueue, ScaleAlertSource, SwarmGateway } from '../app/ports';
import type { AlertNotification } from '../domain/notification';
import { createApiRouter } from './createApiRouter';
import { createHealthRouter } from './createHealthRouter';
import { createStatusRouter } from './createStatusRouter';
import { createWebhookRouter } from './createWebhookRouter';
import { mapErrorToResponse } from './mapErrorToResponse';
import type { HttpMetrics, RecentDecisionsView } from './ports';

export interface AppDeps {
  swarm: SwarmGateway;
  queue: IntentQueue;
  recorder: DecisionRecorder;
  recent: RecentDecisionsView;
  metrics: HttpMetrics;
  logger: winston.Logger;
  now: () => number;
  token: string | undefined;
  bodyLimitBytes: number;
  ceiling: number;
  dryRun: boolean;
  /** Linked from the status page (silences) when set. */
  alertmanagerUrl?: string;
  isShuttingDown?: () => boolean;
  /** With ALERTMANAGER_URL: /readyz says when the scale-down guard cannot ask it. */
  alertmanagerGuard?: { url: string; check: () => Promise<unknown> } | undefined;
  /** With ALERTMANAGER_URL: the API shows each service's alerts as Alertmanager sees them. */
  scaleAlerts?: ScaleAlertSource;
  /** Where the API's recent decisions come from, in words. */
  historySource?: string;
}

/** The HTTP application, without listen(): tests drive it with supertest, main.ts serves it. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const onTruncated = (notification: AlertNotification) =>
    deps.logger.warn(`Alertmanager truncated the group: ${notification.truncatedAlerts} alerts left out; acting on the ${notification.alerts.length} received`, {
      event: 'notification_truncated',
      groupKey: notification.groupKey,
      truncatedAlerts: notification.truncatedAlerts,
    });
  app.use(createHealthRouter({ ...deps, isShuttingDown: deps.isShuttingDown ?? (() => false) }));
  app.use(createWebhookRouter({ ...deps, onTruncated }));
  app.use(createApiRouter(deps));
  app.use(createStatusRouter(deps));
  app.use(mapErrorToResponse(deps.logger));
  return app;
}
