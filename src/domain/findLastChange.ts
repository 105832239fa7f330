import { readRecordedState } from './readRecordedState';
import type { ServiceState } from './types';

/**
 * Docker stamps `UpdatedAt` when it stores our own update, a moment after the
 * `alertscale.state.at` we wrote into it. Anything later than this tolerance is
 * someone else's change (a `docker stack deploy`, a manual `docker service update`).
 */
export const OWN_WRITE_TOLERANCE_MS = 5000;

export interface LastChange {
  atMs: number;
  /** Human description for reasons: "alertscale up 2→3" or "an update of the service spec outside alertscale". */
  description: string;
}

/** The change that cooldowns count from: our last recorded action, or a later outside change of the spec. */
export function findLastChange(service: ServiceState): LastChange | undefined {
  const recorded = readRecordedState(service.labels);
  const updatedAtMs = Date.parse(service.updatedAt);
  const outsideChange = Number.isNaN(updatedAtMs)
    ? undefined
    : { atMs: updatedAtMs, description: 'an update of the service spec outside alertscale (e.g. docker stack deploy)' };
  if (!recorded) return outsideChange;
  if (outsideChange && outsideChange.atMs > recorded.atMs + OWN_WRITE_TOLERANCE_MS) return outsideChange;
  return { atMs: recorded.atMs, description: `alertscale ${recorded.action} from ${recorded.from} replicas` };
}
