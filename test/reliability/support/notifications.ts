import { alertmanagerPayloadSchema } from '../../../src/http/alertmanagerPayloadSchema';
import { planNotification } from '../../../src/domain/planNotification';
import { fixtureFor } from '../../support/loadFixture';
import { sleep } from './report';

let sequence = 0;

/**
 * A fresh notification for one service (a new firing of the alert: new
 * startsAt and fingerprint, hence a new idempotency key), built from the
 * recorded Alertmanager payloads.
 */
export function uniqueNotification(service: string, action: 'up' | 'down' | 'to' = 'up', extra: { replicas?: string; step?: string } = {}): Record<string, any> {
  const payload = fixtureFor(action === 'to' ? 'firing-scale-to-truncated' : 'firing-one-alert', service, {
    scale_action: action,
    ...(extra.step === undefined ? {} : { scale_step: extra.step }),
  });
  sequence += 1;
  payload.truncatedAlerts = 0;
  payload.groupLabels.scale_action = action;
  payload.alerts[0].startsAt = new Date(Date.now() + sequence).toISOString();
  payload.alerts[0].fingerprint = `${process.pid.toString(16)}${sequence.toString(16).padStart(8, '0')}`;
  if (extra.replicas !== undefined) payload.alerts[0].annotations.scale_replicas = extra.replicas;
  return payload;
}

/** The same payload with every alert resolved (what Alertmanager sends with send_resolved). */
export function resolvedOf(payload: Record<string, any>): Record<string, any> {
  const copy = structuredClone(payload);
  copy.status = 'resolved';
  for (const alert of copy.alerts) {
    alert.status = 'resolved';
    alert.endsAt = new Date().toISOString();
  }
  return copy;
}

/** The idempotency key alertscale will compute for the payload's single intent. */
export function intentKeyOf(payload: Record<string, any>): string {
  const plan = planNotification(alertmanagerPayloadSchema.parse(payload), Date.now());
  const key = plan.intents[0]?.key;
  if (!key) throw new Error('payload yields no intent');
  return key;
}

export interface Delivery {
  status: number | 'connection_error';
  body?: any;
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
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
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
export async function deliverLikeAlertmanager(url: () => string, token: string, payload: unknown, options: { retryPauseMs?: number; deadlineMs?: number } = {}): Promise<RetriedDelivery> {
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

export function isConnectionError(delivery: Delivery): boolean {
  return delivery.status === 'connection_error';
}
