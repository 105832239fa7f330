/** Exponential backoff with "equal jitter": half the delay fixed, half random, capped. */
export function backoffDelayMs(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + Math.random() * (base / 2));
}
