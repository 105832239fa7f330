import type { Decision } from '../../domain/types';

export interface RecentDecisions {
  add(decision: Decision): void;
  /** Newest first; only those for `service` when given. */
  list(service?: string, limit?: number): Decision[];
}

/** A bounded ring of recent decisions, newest first, for the API. */
export function createRecentDecisions(capacity = 500): RecentDecisions {
  const ring: Decision[] = [];
  return {
    add(decision) {
      ring.unshift(decision);
      if (ring.length > capacity) ring.length = capacity;
    },
    list(service, limit = capacity) {
      const matching = service === undefined ? ring : ring.filter((decision) => decision.service === service);
      return matching.slice(0, limit);
    },
  };
}
