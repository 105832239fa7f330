import { readFileSync } from 'node:fs';
import type { NotificationResult } from '../src/app/handleNotification';
import { ALERT_LABEL } from '../src/domain/alertContract';
import { planNotification } from '../src/domain/planNotification';
import type { ScaleAction } from '../src/domain/types';
import { alertmanagerPayloadSchema, type AlertmanagerPayload } from '../src/http/alertmanagerPayloadSchema';
import { sleep } from './polling';
import { repoPath } from './repoRoot';

/**
 * Alertmanager notifications for tests and benchmarks, built from the payloads
 * recorded from a real Alertmanager 0.25 (see test/fixtures/alertmanager/README.md),
 * and a client that delivers them the way Alertmanager does.
 */

/** Payloads recorded from a real Alertmanager 0.25 (see test/fixtures/alertmanager/README.md). */
export type FixtureName = 'firing-one-alert' | 'firing-two-alerts-same-service' | 'firing-scale-to-truncated' | 'resolved-one-alert';

/** What Alertmanager sends: the fields alertscale reads (its schema's type) and the rest of the webhook body. */
export type Notification = Omit<AlertmanagerPayload, 'alerts'> & {
  alerts: Array<AlertmanagerPayload['alerts'][number] & { endsAt: string; generatorURL: string }>;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
};

export function loadFixture(name: FixtureName): Notification {
  return JSON.parse(readFileSync(repoPath('test', 'fixtures', 'alertmanager', `${name}.json`), 'utf8')) as Notification;
}

/** A recorded payload re-aimed at another service, for tests that scale services they made. */
export function fixtureFor(name: FixtureName, service: string, labelOverrides: Record<string, string> = {}): Notification {
  const payload = loadFixture(name);
  for (const alert of payload.alerts) Object.assign(alert.labels, { [ALERT_LABEL.service]: service, ...labelOverrides });
  payload.groupLabels[ALERT_LABEL.service] = service;
  payload.commonLabels[ALERT_LABEL.service] = service;
  payload.groupKey = String(payload.groupKey).replace(/scale_service="[^"]*"/, `scale_service="${service}"`);
  return payload;
}

let sequence = 0;

/** The payload's first alert (every recorded fixture has one). */
export function firstAlert(payload: Notification): Notification['alerts'][number] {
  const [alert] = payload.alerts;
  if (!alert) throw new Error('the notification has no alert');
  return alert;
}

/** The same notification as a new firing of its alerts (new startsAt and fingerprint, hence a new idempotency key). */
export function refired<T extends Notification>(payload: T): T {
  for (const alert of payload.alerts) {
    sequence += 1;
    alert.startsAt = new Date(Date.now() + sequence).toISOString();
    alert.fingerprint = `${process.pid.toString(16)}${sequence.toString(16).padStart(8, '0')}`;
  }
  return payload;
}

/**
 * A fresh notification for one service (a new firing of the alert: new
 * startsAt and fingerprint, hence a new idempotency key), built from the
 * recorded Alertmanager payloads.
 */
export function uniqueNotification(service: string, action: ScaleAction = 'up', extra: { replicas?: string; step?: string } = {}): Notification {
  const payload = fixtureFor(action === 'to' ? 'firing-scale-to-truncated' : 'firing-one-alert', service, {
    [ALERT_LABEL.action]: action,
    ...(extra.step === undefined ? {} : { [ALERT_LABEL.step]: extra.step }),
  });
  payload.truncatedAlerts = 0;
  payload.groupLabels[ALERT_LABEL.action] = action;
  if (extra.replicas !== undefined) firstAlert(payload).annotations.scale_replicas = extra.replicas;
  return refired(payload);
}

/** The same payload with every alert resolved (what Alertmanager sends with send_resolved). */
export function resolvedOf(payload: Notification): Notification {
  const copy = structuredClone(payload);
  copy.status = 'resolved';
  for (const alert of copy.alerts) {
    alert.status = 'resolved';
    alert.endsAt = new Date().toISOString();
  }
  return copy;
}

/** The idempotency key alertscale will compute for the payload's single intent. */
export function intentKeyOf(payload: Notification): string {
  const plan = planNotification(alertmanagerPayloadSchema.parse(payload), Date.now());
  const key = plan.intents[0]?.key;
  if (!key) throw new Error('payload yields no intent');
  return key;
}

/** The body of alertscale's answer to POST /webhook, whatever the status. */
export type WebhookAnswer = Partial<NotificationResult> & { error?: string; message?: string; details?: unknown };

export interface Delivery {
  status: number | 'connection_error';
  /** 2xx: alertscale's NotificationResult; otherwise its error answer ({ error, message, details? }); raw text when not JSON. */
  body?: WebhookAnswer;
  error?: string;
}

/** One POST /webhook; a failed connection is a result, not a throw. */
export async function post(url: string, token: string, payload: unknown, signal?: AbortSignal): Promise<Delivery> {
  try {
    const response = await fetch(`${url}/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(payload),
      ...(signal ? { signal } : {}),
    });
    const text = await response.text();
    let body: WebhookAnswer;
    try {
      body = JSON.parse(text) as WebhookAnswer;
    } catch {
      body = { message: text };
    }
    return { status: response.status, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { status: 'connection_error', error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}

export interface RetriedDelivery {
  attempts: Delivery[];
  final: Delivery;
}

/**
 * Sends like Alertmanager does: retries 5xx and connection failures (with a
 * short pause), never 4xx, until a 2xx or the deadline. `url` is read on every
 * attempt, so a restarted instance on a new port is followed.
 */
export async function deliverLikeAlertmanager(
  url: () => string,
  token: string,
  payload: unknown,
  options: { retryPauseMs?: number; deadlineMs?: number } = {},
): Promise<RetriedDelivery> {
  const attempts: Delivery[] = [];
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  for (;;) {
    const delivery = await post(url(), token, payload);
    attempts.push(delivery);
    const retry = delivery.status === 'connection_error' || delivery.status >= 500;
    if (!retry || Date.now() > deadline) return { attempts, final: delivery };
    await sleep(options.retryPauseMs ?? 150);
  }
}
