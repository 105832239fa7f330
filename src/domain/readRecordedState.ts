import { STATE_LABEL } from './serviceLabels';
import type { RecordedState, ScaleAction } from './types';

const ACTIONS: readonly string[] = ['up', 'down', 'to'];

/**
 * Reads what alertscale last wrote on the service. Hand-edited or partial state is
 * treated as absent: the service's own `UpdatedAt` then stands in for cooldowns.
 */
export function readRecordedState(labels: Record<string, string>): RecordedState | undefined {
  const action = labels[STATE_LABEL.action];
  const at = labels[STATE_LABEL.at];
  const key = labels[STATE_LABEL.key];
  const from = labels[STATE_LABEL.from];
  if (action === undefined || at === undefined || key === undefined || from === undefined) return undefined;
  const atMs = Date.parse(at);
  if (!ACTIONS.includes(action) || Number.isNaN(atMs) || !/^\d+$/.test(from)) return undefined;
  return { action: action as ScaleAction, atMs, key, from: Number(from) };
}

/** The labels that record an action, written in the same update as the replica change. */
export function buildStateLabels(action: ScaleAction, atMs: number, key: string, from: number): Record<string, string> {
  return {
    [STATE_LABEL.action]: action,
    [STATE_LABEL.at]: new Date(atMs).toISOString(),
    [STATE_LABEL.key]: key,
    [STATE_LABEL.from]: String(from),
  };
}
