import { createHash } from 'node:crypto';

export interface GroupParts {
  receiver: string;
  groupKey: string;
  service: string;
  action: string;
}

/** Short id of the Alertmanager group (and action) an intent came from: what its flushes have in common. */
export function computeGroupId(parts: GroupParts): string {
  return createHash('sha256')
    .update(JSON.stringify([parts.receiver, parts.groupKey, parts.service, parts.action]))
    .digest('hex')
    .slice(0, 12);
}

/**
 * Short ids of the firing alerts behind an intent: the fingerprint and when the
 * alert started (an alert that resolved and fired again is a new signal). Eight hex
 * digits tell the alerts of one group apart and keep the label short.
 */
export function identifyAlerts(intent: { fingerprints: string[]; alertStartsAt?: string[] }): string[] {
  return intent.fingerprints.map((fingerprint, index) =>
    createHash('sha256')
      .update(`${fingerprint}@${intent.alertStartsAt?.[index] ?? ''}`)
      .digest('hex')
      .slice(0, 8),
  );
}
