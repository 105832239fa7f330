import { OWN_WRITE_TOLERANCE_MS } from './ownWriteTolerance';
import type { Direction, RecordedState, ServiceState } from './types';

export interface LastChange {
  atMs: number;
  /** Human description for reasons: "alertscale up from 2 replicas" or "an update of the service spec outside alertscale". */
  description: string;
}

export type CooldownStarts = Partial<Record<Direction, LastChange>>;

function describeOwn(recorded: RecordedState, direction: Direction, atMs: number): string {
  const newest = recorded.recent[0];
  if (newest && newest.atMs === atMs && newest.direction === direction) {
    return `alertscale ${recorded.action} from ${recorded.from} replicas${recorded.distrusted ? " (its alertscale.state.at was later than Docker's UpdatedAt, so UpdatedAt is used)" : ''}`;
  }
  return `alertscale scaled ${direction}`;
}

/**
 * When each direction's cooldown starts counting. Capacity first, as the HPA does:
 * an up waits only for alertscale's own previous up, so neither a scale-down nor a
 * deploy or a service's creation ever delays added capacity; a down waits for the
 * latest change of any kind, ours or someone else's (a `docker stack deploy`, a
 * manual update, the creation of the service).
 */
export function findCooldownStarts(service: ServiceState, recorded: RecordedState | undefined): CooldownStarts {
  const updatedAtMs = Date.parse(service.updatedAt);
  const latestOwnMs = recorded?.atMs;
  const outside =
    !Number.isNaN(updatedAtMs) && (latestOwnMs === undefined || updatedAtMs > latestOwnMs + OWN_WRITE_TOLERANCE_MS)
      ? { atMs: updatedAtMs, description: 'an update of the service spec outside alertscale (e.g. docker stack deploy or its creation)' }
      : undefined;

  const lastUp = recorded?.recent.find((entry) => entry.direction === 'up');
  const lastOwn = recorded?.recent[0];
  const starts: CooldownStarts = {};
  if (recorded && lastUp) starts.up = { atMs: lastUp.atMs, description: describeOwn(recorded, 'up', lastUp.atMs) };
  const own = recorded && lastOwn ? { atMs: lastOwn.atMs, description: describeOwn(recorded, lastOwn.direction, lastOwn.atMs) } : undefined;
  const down = outside && (!own || outside.atMs >= own.atMs) ? outside : own;
  if (down) starts.down = down;
  return starts;
}
