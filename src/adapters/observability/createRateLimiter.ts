export interface RateLimiter {
  /**
   * True when one more event may be reported in the current period. `suppressed`
   * is how many were refused since the last one allowed, so the next line can say so.
   */
  take: () => { allowed: boolean; suppressed: number };
}

/** At most `limit` events per `periodMs` (a fixed window): a storm cannot flood the log. */
export function createRateLimiter(limit: number, periodMs: number, now: () => number = Date.now): RateLimiter {
  let windowStart = Number.NEGATIVE_INFINITY;
  let used = 0;
  let suppressed = 0;
  return {
    take: () => {
      const at = now();
      if (at - windowStart >= periodMs) {
        windowStart = at;
        used = 0;
      }
      if (used >= limit) {
        suppressed += 1;
        return { allowed: false, suppressed };
      }
      used += 1;
      const report = { allowed: true, suppressed };
      suppressed = 0;
      return report;
    },
  };
}
