import { pickClosestNames } from '../../domain/pickClosestNames';

export interface ServiceNameMatcherOptions {
  /** How long a listing of the Swarm's service names is reused. Default 5 s. */
  ttlMs?: number;
  /** Names matched afresh per minute at most; beyond that, no hint. Default 60. */
  perMinute?: number;
  now?: () => number;
}

/**
 * "Did you mean" for service names, at a bounded cost: one listing of the Swarm per
 * `ttlMs` however many alerts name a missing service, the answer for a name reused
 * while that listing is, and at most `perMinute` fresh matches (each compares the name
 * with every service), so a storm of bogus names costs no more than a trickle.
 */
export function createServiceNameMatcher(listNames: () => Promise<string[]>, options: ServiceNameMatcherOptions = {}): (name: string) => Promise<string[]> {
  const ttlMs = options.ttlMs ?? 5000;
  const perMinute = options.perMinute ?? 60;
  const now = options.now ?? Date.now;
  let listing: { atMs: number; names: Promise<string[]>; answers: Map<string, string[]> } | undefined;
  let budget = { windowStartMs: now(), used: 0 };

  return async function findClosest(name: string): Promise<string[]> {
    if (!listing || now() - listing.atMs > ttlMs) {
      const fresh = { atMs: now(), names: listNames(), answers: new Map<string, string[]>() };
      listing = fresh;
      fresh.names.catch(() => {
        if (listing === fresh) listing = undefined;
      });
    }
    const current = listing;
    const known = current.answers.get(name);
    if (known) return known;
    if (now() - budget.windowStartMs >= 60_000) budget = { windowStartMs: now(), used: 0 };
    if (budget.used >= perMinute) return [];
    budget.used += 1;
    const answer = pickClosestNames(name, await current.names);
    // Bounded by the budget: at most perMinute names per listing.
    current.answers.set(name, answer);
    return answer;
  };
}
