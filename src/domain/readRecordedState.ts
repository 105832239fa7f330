import { OWN_WRITE_TOLERANCE_MS } from './ownWriteTolerance';
import { STATE_LABEL } from './serviceLabels';
import { isScaleAction, type Direction, type RecordedAction, type RecordedState, type ScaleAction } from './types';

/** Changes remembered on the service: enough for interleaved groups and retries within DEDUP_WINDOW, bounded. */
export const RECENT_ACTIONS_KEPT = 6;
/** Fingerprints kept per change; the shipped route's max_alerts. A larger group is remembered by its key only. */
export const FINGERPRINTS_KEPT = 50;

interface RecentEntry {
  k: string;
  t: string;
  d: Direction;
  g?: string;
  f?: string[];
}

function parseRecent(text: string | undefined): RecordedAction[] | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(raw)) return undefined;
  const actions: RecordedAction[] = [];
  for (const entry of raw.slice(0, RECENT_ACTIONS_KEPT) as Partial<RecentEntry>[]) {
    const atMs = typeof entry?.t === 'string' ? Date.parse(entry.t) : Number.NaN;
    if (typeof entry?.k !== 'string' || Number.isNaN(atMs) || (entry.d !== 'up' && entry.d !== 'down')) continue;
    const fingerprints = Array.isArray(entry.f) && entry.f.every((item) => typeof item === 'string') ? entry.f : undefined;
    actions.push({
      key: entry.k,
      atMs,
      direction: entry.d,
      ...(typeof entry.g === 'string' ? { group: entry.g } : {}),
      ...(fingerprints ? { fingerprints } : {}),
    });
  }
  return actions;
}

/**
 * Reads what alertscale last wrote on the service. Hand-edited or partial state is
 * treated as absent: the service's own `UpdatedAt` then stands in for cooldowns.
 * A time later than Docker's `UpdatedAt` (plus the own-write tolerance) cannot be
 * ours: it is forged or skewed, so it is replaced by `UpdatedAt` and never blocks
 * scaling into the future.
 */
export function readRecordedState(labels: Record<string, string>, current: number, updatedAt: string): RecordedState | undefined {
  const action = labels[STATE_LABEL.action];
  const at = labels[STATE_LABEL.at];
  const key = labels[STATE_LABEL.key];
  const from = labels[STATE_LABEL.from];
  if (action === undefined || at === undefined || key === undefined || from === undefined) return undefined;
  const writtenAtMs = Date.parse(at);
  if (!isScaleAction(action) || Number.isNaN(writtenAtMs) || !/^\d+$/.test(from)) return undefined;

  const updatedAtMs = Date.parse(updatedAt);
  const latestBelievable = Number.isNaN(updatedAtMs) ? Number.POSITIVE_INFINITY : updatedAtMs + OWN_WRITE_TOLERANCE_MS;
  const believe = (ms: number) => (ms > latestBelievable ? updatedAtMs : ms);
  const direction: Direction = action === 'up' || (action === 'to' && current > Number(from)) ? 'up' : 'down';
  const listed = parseRecent(labels[STATE_LABEL.recent]) ?? [];
  // The newest change is the one action/at/key describe; an older list without it still counts.
  const recent = listed[0]?.key === key ? listed : [{ key, atMs: writtenAtMs, direction }, ...listed].slice(0, RECENT_ACTIONS_KEPT);
  return {
    action,
    atMs: believe(writtenAtMs),
    key,
    from: Number(from),
    recent: recent.map((entry) => ({ ...entry, atMs: believe(entry.atMs) })),
    distrusted: writtenAtMs > latestBelievable,
  };
}

export interface ActionToRecord {
  action: ScaleAction;
  direction: Direction;
  atMs: number;
  key: string;
  from: number;
  group: string;
  fingerprints: string[];
}

/** The labels that record an action, written in the same update as the replica change. */
export function buildStateLabels(change: ActionToRecord, previous: RecordedState | undefined): Record<string, string> {
  const entry: RecentEntry = {
    k: change.key,
    t: new Date(change.atMs).toISOString(),
    d: change.direction,
    g: change.group,
    ...(change.fingerprints.length <= FINGERPRINTS_KEPT ? { f: [...change.fingerprints].sort() } : {}),
  };
  const older: RecentEntry[] = (previous?.recent ?? []).map((item) => ({
    k: item.key,
    t: new Date(item.atMs).toISOString(),
    d: item.direction,
    ...(item.group === undefined ? {} : { g: item.group }),
    ...(item.fingerprints === undefined ? {} : { f: item.fingerprints }),
  }));
  return {
    [STATE_LABEL.action]: change.action,
    [STATE_LABEL.at]: entry.t,
    [STATE_LABEL.key]: change.key,
    [STATE_LABEL.from]: String(change.from),
    [STATE_LABEL.recent]: JSON.stringify([entry, ...older].slice(0, RECENT_ACTIONS_KEPT)),
  };
}
