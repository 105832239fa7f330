import type { DecisionRecord } from '../../app/ports';
import { hasUnverifiedServiceName } from '../../domain/unverifiedName';

export interface RecentDecisions {
  /** Keeps a decision; one whose id is already held (an instance hears its own events) is ignored. */
  add(decision: DecisionRecord): void;
  /** Newest first; only those for `service` when given. */
  list(service?: string, limit?: number): DecisionRecord[];
  /** RFC 3339: when the newest notification about the service that was decided arrived, if still in the history. */
  lastNotificationAt(service: string): string | undefined;
}

export interface RecentDecisionLimits {
  /** Decisions kept across all services. */
  overall?: number;
  /** Decisions kept per existing service, so a storm about other names cannot push its history out. */
  perService?: number;
  /** Services with a history of their own; the least recently decided one is forgotten first. */
  services?: number;
}

/** Inserts newest first (decisions replayed from other instances may arrive out of order); returns what fell off. */
function insertByTime(list: DecisionRecord[], decision: DecisionRecord, bound: number): DecisionRecord[] {
  let index = 0;
  while (index < list.length && (list[index] as DecisionRecord).decidedAt > decision.decidedAt) index += 1;
  list.splice(index, 0, decision);
  return list.splice(bound);
}

/** Bounded lists of recent decisions, newest first, for the API. */
export function createRecentDecisions(limits: RecentDecisionLimits = {}): RecentDecisions {
  const overall = limits.overall ?? 500;
  const perService = limits.perService ?? 50;
  const maxServices = limits.services ?? 1000;
  const ring: DecisionRecord[] = [];
  const byService = new Map<string, DecisionRecord[]>();
  // How many lists hold each decision id: bounded by what the lists hold.
  const held = new Map<string, number>();

  function count(decision: DecisionRecord, by: number): void {
    if (decision.id === undefined) return;
    const next = (held.get(decision.id) ?? 0) + by;
    if (next > 0) held.set(decision.id, next);
    else held.delete(decision.id);
  }
  function insert(list: DecisionRecord[], decision: DecisionRecord, bound: number): void {
    count(decision, 1);
    for (const dropped of insertByTime(list, decision, bound)) count(dropped, -1);
  }

  function keepForService(decision: DecisionRecord): void {
    const history = byService.get(decision.service) ?? [];
    insert(history, decision, perService);
    // Re-inserting moves the service to the end: Map order is then least recently decided first.
    byService.delete(decision.service);
    byService.set(decision.service, history);
    if (byService.size > maxServices) {
      const oldest = byService.keys().next().value as string;
      for (const forgotten of byService.get(oldest) ?? []) count(forgotten, -1);
      byService.delete(oldest);
    }
  }

  function list(service?: string, limit?: number): DecisionRecord[] {
    if (service === undefined) return ring.slice(0, limit ?? overall);
    const fromRing = ring.filter((decision) => decision.service === service);
    const history = byService.get(service) ?? [];
    // Merge both (newest first): the ring also holds this name's unverified decisions.
    const merged = [...new Set([...fromRing, ...history])].sort((a, b) => b.decidedAt.localeCompare(a.decidedAt));
    return merged.slice(0, limit ?? perService);
  }

  return {
    add(decision) {
      if (decision.id !== undefined && held.has(decision.id)) return;
      insert(ring, decision, overall);
      if (!hasUnverifiedServiceName(decision.outcome)) keepForService(decision);
    },
    list,
    lastNotificationAt(service) {
      const received = list(service)
        .map((decision) => decision.receivedAt ?? '')
        .filter((at) => at !== '');
      return received.sort().at(-1);
    },
  };
}
