import type { ScaleIntent } from '../../../domain/types';

/** How far ahead of this instance's clock another instance's receivedAt may be (NTP keeps nodes well within it). */
export const MAX_CLOCK_SKEW_MS = 30_000;

export type IntentAge = { kind: 'fresh' } | { kind: 'malformed' | 'expired'; text: string };

/**
 * Judged when an intent is delivered, before it is decided: one past INTENT_TTL
 * is never applied, and one "received" in the future is forged or from a node
 * whose clock is off (it would never expire, and a key written before it was
 * received would not count as a duplicate).
 */
export function judgeIntentAge(intent: Pick<ScaleIntent, 'action' | 'service' | 'receivedAt'>, nowMs: number, ttlMs: number): IntentAge {
  const ageMs = nowMs - Date.parse(intent.receivedAt);
  if (ageMs < -MAX_CLOCK_SKEW_MS) {
    return {
      kind: 'malformed',
      text: `${intent.action} for ${intent.service} claims to be received ${(-ageMs / 1000).toFixed(1)}s in the future (forged, or a clock off by more than ${MAX_CLOCK_SKEW_MS / 1000}s)`,
    };
  }
  if (ageMs > ttlMs) {
    return {
      kind: 'expired',
      text: `${intent.action} for ${intent.service} was received ${(ageMs / 1000).toFixed(1)}s ago, past INTENT_TTL (${ttlMs / 1000}s); a stale intent is never applied`,
    };
  }
  return { kind: 'fresh' };
}
