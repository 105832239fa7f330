import { hasUnverifiedServiceName } from '../../domain/unverifiedName';
import type { Decision } from '../../domain/types';

export interface RecentDecisions {
  add(decision: Decision): void;
  /** Newest first; only those for `service` when given. */
  list(service?: string, limit?: number): Decision[];
}

export interface RecentDecisionLimits {
  /** Decisions kept across all services. */
  overall?: number;
  /** Decisions kept per existing service, so a storm about other names cannot push its history out. */
  perService?: number;
  /** Services with a history of their own; the least recently decided one is forgotten first. */
  services?: number;
}

/** Bounded lists of recent decisions, newest first, for the API. */
export function createRecentDecisions(limits: RecentDecisionLimits = {}): RecentDecisions {
  const overall = limits.overall ?? 500;
  const perService = limits.perService ?? 50;
  const maxServices = limits.services ?? 1000;
  const ring: Decision[] = [];
  const byService = new Map<string, Decision[]>();

  function keepForService(decision: Decision): void {
    const history = byService.get(decision.service) ?? [];
    history.unshift(decision);
    if (history.length > perService) history.length = perService;
    // Re-inserting moves the service to the end: Map order is then least recently decided first.
    byService.delete(decision.service);
    byService.set(decision.service, history);
    if (byService.size > maxServices) byService.delete(byService.keys().next().value as string);
  }

  return {
    add(decision) {
      ring.unshift(decision);
      if (ring.length > overall) ring.length = overall;
      if (!hasUnverifiedServiceName(decision.outcome)) keepForService(decision);
    },
    list(service, limit) {
      if (service === undefined) return ring.slice(0, limit ?? overall);
      const fromRing = ring.filter((decision) => decision.service === service);
      const history = byService.get(service) ?? [];
      // Merge both (newest first): the ring also holds this name's unverified decisions.
      const merged = [...new Set([...fromRing, ...history])].sort((a, b) => b.decidedAt.localeCompare(a.decidedAt));
      return merged.slice(0, limit ?? perService);
    },
  };
}
