import { hasUnverifiedServiceName } from '../../domain/unverifiedName';
import type { Decision } from '../../domain/types';

/** A decision as kept for the API: with the time its notification reached alertscale, when known. */
export type RecordedDecision = Decision & { receivedAt?: string };

export interface RecentDecisions {
  /** Keeps a decision, once: the same decision heard again (an instance hears its own events) is ignored. */
  add(decision: RecordedDecision): void;
  /** Newest first; only those for `service` when given. */
  list(service?: string, limit?: number): RecordedDecision[];
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

/** Two records of one decision agree on all of these; two different decisions never do. */
function identify(decision: Decision): string {
  return JSON.stringify([decision.decidedAt, decision.service, decision.action, decision.outcome, decision.key, decision.from ?? null, decision.to ?? null]);
}

/** Inserts newest first (decisions replayed from other instances may arrive out of order); returns what fell off. */
function insertByTime(list: RecordedDecision[], decision: RecordedDecision, bound: number): RecordedDecision[] {
  let index = 0;
  while (index < list.length && (list[index] as RecordedDecision).decidedAt > decision.decidedAt) index += 1;
  list.splice(index, 0, decision);
  return list.splice(bound);
}

/** Bounded lists of recent decisions, newest first, for the API. */
export function createRecentDecisions(limits: RecentDecisionLimits = {}): RecentDecisions {
  const overall = limits.overall ?? 500;
  const perService = limits.perService ?? 50;
  const maxServices = limits.services ?? 1000;
  const ring: RecordedDecision[] = [];
  const byService = new Map<string, RecordedDecision[]>();
  // How many lists hold each decision (by identity): bounded by what the lists hold.
  const held = new Map<string, number>();

  function count(decision: Decision, by: number): void {
    const id = identify(decision);
    const next = (held.get(id) ?? 0) + by;
    if (next > 0) held.set(id, next);
    else held.delete(id);
  }
  function insert(list: RecordedDecision[], decision: RecordedDecision, bound: number): void {
    count(decision, 1);
    for (const dropped of insertByTime(list, decision, bound)) count(dropped, -1);
  }

  function keepForService(decision: RecordedDecision): void {
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

  function list(service?: string, limit?: number): RecordedDecision[] {
    if (service === undefined) return ring.slice(0, limit ?? overall);
    const fromRing = ring.filter((decision) => decision.service === service);
    const history = byService.get(service) ?? [];
    // Merge both (newest first): the ring also holds this name's unverified decisions.
    const merged = [...new Set([...fromRing, ...history])].sort((a, b) => b.decidedAt.localeCompare(a.decidedAt));
    return merged.slice(0, limit ?? perService);
  }

  return {
    add(decision) {
      if (held.has(identify(decision))) return;
      insert(ring, decision, overall);
      if (!hasUnverifiedServiceName(decision.outcome)) keepForService(decision);
    },
    list,
    lastNotificationAt(service) {
      const received = list(service).map((decision) => decision.receivedAt ?? '').filter((at) => at !== '');
      return received.sort().at(-1);
    },
  };
}
