import { computeGroupId, identifyAlerts } from './computeGroupId';
import { formatInstant } from './formatInstant';
import type { DecisionSettings, RecordedState, ScaleIntent } from './types';

/**
 * Why this intent was already acted on, or undefined when it is new. Three ways to
 * be the same notification again:
 * - the same key within DEDUP_WINDOW (a retry, an HA peer's copy);
 * - the same key written at or after this intent was received, whatever the window
 *   (an intent redelivered by the broker after alertscale applied it and died before
 *   the ack): the change it asked for is already there;
 * - for a step (`up`/`down`), firing alerts that are a subset of those acted on for
 *   the same Alertmanager group within DEDUP_WINDOW: a group flushed again because
 *   one of its alerts resolved asks for nothing new before a repeat would.
 */
export function findDuplicateAction(intent: ScaleIntent, recorded: RecordedState | undefined, settings: DecisionSettings, nowMs: number): string | undefined {
  if (!recorded) return undefined;
  const receivedAtMs = Date.parse(intent.receivedAt);
  const withinWindow = (atMs: number) => nowMs - atMs < settings.dedupWindowMs;
  const sameKey = recorded.recent.find((entry) => entry.key === intent.key && (withinWindow(entry.atMs) || entry.atMs >= receivedAtMs));
  if (sameKey) {
    return withinWindow(sameKey.atMs)
      ? `duplicate: this notification was already acted on at ${formatInstant(sameKey.atMs)} (same idempotency key within DEDUP_WINDOW)`
      : `duplicate: this intent was already applied at ${formatInstant(sameKey.atMs)}, after it was received at ${formatInstant(receivedAtMs)} (redelivered after the change was made)`;
  }
  if (intent.action === 'to' || intent.fingerprints.length === 0) return undefined;
  const group = computeGroupId(intent);
  const firing = identifyAlerts(intent);
  const covering = recorded.recent.find(
    (entry) => entry.group === group && entry.fingerprints !== undefined && withinWindow(entry.atMs) && firing.every((fingerprint) => entry.fingerprints?.includes(fingerprint)),
  );
  if (!covering) return undefined;
  return `duplicate: the ${firing.length} firing alert(s) of this group were all already acted on at ${formatInstant(covering.atMs)}; a group re-sent with fewer alerts is not a new step before DEDUP_WINDOW ends`;
}
