import express, { Router } from 'express';
import type winston from 'winston';
import { AlertscaleError } from '../app/errors';
import { handleNotification, type HandleNotificationDeps } from '../app/handleNotification';
import { ALERT_STATUSES, alertmanagerPayloadSchema } from './alertmanagerPayloadSchema';
import { WEBHOOK_STATUS_CODES } from './mapErrorToResponse';
import { authenticateWebhook } from './authenticateWebhook';
import type { HttpMetrics } from './ports';

export interface WebhookDeps extends HandleNotificationDeps {
  /** Undefined only with WEBHOOK_AUTH=none. */
  token: string | undefined;
  bodyLimitBytes: number;
  metrics: HttpMetrics;
  logger: winston.Logger;
}

function requireJson(request: express.Request): void {
  if (!request.is('application/json')) {
    throw new AlertscaleError('unsupported_media_type', `unsupported_media_type: Content-Type must be application/json, got "${request.get('content-type') ?? '(none)'}"`);
  }
}

/** POST /webhook: authenticate, check, parse, then hand the notification to the use case. */
export function createWebhookRouter(deps: WebhookDeps): Router {
  // Series that exist from the start, at 0: increase() cannot see a counter's first event otherwise.
  for (const code of WEBHOOK_STATUS_CODES) deps.metrics.webhookRequests.inc({ code: String(code) }, 0);
  for (const status of ALERT_STATUSES) deps.metrics.webhookAlerts.inc({ status }, 0);
  const router = Router();
  router.use('/webhook', (request, response, next) => {
    const stopTimer = deps.metrics.webhookDuration.startTimer();
    response.on('finish', () => {
      stopTimer();
      deps.metrics.webhookRequests.inc({ code: String(response.statusCode) });
    });
    next();
  });
  router.post(
    '/webhook',
    authenticateWebhook(deps.token),
    (request, _response, next) => {
      requireJson(request);
      next();
    },
    express.json({ limit: deps.bodyLimitBytes, type: () => true }),
    async (request, response) => {
      const parsed = alertmanagerPayloadSchema.safeParse(request.body);
      if (!parsed.success) {
        const details = parsed.error.issues.slice(0, 20).map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message }));
        throw new AlertscaleError('invalid_payload', `invalid_payload: not an Alertmanager webhook notification (${details.map((detail) => detail.path).join(', ')})`, details);
      }
      const notification = parsed.data;
      for (const alert of notification.alerts) deps.metrics.webhookAlerts.inc({ status: alert.status });
      const result = await handleNotification(notification, deps);
      response.status(202).json(result);
    },
  );
  return router;
}
