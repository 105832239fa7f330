import { createHash } from 'node:crypto';

export interface KeyParts {
  receiver: string;
  groupKey: string;
  service: string;
  action: string;
  alerts: Array<{ fingerprint: string; startsAt: string }>;
  stepOverrides: number[];
  usesServiceStep: boolean;
  target?: number;
}

/**
 * Identical re-sends (retries, HA peers, repeat_interval) produce the same key;
 * a new alert, a restarted alert (new startsAt) or a new step or target does not.
 */
export function computeIdempotencyKey(parts: KeyParts): string {
  const alerts = parts.alerts.map((alert) => `${alert.fingerprint}@${alert.startsAt}`).sort();
  const material = JSON.stringify([
    parts.receiver,
    parts.groupKey,
    parts.service,
    parts.action,
    alerts,
    [...parts.stepOverrides].sort((a, b) => a - b),
    parts.usesServiceStep,
    parts.target ?? null,
  ]);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}
